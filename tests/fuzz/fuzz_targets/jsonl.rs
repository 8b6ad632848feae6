#![no_main]
//! See `invariants::jsonl` for what this target checks.

use libfuzzer_sys::fuzz_target;

#[path = "../invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| invariants::jsonl(data));
