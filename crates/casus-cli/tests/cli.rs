//! The `casus` binary as a user meets it: output, errors and exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_path() -> PathBuf {
    root().join("corpus/dev/seed-septic-shock.txt")
}

fn casus(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn analyzes_the_seed_as_json_that_matches_the_schema() {
    let output = casus(&["analyze", seed_path().to_str().unwrap(), "--format", "json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["patient"]["age"]["value"], 47);
    assert_eq!(json["patient"]["sex"], "male");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/analysis.v1.schema.json")).unwrap())
            .unwrap();
    assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&json));
}

#[test]
fn the_text_summary_names_patient_and_sections() {
    let output = casus(&["analyze", seed_path().to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("47 years"), "{text}");
    assert!(text.contains("male"));
    assert!(text.contains("Examen complementar"));
    assert!(text.contains("25 sentences"));
}

#[test]
fn reads_standard_input_with_a_dash_or_nothing() {
    let seed = std::fs::read(seed_path()).unwrap();
    for args in [&["analyze", "-", "--format", "json"][..], &["analyze", "--format", "json"][..]] {
        let output = casus(args, Some(&seed));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["patient"]["age"]["value"], 47);
    }
}

#[test]
fn blind_hides_the_diagnosis_section() {
    let output = casus(&["analyze", seed_path().to_str().unwrap(), "--format", "json", "--blind"], None);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["blind"], true);
    assert!(json["sections"].as_array().unwrap().iter().all(|s| s["kind"] != "diagnosis"));
}

#[test]
fn bad_input_gets_one_line_and_exit_65() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("latin2.txt", b"Pacient\xBA", "offset 7"),
        ("nul.txt", b"Pacient\0de 40 ani", "NUL byte at offset 7"),
    ];
    for &(name, bytes, says) in cases {
        let path = temp_file(name, bytes);
        let output = casus(&["analyze", path.to_str().unwrap()], None);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(65), "{name}: {message}");
        assert!(message.contains(says), "{name}: {message}");
        assert_eq!(message.trim_end().lines().count(), 1, "{name}: one line, got {message}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn input_over_the_size_limit_is_refused() {
    let path = temp_file("big.txt", "Pacient de 40 de ani. ".repeat(10).as_bytes());
    let output = casus(&["analyze", path.to_str().unwrap(), "--max-bytes", "100"], None);
    assert_eq!(output.status.code(), Some(65));
    assert!(stderr(&output).contains("over the limit of 100 bytes"), "{}", stderr(&output));
}

#[test]
fn a_missing_file_is_an_io_error() {
    let output = casus(&["analyze", "/nonexistent/case.txt"], None);
    assert_eq!(output.status.code(), Some(74));
    assert!(stderr(&output).contains("cannot read /nonexistent/case.txt: no such file"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(casus(&["analyze", "--format", "xml"], None).status.code(), Some(2));
    let output = casus(&["analyze", "--lang", "de"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("only Romanian"));
}

#[test]
fn help_shows_an_example() {
    let output = casus(&["analyze", "--help"], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Examples:"));
}

#[test]
fn knowledge_dir_adds_and_overrides_concepts_without_a_rebuild() {
    let dir = std::env::temp_dir().join(format!("casus-knowledge-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("concepts")).unwrap();
    std::fs::write(
        dir.join("concepts/local.tsv"),
        "id\ttype\tlabel\tcodes\tro\tro_abbr\tparent\tsource\n\
         zetaxian_disease\tdisorder\tZetaxian disease\t\tboală zetaxiană\t\t\tlocal test\n\
         septic_shock\tdisorder\tSeptic shock (local label)\ticd10cm:R65.21\tșoc septic\t\t\tlocal test\n",
    )
    .unwrap();
    let case = temp_file("local.txt", "Pacient de 50 de ani cu boala zetaxiană și șoc septic.".as_bytes());
    let output =
        casus(&["analyze", case.to_str().unwrap(), "--format", "json", "--knowledge", dir.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let labels: Vec<&str> =
        json["entities"].as_array().unwrap().iter().map(|e| e["concept"]["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"Zetaxian disease"), "{labels:?}");
    assert!(labels.contains(&"Septic shock (local label)"), "{labels:?}");

    // Without the directory, the built-in knowledge knows neither.
    let plain = casus(&["analyze", case.to_str().unwrap(), "--format", "json"], None);
    let json: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(json["entities"].as_array().unwrap().iter().all(|e| e["concept"]["label"] != "Zetaxian disease"));
}

#[test]
fn a_bad_knowledge_file_is_named_with_its_line() {
    let dir = std::env::temp_dir().join(format!("casus-bad-knowledge-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("concepts")).unwrap();
    std::fs::write(
        dir.join("concepts/bad.tsv"),
        "id\ttype\tlabel\tcodes\tro\tro_abbr\tparent\tsource\nx\tweird_type\tX\t\tx\t\t\t\n",
    )
    .unwrap();
    let output = casus(&["analyze", seed_path().to_str().unwrap(), "--knowledge", dir.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(65));
    let message = stderr(&output);
    assert!(message.contains("bad.tsv:2") && message.contains("weird_type"), "{message}");
}

#[test]
fn an_html_report_is_one_self_contained_page_with_its_analysis_embedded() {
    let text = "Pacient de 50 de ani cu febră de 3 zile. Nota </script><b>nu e cod</b>.";
    let output = casus(&["analyze", "-", "--format", "html"], Some(text.as_bytes()));
    assert!(output.status.success(), "{}", stderr(&output));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(!page.contains("/assets/"), "every asset is inlined: the page needs no server");
    let open = r#"<script type="application/json" id="casus-report">"#;
    let start = page.find(open).unwrap() + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(data["text"], text, "the text survives embedding whole, markup and all");
    assert_eq!(data["analysis"]["patient"]["age"]["value"], 50);
    assert!(data["codes"].is_array());
}
