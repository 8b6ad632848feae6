//! Progress reporting as a trait, so that the library stays free of any terminal code: the binary
//! plugs in progress bars, library users and tests get [`NoProgress`].

/// Stages of a scan that report progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading, normalizing, shingling and signing documents; counted in bytes.
    Hashing,
    /// Filling the LSH band tables; counted in bands.
    Banding,
    /// Checking candidate pairs; counted in pairs.
    Verifying,
    /// Writing cleaned copies; counted in input bytes.
    Writing,
}

impl Stage {
    /// A short label for progress bars.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Hashing => "hashing",
            Stage::Banding => "banding",
            Stage::Verifying => "verifying",
            Stage::Writing => "writing",
        }
    }
}

/// Receives progress from the pipeline. Called from many threads at once.
pub trait Progress: Sync {
    /// A stage begins with `total` units of work.
    fn start(&self, stage: Stage, total: u64);
    /// `units` more units of the current stage are done.
    fn advance(&self, units: u64);
    /// The current stage is over.
    fn finish(&self);
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: Stage, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
