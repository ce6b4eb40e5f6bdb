//! The web viewer: one page, its stylesheet and script, all embedded in the binary; and the same
//! page as a self-contained report of one analysis (`casus analyze --format html`).

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/viewer.js");
const STYLE: &str = include_str!("assets/viewer.css");

/// The page forbids everything it does not load from this server (no CDN, no inline script).
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";

pub async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, CSP)], INDEX)
        .into_response()
}

pub async fn asset(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "viewer.js" => ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response(),
        "viewer.css" => ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response(),
        _ => crate::api::not_found().await,
    }
}

/// One analysed document as a single HTML file that opens anywhere without a server: the
/// viewer's page with its stylesheet and script inlined and the document, its analysis and its
/// ranked codes embedded as JSON, which the script draws instead of asking a server. The input
/// area and the blind switch are hidden (a report cannot analyse again); the language switch
/// works.
pub fn report(text: &str, analysis: &casus::Analysis, codes: &casus::reason::codes::CodeList) -> String {
    let data = serde_json::json!({ "text": text, "analysis": analysis, "codes": codes.codes });
    // Inside <script> only "</" could end the element early; "\u003c" is the same JSON string.
    let data = data.to_string().replace('<', "\\u003c");
    INDEX
        .replace(r#"<link rel="stylesheet" href="/assets/viewer.css">"#, &format!("<style>\n{}</style>", STYLE))
        .replace(
            r#"<script src="/assets/viewer.js" defer></script>"#,
            &format!(
                "<script type=\"application/json\" id=\"casus-report\">{data}</script>\n<script>\n{}</script>",
                SCRIPT
            ),
        )
}
