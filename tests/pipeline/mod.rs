//! `examples/pipeline.rs` as a process of its own, for the tests that
//! attach to it (`tests/attach.rs`, `tests/ui_tmux.rs`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The example's binary, built if `cargo test` has not built it yet.
pub fn pipeline_bin() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_BIN_EXE_chanviz"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf();
    let bin = dir.join("examples").join("pipeline");
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", "pipeline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build --example pipeline");
        assert!(status.success());
    }
    bin
}

/// The pipeline, listening on a port of its own; its address (from the
/// line it prints) and the process.
pub fn start_pipeline(secs: f64) -> (String, Child) {
    let mut child = Command::new(pipeline_bin())
        .env("CHANVIZ_ADDR", "127.0.0.1:0")
        .env("PIPELINE_SECS", secs.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the pipeline");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("its first line");
    let addr = line
        .split('`')
        .nth(1)
        .and_then(|cmd| cmd.strip_prefix("chanviz attach "))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (addr, child)
}

/// The program's own counts: `pipeline: lines N, transformed N, written N`.
pub fn program_counts(child: Child) -> (u64, u64, u64) {
    let out = crate::deadline::within("the pipeline ends", move || child.wait_with_output())
        .expect("the pipeline's output");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("pipeline:"))
        .unwrap_or_else(|| panic!("{text}"));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(n.len(), 3, "{line}");
    (n[0], n[1], n[2])
}
