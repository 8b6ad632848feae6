//! Per-stage throughput: tokenizing, shingling, MinHash signing, LSH banding and verification,
//! next to the floor of hashing the same bytes with xxh3 alone.
//!
//!     cargo bench --bench stages
//!
//! Input: the English articles of corpus/ (real text, some non-ASCII punctuation), cut into
//! documents of about 3 KB, the size of a typical news article.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use neardup::config::ScanConfig;
use neardup::internals::{Analysis, Analyzer, find_clusters, hash_document};
use neardup::progress::NoProgress;
use neardup::stages::{
    Banding, MinHasher, Scheme, ShingleKind, Shingler, Tokenizer, candidate_pairs, jaccard,
};
use std::hint::black_box;

/// About 1 MB of article text as ~3 KB documents.
fn documents() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut english = String::new();
    for name in [
        "000_19d78a4ffbec308a.txt",
        "001_bc7ac223c58f7b41.txt",
        "002_54dcf901e08c4a3a.txt",
        "003_3d3085ad44922d23.txt",
        "004_a5450687eba11f7a.txt",
        "007_same_topic_different_article.txt",
    ] {
        english.push_str(&std::fs::read_to_string(format!("{dir}/{name}")).unwrap());
        english.push('\n');
    }
    let words: Vec<&str> = english.split_whitespace().collect();
    let mut docs = Vec::new();
    let mut total = 0;
    let mut start = 0;
    while total < 1 << 20 {
        // Rotate through the text so that documents differ.
        let doc: Vec<&str> = (0..500).map(|i| words[(start + i) % words.len()]).collect();
        let doc = doc.join(" ");
        total += doc.len();
        docs.push(doc);
        start += 137;
    }
    docs
}

fn bytes(docs: &[String]) -> u64 {
    docs.iter().map(|d| d.len() as u64).sum()
}

fn stages(c: &mut Criterion) {
    let docs = documents();
    let total = bytes(&docs);

    let mut group = c.benchmark_group("bytes");
    group.throughput(Throughput::Bytes(total));
    group.bench_function("floor_xxh3_whole_documents", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| xxhash_rust::xxh3::xxh3_64(d.as_bytes()))
                .fold(0u64, |a, h| a ^ h)
        })
    });
    group.bench_function("floor_xxh3_per_whitespace_word", |b| {
        b.iter(|| {
            docs.iter()
                .flat_map(|d| d.split_ascii_whitespace())
                .map(|w| xxhash_rust::xxh3::xxh3_64(w.as_bytes()))
                .fold(0u64, |a, h| a ^ h)
        })
    });
    group.bench_function("tokenize", |b| {
        let mut tokenizer = Tokenizer::new();
        b.iter(|| {
            let mut n = 0usize;
            for d in &docs {
                tokenizer.for_each_token(d, |t| n += t.len());
            }
            n
        })
    });
    for kind in [ShingleKind::Words(5), ShingleKind::Chars(5)] {
        group.bench_with_input(
            BenchmarkId::new("shingle", kind.unit()),
            &kind,
            |b, &kind| {
                let mut shingler = Shingler::new(kind);
                let mut out = Vec::new();
                b.iter(|| {
                    let mut n = 0;
                    for d in &docs {
                        shingler.shingle(d, &mut out);
                        n += out.len();
                    }
                    n
                })
            },
        );
    }
    let mut analyzer = Analyzer::new();
    let mut analysis = Analysis::default();
    group.bench_function("paragraphs_and_repeats", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    analyzer.analyze(d, &mut analysis);
                    analyzer.repeats(d, &analysis).len() + analysis.paragraphs.len()
                })
                .sum::<usize>()
        })
    });
    let config = ScanConfig::default();
    let minhasher = MinHasher::new(config.num_perm, config.seed);
    // The whole per-document stage: paragraphs, repeats, shingles and the signature.
    group.bench_function("hash_document_128", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| hash_document(d, &config, &minhasher).signature[0])
                .fold(0u32, |a, h| a ^ h)
        })
    });
    group.finish();

    // Signing alone, per shingle.
    let mut shingler = Shingler::new(ShingleKind::Words(5));
    let sets: Vec<Vec<u64>> = docs
        .iter()
        .map(|d| {
            let mut out = Vec::new();
            shingler.shingle(d, &mut out);
            out
        })
        .collect();
    let shingle_count: u64 = sets.iter().map(|s| s.len() as u64).sum();
    let mut group = c.benchmark_group("shingles");
    group.throughput(Throughput::Elements(shingle_count));
    for (name, scheme) in [
        ("sign", Scheme::OnePermutation),
        ("sign_classic", Scheme::Classic),
    ] {
        for perms in [64usize, 128, 256] {
            let hasher = MinHasher::with_scheme(scheme, perms, 1);
            group.bench_with_input(BenchmarkId::new(name, perms), &perms, |b, &perms| {
                let mut sig = vec![0u64; perms];
                b.iter(|| {
                    for s in &sets {
                        hasher.sign(black_box(s), &mut sig);
                    }
                    sig[0]
                })
            });
        }
    }
    group.finish();

    // Verification: exact Jaccard of neighbouring documents.
    let mut group = c.benchmark_group("pairs");
    group.throughput(Throughput::Elements(sets.len() as u64 - 1));
    group.bench_function("exact_jaccard", |b| {
        b.iter(|| sets.windows(2).map(|w| jaccard(&w[0], &w[1])).sum::<f64>())
    });
    group.finish();

    // Banding and the whole candidate/verify/cluster stage over many documents.
    let hashed: Vec<_> = (0..20)
        .flat_map(|_| docs.iter())
        .enumerate()
        .map(|(i, d)| {
            // Every tenth document is a copy, the rest are made unique by a numbered prefix.
            let text = if i % 10 == 0 {
                d.clone()
            } else {
                format!("doc {i} {d}")
            };
            hash_document(&text, &config, &minhasher)
        })
        .collect();
    let signatures: Vec<u32> = hashed.iter().flat_map(|h| h.signature.clone()).collect();
    let banding = Banding::for_threshold(config.threshold, config.num_perm);
    let mut group = c.benchmark_group("documents");
    group.throughput(Throughput::Elements(hashed.len() as u64));
    group.sample_size(20);
    group.bench_function("lsh_candidates_25x5", |b| {
        b.iter(|| candidate_pairs(&signatures, config.num_perm, banding, &|_| {}).len())
    });
    group.bench_function("candidates_verify_cluster", |b| {
        // A fresh copy each time: find_clusters sorts the sets it verifies, once.
        b.iter_batched(
            || hashed.clone(),
            |mut docs| {
                find_clusters(&mut docs, &config, banding, &NoProgress)
                    .clusters
                    .len()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
