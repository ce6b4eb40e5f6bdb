//! `casus batch`: many documents, in parallel, one record per line, resumable.
//!
//! Input is a folder of `.txt` files (the id is the file stem) or a JSONL file of `{id, text}`.
//! Each document gives one line of output: `{"id", "analysis"}` (jsonl) or a FHIR Bundle whose
//! `identifier.value` is the id (fhir-ndjson); a document that cannot be read or analysed gives
//! `{"id", "error"}` and the run goes on. The output is opened for appending: ids already in it
//! are skipped, so an interrupted run is finished by running it again. Lines come in completion
//! order, not input order.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use casus::{Engine, Options};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde_json::{json, Value};

/// The identifier system of a batch id in a FHIR Bundle.
pub const BATCH_ID_SYSTEM: &str = "https://example.invalid/casus/fhir/batch-id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BatchFormat {
    /// One `{"id", "analysis"}` per line.
    Jsonl,
    /// One FHIR R4 Bundle per line, its id in `identifier.value`.
    FhirNdjson,
}

/// One document to analyse: its id and where its text is.
enum Source {
    File(PathBuf),
    Text(String),
    /// A JSONL line that is not a valid `{id, text}`.
    Bad(String),
}

/// What a run did.
pub struct Summary {
    pub documents: usize,
    pub skipped: usize,
    pub errors: usize,
    pub seconds: f64,
}

/// Runs a batch. Errors here are the run's own (unreadable input, unwritable output); a bad
/// document is a record, not an error.
pub fn run(
    engine: &Engine,
    input: &Path,
    out: &Path,
    format: BatchFormat,
    jobs: Option<usize>,
    options: &Options,
) -> Result<Summary, String> {
    let documents = list(input)?;
    let done = done_ids(out, format)?;
    let total = documents.len();
    let todo: Vec<(String, Source)> = documents.into_iter().filter(|(id, _)| !done.contains(id)).collect();
    let skipped = total - todo.len();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(|err| format!("cannot open {} for appending: {err}", out.display()))?;
    let writer = Mutex::new(BufWriter::new(file));
    let progress = ProgressBar::with_draw_target(Some(todo.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}, eta {eta}").expect("a valid template"),
    );
    let errors = std::sync::atomic::AtomicUsize::new(0);
    let write_failure: Mutex<Option<String>> = Mutex::new(None);
    let started = Instant::now();
    let work = || {
        todo.par_iter().for_each(|(id, source)| {
            let line = match record(engine, id, source, format, options) {
                Ok(line) => line,
                Err(message) => {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    json!({ "id": id, "error": message }).to_string().into_bytes()
                }
            };
            let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(err) = writer.write_all(&line).and_then(|()| writer.write_all(b"\n")) {
                write_failure.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(err.to_string());
            }
            drop(writer);
            progress.inc(1);
        })
    };
    match jobs {
        Some(jobs) => rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build()
            .map_err(|err| format!("cannot start {jobs} threads: {err}"))?
            .install(work),
        None => work(),
    }
    progress.finish_and_clear();
    writer
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .flush()
        .map_err(|err| format!("cannot write {}: {err}", out.display()))?;
    if let Some(err) = write_failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(format!("cannot write {}: {err}", out.display()));
    }
    Ok(Summary {
        documents: todo.len(),
        skipped,
        errors: errors.into_inner(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The line of one document, without its line end.
fn record(
    engine: &Engine,
    id: &str,
    source: &Source,
    format: BatchFormat,
    options: &Options,
) -> Result<Vec<u8>, String> {
    let bytes = match source {
        Source::File(path) => {
            let mut bytes = Vec::new();
            File::open(path)
                .and_then(|f| f.take(options.max_bytes as u64 + 1).read_to_end(&mut bytes))
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            bytes
        }
        Source::Text(text) => text.clone().into_bytes(),
        Source::Bad(message) => return Err(message.clone()),
    };
    let analysis = engine.analyze_bytes(&bytes, options).map_err(|err| err.to_string())?;
    Ok(match format {
        // Written directly rather than through a `Value`: the analysis is most of the line and
        // converting it to a tree first costs as much as analysing it.
        BatchFormat::Jsonl => {
            let mut line = Vec::with_capacity(casus::export::compact_json_capacity(bytes.len()));
            line.extend_from_slice(b"{\"id\":");
            serde_json::to_writer(&mut line, id).expect("a string serializes");
            line.extend_from_slice(b",\"analysis\":");
            casus::export::write_compact_json(&analysis, &mut line);
            line.push(b'}');
            line
        }
        BatchFormat::FhirNdjson => {
            let mut bundle = casus::export::fhir::to_bundle(&analysis);
            bundle["identifier"] = json!({ "system": BATCH_ID_SYSTEM, "value": id });
            bundle.to_string().into_bytes()
        }
    })
}

/// The documents of a folder (`*.txt`, by name) or of a JSONL file (by line).
fn list(input: &Path) -> Result<Vec<(String, Source)>, String> {
    let meta = std::fs::metadata(input).map_err(|err| format!("cannot read {}: {err}", input.display()))?;
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(input)
            .map_err(|err| format!("cannot list {}: {err}", input.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt") && path.is_file())
            .collect();
        files.sort();
        return Ok(files
            .into_iter()
            .map(|path| {
                let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                (id, Source::File(path))
            })
            .collect());
    }
    let file = File::open(input).map_err(|err| format!("cannot read {}: {err}", input.display()))?;
    let mut documents = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|err| format!("{}:{number}: cannot read: {err}", input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let (id, source) = match serde_json::from_str::<Value>(&line) {
            Err(err) => (format!("line-{number}"), Source::Bad(format!("line {number} is not JSON: {err}"))),
            Ok(value) => {
                let id = match &value["id"] {
                    Value::String(id) => Some(id.clone()),
                    Value::Number(id) => Some(id.to_string()),
                    _ => None,
                };
                match (id, value["text"].as_str()) {
                    (Some(id), Some(text)) => (id, Source::Text(text.to_owned())),
                    (Some(id), None) => (id, Source::Bad(format!("line {number}: no \"text\" string"))),
                    (None, _) => {
                        (format!("line-{number}"), Source::Bad(format!("line {number}: no \"id\" string or number")))
                    }
                }
            }
        };
        if !seen.insert(id.clone()) {
            return Err(format!("{}:{number}: id {id:?} appears twice; ids must be unique", input.display()));
        }
        documents.push((id, source));
    }
    Ok(documents)
}

/// The ids already written to `out`. A last line cut short by an interrupted run is removed, so
/// that appending starts on a fresh line.
fn done_ids(out: &Path, format: BatchFormat) -> Result<BTreeSet<String>, String> {
    let mut ids = BTreeSet::new();
    let mut file = match OpenOptions::new().read(true).write(true).open(out) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
        Err(err) => return Err(format!("cannot read {}: {err}", out.display())),
    };
    let mut content = Vec::new();
    file.read_to_end(&mut content).map_err(|err| format!("cannot read {}: {err}", out.display()))?;
    let complete = content.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete < content.len() {
        eprintln!("casus: batch: dropping an incomplete last line of {} (an interrupted run)", out.display());
        file.set_len(complete as u64).map_err(|err| format!("cannot truncate {}: {err}", out.display()))?;
        file.seek(SeekFrom::End(0)).map_err(|err| format!("cannot seek {}: {err}", out.display()))?;
    }
    for (index, line) in content[..complete].split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: Value = serde_json::from_slice(line).map_err(|err| {
            format!("{}:{}: not a batch record ({err}); write to a new file", out.display(), index + 1)
        })?;
        let id = match format {
            BatchFormat::FhirNdjson if value.get("identifier").is_some() => &value["identifier"]["value"],
            _ => &value["id"],
        };
        match id.as_str() {
            Some(id) => ids.insert(id.to_owned()),
            None => return Err(format!("{}:{}: a record without an id", out.display(), index + 1)),
        };
    }
    Ok(ids)
}
