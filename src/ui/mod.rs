//! The TUI: draws `probe::Snapshot`s at a fixed frame rate and turns keys into
//! `scenario::control::Command`s. Never touches the channel or the runner's
//! tasks directly.
