//! Scenarios: what a run does (`spec`), the built-in demos (`demos`), and the
//! runner that executes one on tokio (`runner`). Knows the channel and the
//! probe's snapshot types; knows nothing of the UI.

pub mod clock;
pub mod control;
pub mod demos;
pub mod knobs;
pub mod runner;
pub mod spec;

pub use spec::{Action, Scenario, ScenarioError};
