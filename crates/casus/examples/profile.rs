//! Runs one part of the pipeline over `corpus/dev` many times, for profilers (callgrind, perf):
//! `views` builds the matching views, `tokens` the views and tokens, `text` the text layer,
//! `annotators` the annotators over documents that already have it (`concepts` the concept
//! matcher alone), `analyze` the whole analysis (pipeline, contract, reasoning) of each text.
//! It prints the time of its fastest and its median round: on a shared machine, compare two
//! builds by running them in turn.
//!
//! `cargo build --release -p casus --example profile`
//! `valgrind --tool=callgrind target/release/examples/profile annotators 30`

fn main() {
    let mut args = std::env::args().skip(1);
    let part = args.next().unwrap_or_else(|| "text".to_owned());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/dev");
    let texts: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let engine = casus::Engine::new().unwrap();
    let options = casus::Options::default();
    let mut docs: Vec<_> = texts.iter().map(|t| engine.text_layer(t, &options).unwrap()).collect();
    let mut round_times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        match part.as_str() {
            "views" => texts.iter().for_each(|t| drop(casus::text::normalize::Views::new(t))),
            "tokens" => texts.iter().for_each(|t| {
                let views = casus::text::normalize::Views::new(t);
                drop(casus::text::tokenize::tokenize(t, &views, &engine.knowledge().token_rules))
            }),
            "text" => docs = texts.iter().map(|t| engine.text_layer(t, &options).unwrap()).collect(),
            "annotators" => docs.iter_mut().for_each(|doc| engine.annotate(doc)),
            "concepts" => docs.iter_mut().for_each(|doc| engine.annotate_concepts(doc)),
            "analyze" => texts.iter().for_each(|t| drop(engine.analyze(t, &options).unwrap())),
            other => panic!("unknown part {other:?}: views, tokens, text, annotators, concepts or analyze"),
        }
        round_times.push(started.elapsed());
    }
    // The fastest round and the median: the fastest is the one least disturbed by other work on
    // the machine, the median how typical rounds went.
    round_times.sort();
    if let (Some(fastest), Some(median)) = (round_times.first(), round_times.get(rounds / 2)) {
        let bytes: usize = texts.iter().map(String::len).sum();
        let rate = |d: &std::time::Duration| bytes as f64 / d.as_secs_f64() / 1e6;
        eprintln!(
            "{part}: fastest round {:.1} µs ({:.1} MB/s), median {:.1} µs ({:.1} MB/s)",
            fastest.as_secs_f64() * 1e6,
            rate(fastest),
            median.as_secs_f64() * 1e6,
            rate(median)
        );
    }
    println!(
        "{} tokens, {} mentions",
        docs.iter().map(|d| d.tokens.len()).sum::<usize>(),
        docs.iter().map(|d| d.mentions.len()).sum::<usize>()
    );
}
