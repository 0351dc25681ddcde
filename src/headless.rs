//! Headless output: text lines or JSON lines from `probe::Snapshot`s.
