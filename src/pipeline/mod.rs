//! The algorithms, as plain functions over plain data: none of them reads a file or prints.
//!
//! A document's text goes through [`normalize`] (tokens) -> [`shingle`] (k-gram fingerprints)
//! -> [`minhash`] (signatures) -> [`lsh`] (candidate pairs) -> [`jaccard`] (verification) ->
//! [`cluster`] ([`keep`] says which member stays); alongside, [`paragraph`] cuts it into paragraphs and finds the repeats inside it,
//! and [`boilerplate`] finds the paragraphs shared by many unrelated documents; [`passages`]
//! aligns the passages two texts share. [`hash`],
//! [`jaccard`] and [`union_find`] are the small pieces several stages share; they depend on
//! nothing.

pub(crate) mod boilerplate;
pub(crate) mod cluster;
pub(crate) mod hash;
pub(crate) mod jaccard;
pub(crate) mod keep;
pub(crate) mod lsh;
pub(crate) mod minhash;
pub(crate) mod normalize;
pub(crate) mod paragraph;
pub(crate) mod passages;
pub(crate) mod shingle;
pub(crate) mod union_find;
