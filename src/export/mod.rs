//! Exports: a recording turned into a format other tools read.
//!
//! - [`perfetto`]: Chrome trace-event JSON (the "JSON Object Format") that
//!   opens in ui.perfetto.dev and chrome://tracing: a process per channel
//!   with its counters, a thread per handle with a slice for every park, an
//!   arrow from each push to the pop of the same message, and instants for
//!   type-state transitions, lifecycle changes and gaps.
//!
//! Needs feature `record` only (it reads a [`crate::record::Loaded`]); the
//! `chanviz export` subcommand lives in the binary.

pub mod perfetto;
