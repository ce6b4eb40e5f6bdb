//! Runs the annotators over the corpus many times, for profilers (callgrind, perf).
//! `cargo run --release -p casus --example profile_annotators -- 50`

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/dev");
    let texts: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let engine = casus::Engine::new().unwrap();
    let options = casus::Options::default();
    // Text layer once; the annotators `rounds` times, so that their cost dominates the profile.
    let mut docs: Vec<_> = texts.iter().map(|t| engine.text_layer(t, &options).unwrap()).collect();
    for _ in 0..rounds {
        for doc in &mut docs {
            engine.annotate(doc);
        }
    }
    println!("{}", docs.iter().map(|d| d.mentions.len()).sum::<usize>());
}
