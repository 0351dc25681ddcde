//! The probe: decodes the channel's tracing events (schema v1) into a live
//! model and hands out consistent [`Snapshot`]s. It must never use a chanviz
//! channel, or anything else that emits these events, for its own transport.

pub mod snapshot;

pub use snapshot::*;
