//! `casus`: the command line of the casus engine.

mod batch;

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use casus::{Engine, Error, Language, Options};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes (sysexits.h): usage errors are clap's 2.
const EXIT_DATA: u8 = 65;
const EXIT_IO: u8 = 74;
const EXIT_SOFTWARE: u8 = 70;
/// `casus eval --floors`: a score fell under its committed floor.
const EXIT_FLOOR: u8 = 1;

/// mimalloc serves the many small, short-lived allocations of an analysis (spans, ids, codes)
/// in fewer instructions than the system allocator, and without contention between the threads
/// of `serve` and `batch`; measured in BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "casus",
    version,
    about = "Reads clinical case reports (Romanian first) into a structured, coded, explainable analysis.",
    after_help = "Example:\n  casus analyze corpus/dev/seed-septic-shock.txt --format json\n  cat report.txt | casus analyze - --blind\n\nExit codes: 0 ok, 1 a score under its floor (eval), 2 usage, 65 bad input (empty, not UTF-8, NUL bytes, too large), 74 I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse one case report and print the analysis.
    #[command(
        after_help = "Examples:\n  casus analyze corpus/dev/seed-septic-shock.txt --format json > seed.json\n  casus analyze corpus/dev/seed-septic-shock.txt --format html > seed.html   (opens in any browser, offline)"
    )]
    Analyze {
        /// The case report, UTF-8 text; `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// `text`: a readable summary; `json`: the analysis contract (schema 1); `fhir`: a FHIR R4
        /// (4.0.1) Bundle of type collection.
        #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
        format: AnalyzeFormat,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Rank every ICD-10-CM code the document supports (CodiEsp-D style), or score the ranking
    /// against gold final diagnoses (--gold).
    #[command(
        after_help = "Examples:\n  casus code corpus/dev/seed-septic-shock.txt\n  casus code report.txt --format json\n  casus code --gold corpus/dev\n\nJSON: {\"codes\": [{\"code\": \"A41.51\", \"score\": 0.93, \"label\": …, \"evidence\": [[s, e], …], \"sources\": […]}, …]}\nStated diagnoses rank first, then asserted disorders and signs; spans in code points."
    )]
    Code {
        /// The case report, UTF-8 text; `-` or nothing reads standard input.
        #[arg(conflicts_with = "gold")]
        file: Option<PathBuf>,
        /// `text`: a table; `json`: `{"codes": [...]}`.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Score the ranking against the final diagnoses (`*.dx.json`) of a gold directory.
        #[arg(long, value_name = "DIR")]
        gold: Option<PathBuf>,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Analyse a folder of .txt files or a JSONL of {id, text} in parallel, one record per line.
    #[command(
        after_help = "Examples:\n  casus batch corpus/dev --out dev.jsonl\n  casus batch cases.jsonl --out cases.ndjson --format fhir-ndjson --jobs 2\n\nA bad document gives {\"id\", \"error\"} and the run goes on. The output is appended to: ids already\nin it are skipped, so rerunning finishes an interrupted run. Records come in completion order."
    )]
    Batch {
        /// A folder of `.txt` files (id = file name without .txt) or a JSONL file of {"id", "text"}.
        input: PathBuf,
        /// The output file (created, or appended to).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// `jsonl`: {"id", "analysis"} per line; `fhir-ndjson`: a FHIR Bundle per line.
        #[arg(long, value_enum, default_value_t = batch::BatchFormat::Jsonl)]
        format: batch::BatchFormat,
        /// Worker threads (default: one per core).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        #[command(flatten)]
        document: DocumentArgs,
    },
    /// Serve the HTTP API (JSON contract, FHIR R4, codes, metrics) and the web viewer.
    #[command(
        after_help = "Examples:\n  casus serve\n  casus serve --addr 0.0.0.0:8080 --concurrency 4\n  curl -s --data-binary @corpus/dev/seed-septic-shock.txt -H 'Content-Type: text/plain' localhost:8080/v1/analyze\n\nThe viewer is at /, the API description at /openapi.json. SIGTERM or Ctrl-C stops after the requests in flight."
    )]
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The largest request body (and document), in bytes.
        #[arg(long, default_value_t = casus::text::validate::DEFAULT_MAX_BYTES)]
        max_bytes: usize,
        /// The longest one analysis may take, waiting included, in milliseconds (then 503).
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// How many analyses run at once (default: one per core, plus one); the rest wait.
        #[arg(long, value_name = "N")]
        concurrency: Option<usize>,
        /// Log one line per request to stderr: method, route, status, latency (never the text).
        #[arg(long)]
        access_log: bool,
        /// A directory of knowledge laid over the built-in one (see data/README.md).
        #[arg(long, value_name = "DIR")]
        knowledge: Option<PathBuf>,
    },
    /// Score casus against gold cases or SiMoNERo, with 95 % Wilson intervals.
    #[command(
        after_help = "Examples:\n  casus eval --gold corpus/dev\n  casus eval --gold corpus/test --floors corpus/floors.json\n  casus eval --simonero ../shared/benchmarks/simonero/ro_simonero-ud-dev.conllu\n\nWith --floors, exits 1 when a score is under its committed floor."
    )]
    Eval {
        #[command(flatten)]
        target: EvalTarget,
        /// `text`: a table; `json`: every score with its counts and interval.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// A floors file (corpus/floors.json): fail when a score of this split is under its floor.
        /// The split is the gold directory's name (dev, test).
        #[arg(long, value_name = "FILE", requires = "gold")]
        floors: Option<PathBuf>,
        /// A directory of knowledge laid over the built-in one (see data/README.md).
        #[arg(long, value_name = "DIR")]
        knowledge: Option<PathBuf>,
        /// Rewrite this split's floors in the --floors file with the scores just measured
        /// (rounded down). Part of every improvement; review the diff before committing.
        #[arg(long, requires = "floors")]
        update_floors: bool,
    },
}

/// What `casus eval` measures against.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct EvalTarget {
    /// A gold directory of cases (`<name>.txt`, `.ann`, `.dx.json`), e.g. corpus/dev.
    #[arg(long, value_name = "DIR")]
    gold: Option<PathBuf>,
    /// A SiMoNERo CoNLL-U file (Romanian medical NER), scored by overlap with its type map.
    #[arg(long, value_name = "FILE.conllu")]
    simonero: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    Text,
    Json,
    Fhir,
    /// One self-contained HTML page: the viewer with this analysis drawn, no server needed.
    Html,
}

/// How each document is read: the options every analysing command shares.
#[derive(clap::Args)]
struct DocumentArgs {
    /// The document's language (ISO 639-1).
    #[arg(long, default_value = "ro", value_parser = parse_language)]
    lang: Language,
    /// Hide the text's own diagnosis sections from the whole analysis.
    #[arg(long)]
    blind: bool,
    /// Refuse documents larger than this many bytes.
    #[arg(long, default_value_t = casus::text::validate::DEFAULT_MAX_BYTES)]
    max_bytes: usize,
    /// A directory of knowledge laid over the built-in one (see data/README.md).
    #[arg(long, value_name = "DIR")]
    knowledge: Option<PathBuf>,
}

impl DocumentArgs {
    fn options(&self) -> Options {
        Options { language: self.lang, blind: self.blind, max_bytes: self.max_bytes }
    }
}

fn parse_language(code: &str) -> Result<Language, String> {
    Language::from_code(code).ok_or_else(|| format!("casus reads only Romanian (ro) yet, not {code:?}"))
}

/// A failure, with the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("casus: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Analyze { file, format, document } => {
            let options = document.options();
            let (name, bytes) = read_input(file.as_deref(), options.max_bytes)?;
            let engine = engine(document.knowledge.as_deref())?;
            let analysis = analyze(&engine, &name, &bytes, &options)?;
            let rendered = match format {
                AnalyzeFormat::Json => casus::export::to_json(&analysis) + "\n",
                AnalyzeFormat::Fhir => json(&casus::export::fhir::to_bundle(&analysis)),
                AnalyzeFormat::Text => {
                    // Valid UTF-8 by now: analyze_bytes checked it.
                    let text = std::str::from_utf8(&bytes).unwrap_or_default();
                    casus::export::text::render(&analysis, text)
                }
                AnalyzeFormat::Html => {
                    let text = std::str::from_utf8(&bytes).unwrap_or_default();
                    casus_server::report(text, &analysis, &casus::reason::codes::rank(&analysis))
                }
            };
            write_stdout(&rendered)
        }
        Command::Code { file, format, gold, document } => {
            let engine = engine(document.knowledge.as_deref())?;
            if let Some(dir) = gold {
                let cases =
                    casus::eval::load_dir(&dir).map_err(|err| Failure { code: EXIT_DATA, message: err.to_string() })?;
                let evaluation = casus::reason::codes::evaluate(&engine, &cases);
                return write_stdout(&match format {
                    Format::Json => json(&evaluation),
                    Format::Text => evaluation.to_text(),
                });
            }
            let options = document.options();
            let (name, bytes) = read_input(file.as_deref(), options.max_bytes)?;
            let analysis = analyze(&engine, &name, &bytes, &options)?;
            let codes = casus::reason::codes::rank(&analysis);
            write_stdout(&match format {
                Format::Json => json(&codes),
                Format::Text => codes_text(&codes),
            })
        }
        Command::Batch { input, out, format, jobs, document } => {
            let engine = engine(document.knowledge.as_deref())?;
            let summary = batch::run(&engine, &input, &out, format, jobs, &document.options())
                .map_err(|message| Failure { code: EXIT_IO, message })?;
            let rate = if summary.seconds > 0.0 { summary.documents as f64 / summary.seconds } else { 0.0 };
            eprintln!(
                "casus: batch: {} documents analysed ({} errors), {} already in {} skipped; {:.2} s, {:.0} documents/s",
                summary.documents,
                summary.errors,
                summary.skipped,
                out.display(),
                summary.seconds,
                rate
            );
            Ok(())
        }
        Command::Serve { addr, max_bytes, timeout_ms, concurrency, access_log, knowledge } => {
            let engine = engine(knowledge.as_deref())?;
            let defaults = casus_server::Config::default();
            let config = casus_server::Config {
                addr,
                max_body_bytes: max_bytes,
                timeout: std::time::Duration::from_millis(timeout_ms),
                concurrency: concurrency.unwrap_or(defaults.concurrency).max(1),
                access_log,
                ..defaults
            };
            casus_server::run(engine, config).map_err(|err| Failure {
                code: match err {
                    casus_server::ServeError::Bind { .. } => EXIT_IO,
                    _ => EXIT_SOFTWARE,
                },
                message: err.to_string(),
            })
        }
        Command::Eval { target, format, floors, update_floors, knowledge } => {
            let engine = engine(knowledge.as_deref())?;
            if let Some(path) = target.simonero {
                let sentences = casus::eval::simonero::load(&path)
                    .map_err(|err| Failure { code: EXIT_DATA, message: err.to_string() })?;
                let report = casus::eval::simonero::evaluate(&engine, &sentences);
                return write_stdout(&match format {
                    Format::Json => json(&report),
                    Format::Text => report.to_text(),
                });
            }
            let dir = target.gold.expect("clap requires --gold or --simonero");
            let cases =
                casus::eval::load_dir(&dir).map_err(|err| Failure { code: EXIT_DATA, message: err.to_string() })?;
            let report = casus::eval::evaluate(&engine, &cases);
            write_stdout(&match format {
                Format::Json => json(&report),
                Format::Text => report.to_text(),
            })?;
            let Some(floors_path) = floors else { return Ok(()) };
            let text = std::fs::read_to_string(&floors_path).map_err(|err| Failure {
                code: EXIT_IO,
                message: format!("cannot read {}: {}", floors_path.display(), io_reason(&err)),
            })?;
            let floors = casus::eval::floors::parse(&text)
                .map_err(|err| Failure { code: EXIT_DATA, message: format!("{}: {err}", floors_path.display()) })?;
            let split = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if update_floors {
                let mut floors = floors;
                casus::eval::floors::update(&report, &split, &mut floors);
                let text = serde_json::to_string_pretty(&floors).expect("floors serialize") + "\n";
                return std::fs::write(&floors_path, text).map_err(|err| Failure {
                    code: EXIT_IO,
                    message: format!("cannot write {}: {}", floors_path.display(), io_reason(&err)),
                });
            }
            let violations = casus::eval::floors::check(&report, &split, &floors);
            if violations.is_empty() {
                return Ok(());
            }
            for violation in &violations {
                eprintln!("casus: floor: {violation}");
            }
            Err(Failure { code: EXIT_FLOOR, message: format!("{} score(s) under their floor", violations.len()) })
        }
    }
}

fn analyze(engine: &Engine, name: &str, bytes: &[u8], options: &Options) -> Result<casus::Analysis, Failure> {
    engine.analyze_bytes(bytes, options).map_err(|err| match err {
        Error::Input(input) => Failure { code: EXIT_DATA, message: format!("{name}: {input}") },
        other => Failure { code: EXIT_SOFTWARE, message: other.to_string() },
    })
}

/// The ranked codes as a table: rank, code, score, label, evidence spans.
fn codes_text(list: &casus::reason::codes::CodeList) -> String {
    if list.codes.is_empty() {
        return "no ICD-10-CM code found\n".to_owned();
    }
    let mut out = String::new();
    for (rank, code) in list.codes.iter().enumerate() {
        let evidence: Vec<String> = code.evidence.iter().map(|s| format!("[{}, {})", s.start, s.end)).collect();
        out.push_str(&format!(
            "{:>3}  {:<8} {:.3}  {}  ({}; {})\n",
            rank + 1,
            code.code,
            code.score,
            code.label,
            code.sources.join(", "),
            evidence.join(" ")
        ));
    }
    out
}

/// The engine, with the user's knowledge laid over the built-in one when they give a directory.
fn engine(knowledge: Option<&std::path::Path>) -> Result<Engine, Failure> {
    match knowledge {
        None => Engine::new().map_err(|err| Failure { code: EXIT_SOFTWARE, message: err.to_string() }),
        Some(dir) => Engine::with_knowledge_dir(dir)
            .map_err(|err| Failure { code: EXIT_DATA, message: format!("--knowledge {}: {err}", dir.display()) }),
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("reports serialize") + "\n"
}

/// Reads the input, at most `max_bytes + 1` bytes so that an oversized input is refused without
/// being read whole.
fn read_input(file: Option<&std::path::Path>, max_bytes: usize) -> Result<(String, Vec<u8>), Failure> {
    let limit = max_bytes as u64 + 1;
    let mut bytes = Vec::new();
    let name = match file {
        None => "<stdin>".to_owned(),
        Some(path) if path.as_os_str() == "-" => "<stdin>".to_owned(),
        Some(path) => path.display().to_string(),
    };
    let result = match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
        }
        _ => io::stdin().lock().take(limit).read_to_end(&mut bytes),
    };
    result.map_err(|err| Failure { code: EXIT_IO, message: format!("cannot read {name}: {}", io_reason(&err)) })?;
    if bytes.len() > max_bytes {
        let err = casus::InputError::TooLarge { size: bytes.len(), limit: max_bytes };
        return Err(Failure {
            code: EXIT_DATA,
            message: format!("{name}: {err} (at least {} bytes read)", bytes.len()),
        });
    }
    Ok((name, bytes))
}

fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => err.to_string(),
    }
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`casus analyze … | head`) is not an error of ours.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(Failure { code: EXIT_IO, message: format!("cannot write output: {err}") }),
    }
}
