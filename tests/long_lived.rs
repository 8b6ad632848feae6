//! Scans in a long-lived process (a Python kernel, a server): several at once, many in a row,
//! the work folders removed under running scans (what a Ctrl-C handler or a program stopping
//! its scans does), scans cancelled from another thread, inputs replaced between scans; no scan leaves state behind that makes a
//! later one fail or read stale data. Removing the active work folders reaches every scan of
//! the process, so the other tests here do not spill.

mod common;

use common::*;
use neardup::progress::NoProgress;
use neardup::work::{WorkOptions, remove_active_work_folders};
use neardup::{ScanConfig, ScanOutcome};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// 60 documents: 20 texts, each with two edited copies.
fn write_corpus(dir: &Path) {
    let mut rng = Rng::new(3);
    for t in 0..20 {
        let base = words(&mut rng, 300);
        write_words(&dir.join(format!("t{t:02}_a.txt")), &base);
        for c in 0..2 {
            let copy = edit(&mut rng, &base, 3);
            write_words(&dir.join(format!("t{t:02}_c{c}.txt")), &copy);
        }
    }
}

/// A scan that spills everything it can into a work folder under `work`.
fn spilling(work: &Path) -> ScanConfig {
    ScanConfig {
        memory: Some(4096),
        work: WorkOptions {
            parent: Some(work.to_path_buf()),
            ..Default::default()
        },
        ..ScanConfig::default()
    }
}

fn scan(corpus: &Path, config: &ScanConfig) -> neardup::Result<ScanOutcome> {
    neardup::scan(&[corpus.to_path_buf()], config, &NoProgress)
}

fn left_in(work: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(work).unwrap();
    entries.map(|e| e.unwrap().path()).collect()
}

#[test]
fn scans_at_once_in_a_row_cancelled_or_after_their_folders_were_removed_all_work() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, work) = (tmp.path().join("in"), tmp.path().join("work"));
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    write_corpus(&corpus);
    let config = spilling(&work);
    let first = scan(&corpus, &config).unwrap();
    assert!(first.work.bytes_written > 0, "the budget must spill");
    assert_eq!(first.clusters.len(), 20);

    // Four at once.
    let at_once: Vec<ScanOutcome> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..4).map(|_| s.spawn(|| scan(&corpus, &config))).collect();
        runs.into_iter()
            .map(|r| r.join().unwrap().unwrap())
            .collect()
    });
    for outcome in &at_once {
        assert_eq!(outcome.clusters, first.clusters);
    }

    // Folders removed under running scans: those scans may fail, and none leaves a folder.
    let stopped: Vec<bool> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2).map(|_| s.spawn(|| scan(&corpus, &config))).collect();
        for _ in 0..50 {
            remove_active_work_folders();
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let results = runs.into_iter().map(|r| r.join().unwrap());
        results.map(|r| r.is_err()).collect()
    });
    assert!(
        left_in(&work).is_empty(),
        "left: {:?} ({stopped:?})",
        left_in(&work)
    );

    // A scan cancelled from another thread stops and leaves no folder: at once, or while it
    // runs (it may have finished by then).
    let cancel = Arc::new(AtomicBool::new(true));
    let cancelled = ScanConfig {
        cancel: Some(Arc::clone(&cancel)),
        ..config.clone()
    };
    assert!(matches!(
        scan(&corpus, &cancelled),
        Err(neardup::Error::Cancelled)
    ));
    cancel.store(false, Ordering::SeqCst);
    let result = std::thread::scope(|s| {
        let run = s.spawn(|| scan(&corpus, &cancelled));
        std::thread::sleep(std::time::Duration::from_millis(2));
        cancel.store(true, Ordering::SeqCst);
        run.join().unwrap()
    });
    match result {
        Ok(outcome) => assert_eq!(outcome.clusters, first.clusters),
        Err(e) => assert!(matches!(e, neardup::Error::Cancelled), "{e}"),
    }
    assert!(left_in(&work).is_empty(), "left: {:?}", left_in(&work));

    // Later scans are not affected, many in a row.
    for _ in 0..100 {
        let again = scan(&corpus, &config).unwrap();
        assert_eq!(again.clusters, first.clusters);
    }
    assert!(left_in(&work).is_empty(), "left: {:?}", left_in(&work));
}

#[test]
fn a_folder_made_again_under_the_same_path_is_read_afresh() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("in");
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut rng = Rng::new(9);
    for round in 0..3 {
        // The folder is removed and made again, with other files and other texts.
        let _ = std::fs::remove_dir_all(&corpus);
        std::fs::create_dir_all(&corpus).unwrap();
        let text = words(&mut rng, 200);
        for name in ["a.txt", "b.txt"] {
            write_words(&corpus.join(name), &text);
        }
        write_words(
            &corpus.join(format!("own{round}.txt")),
            &words(&mut rng, 200),
        );
        let outcome = one_thread
            .install(|| scan(&corpus, &ScanConfig::default()))
            .unwrap();
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        assert_eq!(outcome.stats.documents, 3);
        assert_eq!(outcome.clusters.len(), 1);
    }
}

#[test]
fn a_scan_cancelled_while_it_verifies_checks_no_more_pairs() {
    use neardup::internals::{find_clusters, hash_document};
    use neardup::stages::{Banding, MinHasher};
    let mut rng = Rng::new(3);
    let cancel = Arc::new(AtomicBool::new(false));
    let config = ScanConfig {
        cancel: Some(Arc::clone(&cancel)),
        ..ScanConfig::default()
    };
    let minhasher = MinHasher::with_scheme(config.minhash, config.num_perm, config.seed);
    let banding = Banding::for_threshold(config.threshold, config.num_perm);
    let texts: Vec<String> = (0..40)
        .map(|i| {
            let base = words(&mut rng, 50);
            if i % 2 == 0 {
                base.join(" ")
            } else {
                edit(&mut rng, &base, 1).join(" ")
            }
        })
        .collect();
    let hashed: Vec<_> = texts
        .iter()
        .chain(&texts)
        .map(|t| hash_document(t, &config, &minhasher))
        .collect();
    let found = find_clusters(&mut hashed.clone(), &config, banding, &NoProgress);
    assert_eq!(found.clusters.len(), 40);
    cancel.store(true, Ordering::SeqCst);
    let stopped = find_clusters(&mut hashed.clone(), &config, banding, &NoProgress);
    assert!(stopped.clusters.is_empty() && stopped.pairs.is_empty());
}
