//! Texts held in memory, read as documents without a file: what [`crate::dedup`] scans. Each
//! text is a source of its own (one document, as a text file is), named by the caller's id or,
//! without one, by its index, so that the report, the pairs and the keep rule treat it as they
//! treat a file, and a scan of the same texts written as files finds the same clusters.

use super::{Document, SourceFile, SourceKind, SourceRead, changed_during_run, fingerprint};
use crate::diagnostic::AfterChange;
use std::path::PathBuf;
use std::sync::Arc;

/// Texts a program holds, indexed from 0: a list of strings, an Arrow column, pages of a
/// database. Implemented for `Vec` and `Arc<[_]>` of `String`, `&'static str`, `Box<str>` and
/// `Arc<str>`; a binding implements it over its own buffers to lend them without a copy.
pub trait Texts: Send + Sync {
    /// How many texts there are.
    fn len(&self) -> usize;
    /// Text number `index` (`index < len()`).
    fn text(&self, index: usize) -> &str;
    /// Whether there is none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

macro_rules! texts_for {
    ($($t:ty),*) => {$(
        impl Texts for Vec<$t> {
            fn len(&self) -> usize {
                <[$t]>::len(self)
            }
            fn text(&self, index: usize) -> &str {
                self[index].as_ref()
            }
        }
        impl Texts for Arc<[$t]> {
            fn len(&self) -> usize {
                <[$t]>::len(self)
            }
            fn text(&self, index: usize) -> &str {
                self[index].as_ref()
            }
        }
    )*};
}
texts_for!(String, &'static str, Box<str>, Arc<str>);

/// Where a source's text is when it is not in a file: text `index` of `texts`.
#[derive(Clone)]
pub struct InMemory {
    /// The texts.
    pub texts: Arc<dyn Texts>,
    /// Which one.
    pub index: usize,
}

impl InMemory {
    /// The text.
    pub fn text(&self) -> &str {
        self.texts.text(self.index)
    }
}

impl std::fmt::Debug for InMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InMemory(text {} of {})", self.index, self.texts.len())
    }
}

/// Two are the same when they are the same text of the same texts.
impl PartialEq for InMemory {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && std::ptr::addr_eq(Arc::as_ptr(&self.texts), Arc::as_ptr(&other.texts))
    }
}

impl Eq for InMemory {}

/// One source per text of `texts`, in their order, each named by `names(index)`.
pub fn sources(texts: Arc<dyn Texts>, names: &dyn Fn(usize) -> String) -> Vec<SourceFile> {
    (0..texts.len())
        .map(|index| {
            let display = names(index);
            SourceFile {
                path: PathBuf::new(),
                relative: PathBuf::from(&display),
                display,
                root: 0,
                kind: SourceKind::Text,
                compression: super::Compression::None,
                len: texts.text(index).len() as u64,
                memory: Some(InMemory {
                    texts: Arc::clone(&texts),
                    index,
                }),
            }
        })
        .collect()
}

/// [`super::read_source`] for a text in memory: its document, read by the rules of a text
/// file holding the same bytes (a byte-order mark dropped, a NUL byte making it binary) in
/// UTF-8, or, with `expected`, a problem when its bytes no longer have that fingerprint.
pub(super) fn read<T, W>(
    source: &SourceFile,
    memory: &InMemory,
    expected: Option<u64>,
    work: &W,
) -> SourceRead<T>
where
    T: Send,
    W: Fn(Document<'_>) -> T + Sync,
{
    let bytes = memory.text().as_bytes();
    let fingerprint = fingerprint(bytes);
    if expected.is_some_and(|e| e != fingerprint) {
        return SourceRead::failed(changed_during_run(&source.display, AfterChange::Skipped));
    }
    // A Rust string is UTF-8, whatever `--encoding` says of files.
    SourceRead {
        len: bytes.len() as u64,
        ..super::text_document(&source.display, bytes, fingerprint, None, work)
    }
}
