//! Front ends: the two ways to write a topology. Both produce a
//! [`crate::spec::Topology`], and from there on the pipeline is shared, so
//! they compile to byte-identical output by construction.

pub mod dsl;
pub mod toml;
