//! What neardup writes about a scan: the report model ([`report`]) and its writers, one module
//! per format ([`text`], [`json`]). Writers render the model; they never look at the pipeline.

pub(crate) mod json;
pub mod report;
pub(crate) mod text;
