//! What neardup writes about a scan: the report model ([`report`]) and its writers, one module
//! per format ([`text`], [`json`], [`html`]), and the lists for scripts ([`lists`]). Writers render the model; they never look at the pipeline.

pub mod html;
pub(crate) mod json;
pub mod lists;
pub mod report;
pub(crate) mod text;
