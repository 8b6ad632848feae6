//! The library's error type: what can stop a whole run (as opposed to a problem with one input,
//! which is a [`crate::diagnostic::Diagnostic`] and never stops the run).

use std::path::PathBuf;

/// Errors that abort an operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is out of range or parameters contradict each other.
    #[error("invalid parameters: {0}")]
    InvalidConfig(String),
    /// `clean` refused to write where it was asked to (an input would be modified or lost).
    #[error("refusing to write: {0}")]
    Refused(String),
    /// Reading or writing a path failed in a way that stops the operation.
    #[error("{}: {}", path.display(), crate::diagnostic::io_reason(source))]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An output (a file or folder the operation makes) could not be made or written.
    #[error("{}: could not write this output: {}", path.display(), crate::diagnostic::io_reason(source))]
    Output {
        /// The output.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `--keep-by FIELD` found no document with a value in FIELD it can compare (a misspelt
    /// field, or inputs without records): it would decide nothing.
    #[error(
        "--keep-by {field}: no record has a value in this field ({records} of the {documents} documents read are records), so it would decide nothing"
    )]
    KeepFieldMissing {
        /// The field.
        field: String,
        /// Documents read.
        documents: usize,
        /// Those that are records of JSON Lines or Parquet files.
        records: usize,
    },
    /// Writing or reading the spilled data in the work folder failed (a full disk): what the
    /// run wrote there is removed.
    #[error("work folder {}: {}; the run stopped and removed what it wrote there", path.display(), crate::diagnostic::io_reason(source))]
    WorkFolder {
        /// The work folder (or where it was to be made).
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The run was cancelled ([`crate::config::ScanConfig::cancel`]); its work folder is
    /// removed.
    #[error("the run was cancelled")]
    Cancelled,
}

/// Result with the library's error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
