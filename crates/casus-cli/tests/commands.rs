//! `casus code`, `casus batch`, `casus analyze --format fhir` and `casus serve` as a user meets them.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_path() -> String {
    root().join("corpus/dev/seed-septic-shock.txt").to_string_lossy().into_owned()
}

fn casus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casus")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("casus-commands-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn code_ranks_the_seed_codes_as_json_and_text() {
    let output = casus(&["code", &seed_path(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes = json["codes"].as_array().unwrap();
    let names: Vec<&str> = codes.iter().map(|c| c["code"].as_str().unwrap()).collect();
    for gold in ["R65.21", "M46.47", "L02.31"] {
        assert!(names[..5].contains(&gold), "{gold} in the top 5: {names:?}");
    }
    assert!(!names.contains(&"R01.1"), "the negated murmur is not coded");
    let first = &codes[0];
    assert!(first["score"].as_f64().unwrap() > 0.0 && first["score"].as_f64().unwrap() < 1.0);
    assert!(first["evidence"][0].as_array().unwrap().len() == 2);
    let text = casus(&["code", &seed_path()]);
    assert!(String::from_utf8(text.stdout).unwrap().contains("R65.21"));
    let blind = casus(&["code", &seed_path(), "--blind", "--format", "json"]);
    let blind: serde_json::Value = serde_json::from_slice(&blind.stdout).unwrap();
    assert!(!blind.to_string().contains("R65.21"), "blind: the diagnosis section is not coded");
}

#[test]
fn code_gold_reports_precision_recall_and_map() {
    let output = casus(&["code", "--gold", root().join("corpus/dev").to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["documents"], 32);
    for level in ["exact", "category"] {
        for key in ["precision", "recall", "precision_at_5", "recall_at_5", "map"] {
            let value = json[level][key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&value), "{level}.{key} = {value}");
        }
    }
    assert!(json["category"]["recall"].as_f64() >= json["exact"]["recall"].as_f64());
}

#[test]
fn analyze_prints_a_fhir_bundle() {
    let output = casus(&["analyze", &seed_path(), "--format", "fhir"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bundle: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["entry"][0]["resource"]["resourceType"], "Patient");
}

#[test]
fn batch_a_folder_with_a_bad_document_then_resume() {
    let dir = temp_dir("folder");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(seed_path(), input.join("seed.txt")).unwrap();
    std::fs::write(input.join("short.txt"), "Pacientă de 62 ani cu febră.").unwrap();
    std::fs::write(input.join("bad.txt"), b"febr\xe3").unwrap();
    std::fs::write(input.join("ignored.md"), "not a case").unwrap();
    let out = dir.join("out.jsonl");
    let run = |args: &[&str]| {
        let mut all = vec!["batch", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        casus(&all)
    };
    let first = run(&["--jobs", "2"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(stderr(&first).contains("3 documents analysed (1 errors)"), "{}", stderr(&first));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let by_id = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap_or_else(|| panic!("no record {id}"));
    assert_eq!(by_id("seed")["analysis"]["patient"]["age"]["value"], 47);
    assert_eq!(by_id("short")["analysis"]["patient"]["sex"], "female");
    assert!(by_id("bad")["error"].as_str().unwrap().contains("not valid UTF-8"));

    // A rerun with one more document analyses only that one, appending.
    std::fs::write(input.join("new.txt"), "Pacient de 30 ani cu tuse.").unwrap();
    let second = run(&[]);
    assert!(stderr(&second).contains("1 documents analysed (0 errors), 3 already in"), "{}", stderr(&second));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);

    // An interrupted last line is dropped and its document done again.
    let mut text = std::fs::read_to_string(&out).unwrap();
    let cut = text.trim_end().rfind('\n').unwrap() + 1;
    let last_id = serde_json::from_str::<serde_json::Value>(&text[cut..]).unwrap()["id"].clone();
    text.truncate(cut + 10);
    std::fs::write(&out, &text).unwrap();
    let third = run(&[]);
    assert!(stderr(&third).contains("incomplete last line"), "{}", stderr(&third));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["id"], last_id);
}

#[test]
fn batch_jsonl_to_fhir_ndjson() {
    let dir = temp_dir("jsonl");
    let input = dir.join("cases.jsonl");
    let seed = std::fs::read_to_string(seed_path()).unwrap();
    let lines = [
        serde_json::json!({ "id": "a", "text": seed }).to_string(),
        "{not json".to_owned(),
        serde_json::json!({ "id": 7, "text": "Pacient de 30 ani." }).to_string(),
        serde_json::json!({ "id": "empty", "text": "  " }).to_string(),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join("out.ndjson");
    let output = casus(&["batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", "fhir-ndjson"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records: Vec<serde_json::Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 4);
    let bundle = records.iter().find(|r| r["identifier"]["value"] == "a").unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert!(records.iter().any(|r| r["identifier"]["value"] == "7"));
    assert!(records.iter().any(|r| r["id"] == "line-2" && r["error"].as_str().unwrap().contains("not JSON")));
    assert!(records.iter().any(|r| r["id"] == "empty" && r["error"].as_str().unwrap().contains("empty")));
}

#[test]
fn batch_refuses_duplicate_ids_and_a_missing_input() {
    let dir = temp_dir("dup");
    let input = dir.join("dup.jsonl");
    std::fs::write(&input, "{\"id\":\"x\",\"text\":\"a\"}\n{\"id\":\"x\",\"text\":\"b\"}\n").unwrap();
    let output = casus(&["batch", input.to_str().unwrap(), "--out", dir.join("o").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(74));
    assert!(stderr(&output).contains("appears twice"), "{}", stderr(&output));
    let missing = casus(&["batch", dir.join("nowhere").to_str().unwrap(), "--out", dir.join("o").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(74));
}

#[cfg(unix)]
#[test]
fn serve_answers_then_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first.split("http://").nth(1).and_then(|rest| rest.split(' ').next()).unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "a clean shutdown on SIGTERM");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}
