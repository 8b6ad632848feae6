//! Output-folder safety: where each cleaned copy goes, and the checks that keep `clean` from
//! ever writing over, into or beside an input, or into a folder it did not make.

use super::manifest::{MANIFEST_NAME, MARKER_NAME};
use super::write;
use crate::error::{Error, Result};
use crate::input::SourceFile;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute and resolves what exists of it, so that two spellings of one place
/// compare equal: the longest existing ancestor is canonicalized and the rest appended with `.`
/// and `..` folded.
pub(super) fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

fn refuse(message: String) -> Error {
    Error::Refused(message)
}

/// Refuses an output folder that is an input, lies inside an input folder, is not a folder, or
/// already holds files that neardup did not write (no marker, no manifest).
pub fn check_output_folder(roots: &[PathBuf], out: &Path) -> Result<()> {
    let out_resolved = resolve(out);
    if out_resolved.exists() && !out_resolved.is_dir() {
        return Err(refuse(format!(
            "--out {} exists and is not a folder",
            out.display()
        )));
    }
    for root in roots {
        let Ok(root_resolved) = std::fs::canonicalize(root) else {
            continue; // reported by the scan as a missing input
        };
        if out_resolved == root_resolved {
            return Err(refuse(format!(
                "--out {} is the input {}; inputs are never modified",
                out.display(),
                root.display()
            )));
        }
        if root_resolved.is_dir() && out_resolved.starts_with(&root_resolved) {
            return Err(refuse(format!(
                "--out {} lies inside the input {}; choose a folder outside the inputs",
                out.display(),
                root.display()
            )));
        }
    }
    if let Ok(mut entries) = std::fs::read_dir(&out_resolved)
        && entries.next().is_some()
        && !out_resolved.join(MARKER_NAME).exists()
        && !out_resolved.join(MANIFEST_NAME).exists()
    {
        return Err(refuse(format!(
            "--out {} is not empty and was not written by neardup; choose a new or empty folder",
            out.display()
        )));
    }
    Ok(())
}

/// Where each source goes, relative to the output folder: with one command-line path, its
/// relative path; with several, under the name of the path it was found in. Refuses two
/// sources with one destination and a destination that is an input.
pub(super) fn destinations(
    roots: &[PathBuf],
    out: &Path,
    sources: &[SourceFile],
) -> Result<Vec<PathBuf>> {
    let root_names: Vec<PathBuf> = roots
        .iter()
        .enumerate()
        .map(|(i, root)| {
            resolve(root)
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(format!("input{}", i + 1)))
        })
        .collect();
    let several = roots.len() > 1;
    let relative: Vec<PathBuf> = sources
        .iter()
        .map(|s| {
            let rel: PathBuf = s
                .relative
                .components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .collect();
            if !several {
                rel
            } else if s.path == roots[s.root] {
                // A file named on the command line goes under its own name.
                root_names[s.root].clone()
            } else {
                root_names[s.root].join(rel)
            }
        })
        .collect();
    let mut taken: HashMap<&Path, &SourceFile> = HashMap::new();
    for (rel, source) in relative.iter().zip(sources) {
        if rel.as_os_str().is_empty() || rel == Path::new(MANIFEST_NAME) {
            return Err(refuse(format!(
                "{} cannot be written to {}: name reserved",
                source.display,
                out.join(rel).display()
            )));
        }
        if let Some(other) = taken.insert(rel, source) {
            return Err(refuse(format!(
                "{} and {} would both be written to {}",
                other.display,
                source.display,
                out.join(rel).display()
            )));
        }
    }
    // A plan made without an output folder (a dry run) has no targets to check.
    if out.as_os_str().is_empty() {
        return Ok(relative);
    }
    let inputs: HashSet<PathBuf> = sources
        .iter()
        .filter_map(|s| std::fs::canonicalize(&s.path).ok())
        .collect();
    let input_folders: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .filter(|r| r.is_dir())
        .collect();
    let out_resolved = resolve(out);
    for (rel, source) in relative.iter().zip(sources) {
        let target = resolve(&out_resolved.join(rel));
        if inputs.contains(&target) {
            return Err(refuse(format!(
                "writing {} would overwrite the input {}",
                out.join(rel).display(),
                source.display
            )));
        }
        if let Some(folder) = input_folders.iter().find(|f| target.starts_with(f)) {
            return Err(refuse(format!(
                "writing {} would add a file inside the input {}",
                out.join(rel).display(),
                folder.display()
            )));
        }
    }
    Ok(relative)
}

/// Removes the temporary files a killed run left in the output folder (best effort: the folder
/// is neardup's own, see [`MARKER_NAME`]). Input folders inside it are not entered.
pub(super) fn remove_stale_temporaries(out: &Path, roots: &[PathBuf]) {
    let inputs: Vec<PathBuf> = roots.iter().map(|r| resolve(r)).collect();
    let walker = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && inputs.contains(&resolve(e.path()))));
    for entry in walker.flatten() {
        if entry.file_type().is_file() && write::is_temporary(entry.file_name()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What an earlier run left in `out` that this run did not write: every file and link (as a
/// path inside `out`) but the marker, the manifest, `written` (paths inside `out`) and anything
/// inside an input. Only asked of a folder that is neardup's own (see
/// [`check_output_folder`]).
pub(super) fn stale_outputs(
    out: &Path,
    roots: &[PathBuf],
    inputs: &[PathBuf],
    written: &HashSet<&Path>,
) -> Vec<PathBuf> {
    let input_roots: Vec<PathBuf> = roots.iter().map(|r| resolve(r)).collect();
    let walker = walkdir::WalkDir::new(out)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && input_roots.contains(&resolve(e.path()))));
    // What this run did not write; most runs find nothing here, so the file system is only
    // asked about inputs (a file named on the command line may lie inside --out) when
    // something is.
    let candidates: Vec<walkdir::DirEntry> = walker
        .flatten()
        .filter(|entry| !entry.file_type().is_dir())
        .filter(|entry| {
            entry.path().strip_prefix(out).is_ok_and(|inside| {
                inside != Path::new(MANIFEST_NAME)
                    && inside != Path::new(MARKER_NAME)
                    && !written.contains(inside)
            })
        })
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let input_files: HashSet<PathBuf> = inputs
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let is_input = |entry: &walkdir::DirEntry| {
        entry.file_type().is_file()
            && std::fs::canonicalize(entry.path()).is_ok_and(|p| input_files.contains(&p))
    };
    let mut stale: Vec<PathBuf> = candidates
        .iter()
        .filter(|entry| !is_input(entry))
        .filter_map(|entry| entry.path().strip_prefix(out).ok().map(Path::to_path_buf))
        .collect();
    stale.sort();
    stale
}

/// Removes the folders under `out` (not `out` itself, nor an input or anything in one) that are
/// empty once stale files are gone, deepest first; best effort.
pub(super) fn remove_empty_folders(out: &Path, roots: &[PathBuf]) {
    let input_roots: Vec<PathBuf> = roots.iter().map(|r| resolve(r)).collect();
    // In walk order, parents before children; removed in reverse, children first. (walkdir's
    // contents_first would apply the filter only after entering the folder.)
    let mut folders: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !(e.file_type().is_dir() && input_roots.contains(&resolve(e.path()))))
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    folders.reverse();
    for folder in folders {
        // Fails, as it should, on a folder that still holds something.
        let _ = std::fs::remove_dir(folder);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_folds_missing_components() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&dir.path().join("x/../y/./z")), base.join("y/z"));
    }

    #[test]
    fn output_inside_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let roots = [input.clone()];
        assert!(check_output_folder(&roots, &input).is_err());
        assert!(check_output_folder(&roots, &input.join("sub/out")).is_err());
        assert!(check_output_folder(&roots, &input.join("../in/x")).is_err());
        assert!(check_output_folder(&roots, &dir.path().join("out")).is_ok());
    }
}
