//! casus over HTTP: the JSON contract, FHIR R4, ranked codes, metrics and the web viewer.
//!
//! `casus serve` calls [`run`]; tests build the router with [`app`] and serve it on a socket of
//! their own with [`serve`]. One [`casus::Engine`] is built at start and shared by every request.
//!
//! Limits, each answered with an `application/problem+json` body (RFC 9457):
//! - body size ([`Config::max_body_bytes`], 413), also the engine's document limit;
//! - time per analysis, waiting included ([`Config::timeout`], 503 with `Retry-After`);
//! - analyses at once ([`Config::concurrency`]): more wait for a slot, within the time limit;
//! - time to receive a body ([`Config::body_timeout`], 408).
//!
//! Case text is never logged: the access log (off by default) writes method, route, status and
//! latency only.

mod api;
mod metrics;
mod problem;
mod viewer;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use casus::Engine;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

pub use metrics::Metrics;
pub use viewer::report;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// The largest request body, in bytes (1 MiB by default, as the command line's document limit).
    pub max_body_bytes: usize,
    /// The longest one analysis may take, waiting for a slot included.
    pub timeout: Duration,
    /// How many analyses run at once; the rest wait. By default one more than the cores.
    pub concurrency: usize,
    /// The longest a client may take to send its body.
    pub body_timeout: Duration,
    /// One stderr line per request (method, route, status, latency; never the text).
    pub access_log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: casus::text::validate::DEFAULT_MAX_BYTES,
            timeout: Duration::from_secs(10),
            concurrency: default_concurrency(),
            body_timeout: Duration::from_secs(30),
            access_log: false,
        }
    }
}

/// One analysis per core, and one more: when an analysis ends, the next one is already running
/// on the blocking pool rather than waiting for its slot to pass through the runtime, which
/// would leave a core idle for that hand-off. Measured with `bench/load.sh` (BENCHMARKS.md).
fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()) + 1
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub engine: Arc<Engine>,
    pub config: Arc<Config>,
    pub slots: Arc<Semaphore>,
    pub metrics: Arc<Metrics>,
}

/// The whole HTTP application.
pub fn app(engine: Arc<Engine>, config: Config) -> Router {
    let state = AppState {
        engine,
        slots: Arc::new(Semaphore::new(config.concurrency.max(1))),
        metrics: Arc::new(Metrics::default()),
        config: Arc::new(config),
    };
    let body_timeout = state.config.body_timeout;
    Router::new()
        .route("/", get(viewer::index))
        .route("/assets/{file}", get(viewer::asset))
        .route("/health", get(api::health))
        .route("/v1/version", get(api::version))
        .route("/v1/analyze", post(api::analyze))
        .route("/v1/code", post(api::code))
        .route("/metrics", get(api::metrics))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(CatchPanicLayer::custom(problem::from_panic))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    Engine(casus::Error),
    Bind { addr: SocketAddr, source: std::io::Error },
    Io(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Engine(err) => write!(f, "cannot build the engine: {err}"),
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServeError::Io(err) => write!(f, "server error: {err}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Builds the engine, listens on `config.addr` and serves until SIGTERM or Ctrl-C.
pub fn run(engine: Engine, config: Config) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Io)?;
    runtime.block_on(async move {
        let addr = config.addr;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(ServeError::Io)?;
        // The handlers are in place before the address is announced: a SIGTERM sent as soon as
        // the line appears must shut down cleanly, not kill the process.
        let shutdown = shutdown_signal().map_err(ServeError::Io)?;
        eprintln!("casus: serving on http://{local} (viewer at /, API at /v1/analyze, OpenAPI at /openapi.json)");
        serve(listener, app(Arc::new(engine), config), shutdown).await.map_err(ServeError::Io)?;
        eprintln!("casus: stopped");
        Ok(())
    })
}

/// Registers for Ctrl-C and, on Unix, SIGTERM now, and returns a future that resolves on either.
/// Call it inside the runtime.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let ctrl_c = tokio::spawn(tokio::signal::ctrl_c());
    Ok(async move {
        #[cfg(unix)]
        let terminate = async move {
            terminate.recv().await;
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            () = terminate => {},
        }
        eprintln!("casus: shutting down, finishing the requests in flight");
    })
}
