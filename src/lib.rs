//! chanviz: a fast, instrumented, type-state async MPMC channel, and the
//! engine and TUI that show it working.
//!
//! - [`channel`]: the channel itself. Runtime-agnostic; emits `tracing`
//!   events (schema v2, see [`channel`]'s docs) and knows nothing of who
//!   listens.
//! - `probe` (feature `tui`): a `tracing_subscriber::Layer` that decodes those
//!   events into a live model and hands out consistent snapshots.
//! - `scenario` (feature `tui`): scenario files, validation, and the runner.
//! - `ui` (feature `tui`): the ratatui front end, drawn from snapshots.
//! - `export` (feature `record`): a recording as Chrome trace-event JSON
//!   for ui.perfetto.dev.
#![warn(missing_docs)]

pub mod channel;

#[cfg(feature = "record")]
pub mod probe;

#[cfg(feature = "record")]
pub mod record;

#[cfg(feature = "observe")]
pub mod observe;

/// `chanviz::observe()`: see [`observe::observe`] (feature `observe`).
#[cfg(feature = "observe")]
pub use observe::observe;

#[cfg(feature = "record")]
pub mod export;

#[cfg(feature = "tui")]
pub mod scenario;

#[cfg(feature = "tui")]
pub mod format;

#[cfg(feature = "tui")]
pub mod headless;

#[cfg(feature = "tui")]
pub mod ui;

#[cfg(feature = "tui")]
pub mod cli;

#[cfg(feature = "tui")]
pub mod screenshot;

/// The examples in README.md are compiled and run as doc tests, so the
/// README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
