//! Writing output files: the [`OutputWriter`] that `clean` hands every file to, and the default
//! one, [`AtomicFiles`], which writes each file to a temporary file in its folder and renames it
//! over the final name, so that no reader ever sees a half-written file.
//!
//! There is no fsync: after a crash of the machine (not of neardup) a renamed file may be empty
//! or missing. The inputs are never touched, so running the same command again repairs the
//! output.

use std::io::Write;
use std::path::Path;

/// Where `clean` writes its files. The default is [`AtomicFiles`]; a program embedding the
/// library can put its own in front (to count, limit or redirect writes).
pub trait OutputWriter: Sync {
    /// Writes `bytes` as the whole file at `path`, with the permissions of the file at
    /// `permissions_of` when given. The folder of `path` exists.
    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        permissions_of: Option<&Path>,
    ) -> std::io::Result<()>;

    /// Writes the whole file at `path` from what `fill` writes into the writer it is given,
    /// with the permissions of the file at `permissions_of` when given; an error from `fill`
    /// leaves no file. The default collects the bytes and hands them to
    /// [`OutputWriter::write`]; [`AtomicFiles`] streams them to its temporary file, so that a
    /// file of any size is never held.
    fn write_from(
        &self,
        path: &Path,
        permissions_of: Option<&Path>,
        fill: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut bytes = Vec::new();
        fill(&mut bytes)?;
        self.write(path, &bytes, permissions_of)
    }
}

/// Writes each file through a temporary file in the same folder and a rename.
#[derive(Debug, Clone, Copy, Default)]
pub struct AtomicFiles;

impl OutputWriter for AtomicFiles {
    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        permissions_of: Option<&Path>,
    ) -> std::io::Result<()> {
        write_atomically(path, bytes, permissions_of)
    }

    fn write_from(
        &self,
        path: &Path,
        permissions_of: Option<&Path>,
        fill: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        write_atomically_from(path, permissions_of, fill)
    }
}

/// Whether a file name is one of [`write_atomically`]'s temporary files: the prefix, tempfile's
/// 6 random alphanumeric characters, the suffix.
pub(super) fn is_temporary(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() == TEMPORARY_PREFIX.len() + 6 + TEMPORARY_SUFFIX.len()
        && name.starts_with(TEMPORARY_PREFIX.as_bytes())
        && name.ends_with(TEMPORARY_SUFFIX.as_bytes())
        && name[TEMPORARY_PREFIX.len()..TEMPORARY_PREFIX.len() + 6]
            .iter()
            .all(u8::is_ascii_alphanumeric)
}

const TEMPORARY_PREFIX: &str = ".neardup-";
const TEMPORARY_SUFFIX: &str = ".tmp";

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, with the
/// permissions of `like` when given.
pub(crate) fn write_atomically(
    path: &Path,
    bytes: &[u8],
    like: Option<&Path>,
) -> std::io::Result<()> {
    write_atomically_from(path, like, &mut |out| out.write_all(bytes))
}

/// [`write_atomically`] of what `fill` writes; an error from `fill` removes the temporary file.
fn write_atomically_from(
    path: &Path,
    like: Option<&Path>,
    fill: &mut dyn FnMut(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(folder)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, temporary.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    // Temporary files are private (0600); the result gets the input's permissions, or the
    // usual 0644. Best effort: a file system without permissions keeps what it has.
    let permissions = like
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.permissions());
    #[cfg(unix)]
    let permissions = permissions.or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    });
    if let Some(permissions) = permissions {
        let _ = temporary.as_file().set_permissions(permissions);
    }
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_shaped_like_our_temporaries_are_swept() {
        let name = |s: &str| is_temporary(std::ffi::OsStr::new(s));
        assert!(name(".neardup-Ab12Cd.tmp"));
        assert!(!name(".neardup-notes.tmp"));
        assert!(!name(".neardup-Ab12C!.tmp"));
        assert!(!name("neardup-Ab12Cd.tmp"));
        assert!(!name(".neardup-Ab12Cd.txt"));
    }
}
