//! The work folder and the memory budget: where a scan puts the data that does not fit in the
//! memory it is given, and how it decides that. It owns the folder's life (created only when
//! something spills, removed at the end, on an error and on Ctrl-C unless kept), the external
//! sort (`sort`) and the spilled document store (`store`). It knows nothing of what the
//! records mean.
//!
//! # On-disk formats
//! Every file is little-endian and written once, then only read; each stage's files can be
//! read by another process (the boundary a cluster engine would cut the stages at).
//! - **Sorted run** (`bands/band-BBB-run-NNNNN.bin`, `paragraphs/occurrences-run-NNNNN.bin`,
//!   and `...-merge-L-NNNNN.bin` for runs merged into longer ones when there are more than
//!   16): the header `NDRUN001`, the record width in bytes (u32) and the record
//!   count (u64), then the records in ascending order. A band entry is 12 bytes: the band key
//!   (u64) and the document number (u32); a paragraph occurrence is 16 bytes: its key (u64),
//!   document (u32) and paragraph index (u32). A file of candidate pairs from `stage
//!   candidates` holds a run of 8-byte pairs after a header of its own ([`crate::stage`]).
//! - **Shingle sets** (`shingles.bin`): each document's 32-bit shingle fingerprints (unsorted,
//!   as the signing stage made them) one document after another in document order;
//!   `shingles.idx` holds document `d`'s start at `8 * d` (u64) and the end after the last one.
//! - **Boilerplate zones** (`zones.bin`): per document that has them, in document order, its
//!   number (u32), its paragraph count (u32), the lengths of its opening and closing zones (u8
//!   each), their short-paragraph masks (u32 each), then the zones' paragraph keys (u64 each).
//! - **Signatures** (`signatures.bin`): each document's signature (`num_perm` values, u32) in
//!   document order, so document `d`'s starts at `4 * num_perm * d`.

pub(crate) mod sort;
pub(crate) mod store;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Work folders of this process that are in use, so that a signal handler can remove them
/// ([`remove_active_work_folders`]).
static ACTIVE: Mutex<Vec<Arc<Active>>> = Mutex::new(Vec::new());

/// A work folder in use, and whether it is being removed under its run.
#[derive(Debug)]
struct Active {
    path: PathBuf,
    /// Raised by [`remove_active_work_folders`]: the folder takes no new file, so its run fails
    /// rather than make it again.
    closing: AtomicBool,
}

/// Removes every work folder this process is using, except those it was asked to keep: for the
/// binary's Ctrl-C handler, just before it exits, or for a program that stops its scans. The
/// runs using them fail from then on (no new file is made in their folders; their threads may
/// still be writing, so removal is tried a few times); runs started later make new folders and
/// are not affected.
pub fn remove_active_work_folders() {
    let folders = ACTIVE.lock().map(|a| a.clone()).unwrap_or_default();
    for folder in &folders {
        // From now on no file is made in it (a thread that made its parent again would leave
        // it behind).
        folder.closing.store(true, Ordering::SeqCst);
    }
    for folder in folders {
        for _ in 0..20 {
            let _ = std::fs::remove_dir_all(&folder.path);
            if !folder.path.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// Where spilled data goes and whether it stays after the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkOptions {
    /// Folder in which the run's work folder is made (`None`: the system temp folder).
    pub parent: Option<PathBuf>,
    /// Keep the work folder after the run (`--keep-work`).
    pub keep: bool,
    /// Most bytes the run may write there, as if the disk were that full (`None`: as many as
    /// the disk takes). For the tests of a full disk, where a small file system cannot be
    /// mounted.
    #[doc(hidden)]
    pub limit: Option<u64>,
}

/// One run's work folder: a fresh folder, removed when dropped unless kept.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    /// Its entry among the folders in use (none for a kept folder).
    active: Option<Arc<Active>>,
    keep: bool,
    written: AtomicU64,
    limit: Option<u64>,
}

impl WorkDir {
    /// Makes a fresh work folder as `options` say.
    pub fn create(options: &WorkOptions) -> std::io::Result<WorkDir> {
        let parent = options.parent.clone().unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new()
            .prefix("neardup-work-")
            .tempdir_in(&parent)?;
        let path = dir.keep();
        let active = (!options.keep).then(|| {
            let active = Arc::new(Active {
                path: path.clone(),
                closing: AtomicBool::new(false),
            });
            if let Ok(mut list) = ACTIVE.lock() {
                list.push(Arc::clone(&active));
            }
            active
        });
        Ok(WorkDir {
            path,
            active,
            keep: options.keep,
            written: AtomicU64::new(0),
            limit: options.limit,
        })
    }

    /// A new folder at `path` (its parent must exist), kept after the run: the output of a stage
    /// run by itself ([`crate::stage`]).
    pub fn at(path: &Path) -> std::io::Result<WorkDir> {
        std::fs::create_dir(path)?;
        Ok(Self::existing(path))
    }

    /// The existing folder at `path`, kept after the run.
    pub fn existing(path: &Path) -> WorkDir {
        WorkDir {
            path: path.to_path_buf(),
            active: None,
            keep: true,
            written: AtomicU64::new(0),
            limit: None,
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A path inside it, its parent folders made.
    pub fn file(&self, name: &str) -> std::io::Result<PathBuf> {
        if self
            .active
            .as_ref()
            .is_some_and(|a| a.closing.load(Ordering::SeqCst))
        {
            return Err(std::io::Error::other("the run is being stopped"));
        }
        let path = self.path.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(path)
    }

    /// Counts `bytes` more about to be written into the folder; fails as a full disk would
    /// past the [`WorkOptions::limit`].
    pub fn wrote(&self, bytes: u64) -> std::io::Result<()> {
        let before = self.written.fetch_add(bytes, Ordering::Relaxed);
        if self.limit.is_some_and(|limit| before + bytes > limit) {
            return Err(std::io::ErrorKind::StorageFull.into());
        }
        Ok(())
    }

    /// Whether the folder stays after the run.
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// Bytes written into the folder so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.path);
        if let Some(mine) = &self.active
            && let Ok(mut active) = ACTIVE.lock()
        {
            active.retain(|a| !Arc::ptr_eq(a, mine));
        }
    }
}

/// A work folder made on first use: most runs fit in memory and never make one.
#[derive(Debug)]
pub struct LazyWorkDir {
    options: WorkOptions,
    dir: std::sync::OnceLock<WorkDir>,
}

impl LazyWorkDir {
    /// Nothing made yet.
    pub fn new(options: WorkOptions) -> Self {
        LazyWorkDir {
            options,
            dir: std::sync::OnceLock::new(),
        }
    }

    /// The folder, made now if it is not yet.
    pub fn get(&self) -> std::io::Result<&WorkDir> {
        if let Some(dir) = self.dir.get() {
            return Ok(dir);
        }
        let made = WorkDir::create(&self.options)?;
        // Two threads may race here: the loser's folder is dropped (removed) at once.
        let _ = self.dir.set(made);
        Ok(self.dir.get().expect("just set"))
    }

    /// The folder if one was made.
    pub fn made(&self) -> Option<&WorkDir> {
        self.dir.get()
    }
}

/// Parses a memory size as `sort -S` does: a number of bytes with an optional suffix `K`, `M`,
/// `G` or `T` (powers of 1024, case-insensitive, an optional `B` or `iB` after it), or a
/// percentage of the machine's memory (`50%`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let bad = || {
        format!(
            "cannot read {text:?} as a size: give bytes with K, M, G or T (\"500M\", \"2G\") or a share of memory (\"50%\")"
        )
    };
    if let Some(percent) = trimmed.strip_suffix('%') {
        let share: f64 = percent.trim().parse().map_err(|_| bad())?;
        if !(share > 0.0 && share <= 100.0) {
            return Err(bad());
        }
        let total = total_memory().ok_or_else(|| {
            format!("cannot read the machine's memory size for {text:?}: give a size in bytes")
        })?;
        return Ok((total as f64 * share / 100.0) as u64);
    }
    let upper = trimmed.to_ascii_uppercase();
    let without_b = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (number, scale) = match without_b.chars().last() {
        Some('K') => (&without_b[..without_b.len() - 1], 1u64 << 10),
        Some('M') => (&without_b[..without_b.len() - 1], 1 << 20),
        Some('G') => (&without_b[..without_b.len() - 1], 1 << 30),
        Some('T') => (&without_b[..without_b.len() - 1], 1 << 40),
        _ => (without_b, 1),
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(value.is_finite() && value > 0.0) {
        return Err(bad());
    }
    let bytes = value * scale as f64;
    if bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

/// The default budget: [`DEFAULT_MEMORY_SHARE`] of the memory available when the run starts
/// (`MemAvailable` in `/proc/meminfo`), or [`FALLBACK_MEMORY`] where that cannot be read.
pub fn default_memory() -> u64 {
    let available = meminfo_field("MemAvailable:").or_else(total_memory);
    available.map_or(FALLBACK_MEMORY, |bytes| {
        (bytes as f64 * DEFAULT_MEMORY_SHARE) as u64
    })
}

/// Share of the available memory a run uses by default.
pub const DEFAULT_MEMORY_SHARE: f64 = 0.5;

/// The default budget where the machine's memory cannot be read: 2 GiB.
pub const FALLBACK_MEMORY: u64 = 2 << 30;

/// The machine's memory in bytes (`MemTotal`), where it can be read.
fn total_memory() -> Option<u64> {
    meminfo_field("MemTotal:")
}

fn meminfo_field(name: &str) -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_sort_reads_them() {
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("64KB"), Ok(64 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        for bad in ["", "G", "-1G", "0", "two", "5X", "0%", "150%"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_work_folder_is_removed_when_dropped_unless_kept() {
        let parent = tempfile::tempdir().unwrap();
        let options = WorkOptions {
            parent: Some(parent.path().to_path_buf()),
            keep: false,
            limit: None,
        };
        let dir = WorkDir::create(&options).unwrap();
        let path = dir.path().to_path_buf();
        std::fs::write(dir.file("bands/x.bin").unwrap(), b"x").unwrap();
        drop(dir);
        assert!(!path.exists());

        let kept = WorkDir::create(&WorkOptions {
            keep: true,
            ..options
        })
        .unwrap();
        let path = kept.path().to_path_buf();
        drop(kept);
        assert!(path.is_dir());
    }

    #[test]
    fn a_lazy_folder_is_made_only_when_asked() {
        let parent = tempfile::tempdir().unwrap();
        let lazy = LazyWorkDir::new(WorkOptions {
            parent: Some(parent.path().to_path_buf()),
            ..WorkOptions::default()
        });
        assert!(lazy.made().is_none());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
        let path = lazy.get().unwrap().path().to_path_buf();
        assert!(path.starts_with(parent.path()) && path.is_dir());
        drop(lazy);
        assert!(!path.exists());
    }
}
