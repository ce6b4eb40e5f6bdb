//! The HTTP API over a real socket (127.0.0.1:0), with a plain HTTP/1.1 client written on
//! `std::net::TcpStream` so that the client shares no code with the server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;

const SEED: &str = include_str!("../../../corpus/dev/seed-septic-shock.txt");
/// A small body limit, so that the 413 test need not send a megabyte.
const LIMIT: usize = 64 * 1024;

/// One server for all tests of this file, on its own runtime thread.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let engine = Arc::new(casus::Engine::new().expect("engine"));
        let config = casus_server::Config { max_body_bytes: LIMIT, ..casus_server::Config::default() };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                casus_server::serve(listener, casus_server::app(engine, config), std::future::pending()).await.unwrap();
            });
        });
        rx.recv().unwrap()
    })
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!("not JSON ({err}): {}", String::from_utf8_lossy(&self.body));
        })
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(server()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading the whole body and close; that is not an error.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 4 + size..];
    }
}

fn post(path: &str, content_type: &str, body: &[u8]) -> Reply {
    request("POST", path, &[("Content-Type", content_type)], body)
}

fn assert_problem(reply: &Reply, status: u16, detail_contains: &str) {
    assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.header("content-type"), Some("application/problem+json"));
    let problem = reply.json();
    assert_eq!(problem["status"], status);
    assert!(problem["type"].as_str().unwrap().starts_with("https://"), "{problem}");
    assert!(!problem["title"].as_str().unwrap().is_empty());
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(detail_contains), "detail {detail:?} lacks {detail_contains:?}");
}

#[test]
fn analyze_plain_text_gives_the_contract() {
    let reply = post("/v1/analyze", "text/plain; charset=utf-8", SEED.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let analysis = reply.json();
    assert_eq!(analysis["schema"], 1);
    assert_eq!(analysis["patient"]["age"]["value"], 47);
    assert_eq!(analysis["patient"]["sex"], "male");
    assert_eq!(analysis["blind"], false);
    // The server's answer is the library's answer, byte for byte once parsed.
    let engine = casus::Engine::new().unwrap();
    let expected = engine.analyze(SEED, &casus::Options { max_bytes: LIMIT, ..casus::Options::default() }).unwrap();
    assert_eq!(analysis, serde_json::to_value(&expected).unwrap());
}

#[test]
fn analyze_json_body_with_blind() {
    let body = serde_json::json!({ "text": SEED, "language": "ro", "blind": true }).to_string();
    let reply = post("/v1/analyze", "application/json", body.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    let analysis = reply.json();
    assert_eq!(analysis["blind"], true);
    let diagnosis_sections =
        analysis["sections"].as_array().unwrap().iter().filter(|s| s["kind"] == "diagnosis").count();
    assert_eq!(diagnosis_sections, 0, "blind hides the diagnosis section");
    // The same with the query parameter and a plain body.
    let plain = post("/v1/analyze?blind=true", "text/plain", SEED.as_bytes());
    assert_eq!(plain.json(), analysis);
}

#[test]
fn fhir_accept_gives_a_bundle() {
    let reply = request(
        "POST",
        "/v1/analyze",
        &[("Content-Type", "text/plain"), ("Accept", "application/fhir+json")],
        SEED.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/fhir+json"));
    let bundle = reply.json();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    let patient = &entries[0]["resource"];
    assert_eq!(patient["resourceType"], "Patient");
    assert_eq!(patient["gender"], "male");
    let heart_rate = entries
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["code"]["coding"][0]["code"] == "8867-4")
        .expect("the heart rate observation");
    assert_eq!(heart_rate["valueQuantity"]["value"], 109.0);
}

#[test]
fn code_endpoint_ranks_codes() {
    let reply = post("/v1/code", "text/plain", SEED.as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.text());
    let codes = reply.json()["codes"].as_array().unwrap().clone();
    let names: Vec<&str> = codes.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(names.contains(&"R65.21"), "{names:?}");
    let scores: Vec<f64> = codes.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ranked by score: {scores:?}");
}

#[test]
fn body_over_the_limit_is_413() {
    let big = "febră ".repeat(LIMIT / 6 + 10);
    assert!(big.len() > LIMIT);
    let reply = post("/v1/analyze", "text/plain", big.as_bytes());
    assert_problem(&reply, 413, "over the limit of 65536 bytes");
}

#[test]
fn bad_input_is_a_problem() {
    assert_problem(&post("/v1/analyze", "text/plain", b"   \n "), 422, "empty");
    assert_problem(&post("/v1/analyze", "application/json", br#"{"text": ""}"#), 422, "empty");
    assert_problem(&post("/v1/analyze", "text/plain", b"febr\xe3 39"), 422, "not valid UTF-8");
    assert_problem(&post("/v1/analyze", "application/json", b"{\"text\": "), 400, "not a valid request");
    assert_problem(&post("/v1/analyze", "application/json", br#"{"txt": "febra"}"#), 400, "unknown field");
    assert_problem(&post("/v1/analyze", "application/json", br#"{"text": "febra", "language": "xx"}"#), 422, "xx");
    assert_problem(&post("/v1/analyze", "application/xml", b"<a/>"), 415, "text/plain");
    assert_problem(&post("/v1/analyze?colour=red", "text/plain", b"febra"), 400, "colour");
    assert_problem(&request("GET", "/v1/analyze", &[], b""), 405, "method");
    assert_problem(&request("GET", "/nowhere", &[], b""), 404, "openapi");
}

#[test]
fn health_version_openapi() {
    let health = request("GET", "/health", &[], b"");
    assert_eq!((health.status, health.json()["status"].as_str()), (200, Some("ok")));
    let version = request("GET", "/v1/version", &[], b"").json();
    assert_eq!(version["schema"], 1);
    assert_eq!(version["fhir"], "4.0.1");
    let openapi = request("GET", "/openapi.json", &[], b"").json();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/v1/analyze", "/v1/code", "/health", "/v1/version", "/metrics"] {
        assert!(openapi["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
}

#[test]
fn metrics_count_requests_and_documents() {
    post("/v1/analyze", "text/plain", "Pacientă de 30 ani cu febră.".as_bytes());
    post("/v1/analyze", "text/plain", b"");
    let text = request("GET", "/metrics", &[], b"").text();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(value("casus_http_requests_total{route=\"/v1/analyze\",method=\"POST\",status=\"200\"}") >= 1.0);
    assert!(value("casus_http_requests_total{route=\"/v1/analyze\",method=\"POST\",status=\"422\"}") >= 1.0);
    assert!(value("casus_http_request_duration_seconds_count{route=\"/v1/analyze\"}") >= 2.0);
    assert!(value("casus_documents_analysed_total") >= 1.0);
    assert!(value("casus_documents_rejected_total") >= 1.0);
}

#[test]
fn viewer_and_its_assets_are_served() {
    let page = request("GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("/assets/viewer.js") && html.contains("/assets/viewer.css"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no external asset");
    for asset in ["/assets/viewer.js", "/assets/viewer.css"] {
        let reply = request("GET", asset, &[], b"");
        assert_eq!(reply.status, 200, "{asset}");
        assert!(!reply.body.is_empty());
    }
    assert_eq!(request("GET", "/assets/missing.js", &[], b"").status, 404);
}

#[test]
fn a_slow_analysis_is_a_503_problem() {
    // A server of its own with a time limit no analysis can meet.
    let engine = Arc::new(casus::Engine::new().unwrap());
    let config = casus_server::Config { timeout: Duration::from_nanos(1), ..casus_server::Config::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = runtime.spawn(casus_server::serve(listener, casus_server::app(engine, config), async {
        let _ = stopped.await;
    }));
    // Long enough (≈ 100 KB) that no build analyses it within the timer's first tick.
    let long = SEED.repeat(40);
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /v1/analyze HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        long.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(long.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let reply = parse(&raw);
    assert_problem(&reply, 503, "did not finish within");
    assert_eq!(reply.header("retry-after"), Some("1"));
    // Graceful shutdown: the serve future ends once told to stop.
    stop.send(()).unwrap();
    runtime.block_on(handle).unwrap().unwrap();
}
