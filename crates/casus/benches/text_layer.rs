//! Throughput of the text layer, of each annotator and of the whole pipeline over the gold
//! corpus, and the cost of building an engine.
//!
//! `cargo bench -p casus --bench text_layer`. Figures go in BENCHMARKS.md.

use std::path::PathBuf;

use casus::text::normalize::Views;
use casus::text::tokenize::tokenize;
use casus::{Engine, Options};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// Every case text of the corpus (dev and test).
fn corpus() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut texts = Vec::new();
    for split in ["dev", "test"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(split))
            .expect("the corpus is in the repository")
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        paths.sort();
        texts.extend(paths.iter().map(|path| std::fs::read_to_string(path).unwrap()));
    }
    texts
}

fn text_layer(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let engine = Engine::new().unwrap();
    let options = Options::default();
    let rules = &engine.knowledge().token_rules;

    let mut group = c.benchmark_group("text_layer");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("views", |b| {
        b.iter(|| texts.iter().map(|t| Views::new(t).plain.as_str().len()).sum::<usize>())
    });
    group.bench_function("views+tokens", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    let views = Views::new(t);
                    tokenize(t, &views, rules).len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("text_layer", |b| {
        b.iter(|| texts.iter().map(|t| engine.text_layer(t, &options).unwrap().sentences.len()).sum::<usize>())
    });
    group.finish();

    // Each annotator alone, over documents that already have their text layer.
    let mut docs: Vec<_> = texts.iter().map(|t| engine.text_layer(t, &options).unwrap()).collect();
    let mut group = c.benchmark_group("annotators");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("patient", |b| b.iter(|| docs.iter_mut().for_each(|d| engine.annotate_patient(d))));
    group.bench_function("concepts", |b| b.iter(|| docs.iter_mut().for_each(|d| engine.annotate_concepts(d))));
    group.bench_function("context", |b| b.iter(|| docs.iter_mut().for_each(|d| engine.annotate_context(d))));
    group.finish();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("document", |b| {
        b.iter(|| texts.iter().map(|t| engine.document(t, &options).unwrap().sentences.len()).sum::<usize>())
    });
    // End to end as a batch writes it: analysis and compact JSON.
    let analyze_all = || {
        let mut json = Vec::new();
        for t in &texts {
            json.clear();
            casus::export::write_compact_json(&engine.analyze(t, &options).unwrap(), &mut json);
        }
        json.len()
    };
    group.bench_function("analyze+json", |b| b.iter(analyze_all));
    group.finish();

    // The same, counted in documents, for documents/s per core.
    let mut group = c.benchmark_group("pipeline_documents");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("analyze+json", |b| b.iter(analyze_all));
    group.finish();

    c.bench_function("engine_build", |b| b.iter_batched(|| (), |()| Engine::new().unwrap(), BatchSize::SmallInput));
}

criterion_group!(benches, text_layer);
criterion_main!(benches);
