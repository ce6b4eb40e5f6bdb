//! The JSON API: analyze, code, health, version, metrics, OpenAPI.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casus::{Error, InputError, Language, Options};
use serde::Deserialize;

use crate::problem::Problem;
use crate::AppState;

const OPENAPI: &str = include_str!("assets/openapi.json");
pub const FHIR_JSON: &str = "application/fhir+json";

/// The JSON form of a request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeRequest {
    text: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    blind: bool,
}

/// One document to analyse, as read from a request.
struct Input {
    bytes: Vec<u8>,
    options: Options,
}

/// What a response is rendered as.
#[derive(Clone, Copy)]
enum Output {
    Contract,
    Fhir,
    Codes,
}

pub async fn analyze(State(state): State<AppState>, headers: HeaderMap, query: RawQuery, body: Body) -> Response {
    let output = if accepts(&headers, FHIR_JSON) { Output::Fhir } else { Output::Contract };
    respond(state, headers, query, body, output).await
}

pub async fn code(State(state): State<AppState>, headers: HeaderMap, query: RawQuery, body: Body) -> Response {
    respond(state, headers, query, body, Output::Codes).await
}

async fn respond(state: AppState, headers: HeaderMap, query: RawQuery, body: Body, output: Output) -> Response {
    let input = match read_input(&state, &headers, query.0.as_deref(), body).await {
        Ok(input) => input,
        Err(problem) => return problem.into_response(),
    };
    let timeout = state.config.timeout;
    let engine = state.engine.clone();
    let slots = state.slots.clone();
    let work = async move {
        // The slot moves into the blocking task: it is released when the analysis really ends,
        // even if the request has timed out, so the limit bounds the CPU work and not just the
        // requests waiting.
        let slot = slots.acquire_owned().await.expect("the semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let analysis = engine.analyze_bytes(&input.bytes, &input.options)?;
            Ok::<Vec<u8>, Error>(match output {
                Output::Contract => {
                    let mut json = Vec::with_capacity(casus::export::compact_json_capacity(input.bytes.len()));
                    casus::export::write_compact_json(&analysis, &mut json);
                    json
                }
                Output::Fhir => {
                    serde_json::to_vec(&casus::export::fhir::to_bundle(&analysis)).expect("a bundle serializes")
                }
                Output::Codes => serde_json::to_vec(&casus::reason::codes::rank(&analysis)).expect("codes serialize"),
            })
        })
        .await
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => {
            let mut problem = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "Analysis took too long",
                format!(
                    "the analysis did not finish within {} ms (the server is busy or the document is very long); retry later or send a shorter document",
                    timeout.as_millis()
                ),
            );
            problem.retry_after = Some(1);
            problem.into_response()
        }
        // A panic in the analysis goes on to the panic layer (a 500 problem); the blocking task
        // cannot be cancelled otherwise than by the runtime shutting down.
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Ok(Err(_)) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting-down",
            "Server shutting down",
            "the server is shutting down; retry on another instance",
        )
        .into_response(),
        Ok(Ok(Err(Error::Input(err)))) => {
            state.metrics.rejected();
            input_problem(&err).into_response()
        }
        Ok(Ok(Err(err))) => {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", err.to_string())
                .into_response()
        }
        Ok(Ok(Ok(json))) => {
            state.metrics.document();
            let content_type = match output {
                Output::Fhir => FHIR_JSON,
                Output::Contract | Output::Codes => "application/json",
            };
            ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], json).into_response()
        }
    }
}

/// Reads the body within the size limit and the document's options from its content type.
async fn read_input(state: &AppState, headers: &HeaderMap, query: Option<&str>, body: Body) -> Result<Input, Problem> {
    let limit = state.config.max_body_bytes;
    let too_large = |size: Option<u64>| {
        let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Document too large",
            format!("the request body{size} is over the limit of {limit} bytes; split the document or start the server with a larger --max-bytes"),
        )
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    if declared.is_some_and(|size: u64| size > limit as u64) {
        return Err(too_large(declared));
    }
    let bytes = read_limited(body, limit).await.map_err(|err| match err {
        BodyError::TooLarge => too_large(None),
        BodyError::Timeout => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            "Body too slow",
            "the request body did not arrive in time",
        ),
        BodyError::Other(message) => Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-body",
            "Unreadable body",
            format!("cannot read the body: {message}"),
        ),
    })?;
    let params = QueryParams::parse(query.unwrap_or(""))?;
    let mut options = Options { max_bytes: limit, ..Options::default() };
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    match media_type.as_deref() {
        Some("application/json") => {
            let request: AnalyzeRequest = serde_json::from_slice(&bytes).map_err(|err| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad-json",
                    "Malformed JSON",
                    format!("the body is not a valid request object {{\"text\": string, \"language\"?: string, \"blind\"?: bool}}: {err}"),
                )
            })?;
            options.blind = request.blind || params.blind;
            options.language = language(request.language.as_deref().or(params.language.as_deref()))?;
            Ok(Input { bytes: request.text.into_bytes(), options })
        }
        None | Some("text/plain") => {
            options.blind = params.blind;
            options.language = language(params.language.as_deref())?;
            Ok(Input { bytes: bytes.to_vec(), options })
        }
        Some(other) => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported content type",
            format!(
                "the body is {other}; send text/plain (the case text, UTF-8) or application/json ({{\"text\": …}})"
            ),
        )),
    }
}

enum BodyError {
    TooLarge,
    Timeout,
    Other(String),
}

async fn read_limited(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) => {
            if err.is::<http_body_util::LengthLimitError>() {
                return Err(BodyError::TooLarge);
            }
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
            while let Some(cause) = source {
                if cause.is::<tower_http::timeout::TimeoutError>() {
                    return Err(BodyError::Timeout);
                }
                source = cause.source();
            }
            Err(BodyError::Other(err.to_string()))
        }
    }
}

/// `?blind=true&language=ro` for text/plain bodies (also accepted with JSON bodies).
#[derive(Default)]
struct QueryParams {
    blind: bool,
    language: Option<String>,
}

impl QueryParams {
    fn parse(query: &str) -> Result<QueryParams, Problem> {
        let mut params = QueryParams::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "blind" => {
                    params.blind = match value {
                        "" | "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return Err(bad_query(format!("blind must be true or false, not {value:?}"))),
                    }
                }
                "language" | "lang" => params.language = Some(value.to_owned()),
                _ => return Err(bad_query(format!("unknown query parameter {key:?}; known: blind, language"))),
            }
        }
        Ok(params)
    }
}

fn bad_query(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "bad-query", "Bad query parameter", detail)
}

fn language(code: Option<&str>) -> Result<Language, Problem> {
    let code = code.unwrap_or("ro");
    Language::from_code(code).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported-language",
            "Unsupported language",
            format!("casus reads only Romanian (ro) yet, not {code:?}"),
        )
    })
}

/// The engine's refusal of a document, as a problem.
fn input_problem(err: &InputError) -> Problem {
    let (status, kind, title) = match err {
        InputError::Empty => (StatusCode::UNPROCESSABLE_ENTITY, "empty-document", "Empty document"),
        InputError::NotUtf8 { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "not-utf8", "Not UTF-8"),
        InputError::Nul { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "binary-document", "Binary document"),
        InputError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "body-too-large", "Document too large"),
    };
    Problem::new(status, kind, title, err.to_string())
}

/// Whether the Accept header lists `media_type` (parameters and quality ignored, except q=0).
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let matches = parts.next().is_some_and(|t| t.eq_ignore_ascii_case(media_type));
        matches && !parts.any(|p| p.replace(' ', "") == "q=0")
    })
}

pub async fn health() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], r#"{"status":"ok"}"#).into_response()
}

pub async fn version() -> Response {
    let body = serde_json::json!({
        "casus": env!("CARGO_PKG_VERSION"),
        "schema": casus::analysis::SCHEMA_VERSION,
        "fhir": "4.0.1",
    });
    axum::Json(body).into_response()
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub async fn not_found() -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "No such resource",
        "no such path; see /openapi.json for the API (POST /v1/analyze, POST /v1/code) or / for the viewer",
    )
    .into_response()
}

pub async fn method_not_allowed() -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this path does not take that method; see /openapi.json",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_matching() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json, application/fhir+json;q=0.9"));
        assert!(accepts(&headers, FHIR_JSON));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/fhir+json; q=0"));
        assert!(!accepts(&headers, FHIR_JSON));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert!(!accepts(&headers, FHIR_JSON));
    }

    #[test]
    fn query_parameters() {
        let params = QueryParams::parse("blind=true&language=ro").ok().unwrap();
        assert!(params.blind);
        assert_eq!(params.language.as_deref(), Some("ro"));
        assert!(QueryParams::parse("blind=maybe").is_err());
        assert!(QueryParams::parse("text=secret").is_err());
    }
}
