//! Runs the text layer (without the annotators) over the corpus many times, for profilers.
//! `cargo run --release -p casus --example profile_text_layer -- 50`

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
    let mut sentences = 0;
    for _ in 0..rounds {
        for text in &texts {
            sentences += engine.text_layer(text, &options).unwrap().sentences.len();
        }
    }
    println!("{sentences}");
}
