//! `chanviz export FILE --perfetto OUT.json`: a recording as Chrome
//! trace-event JSON, to open in ui.perfetto.dev (`crate::export::perfetto`
//! says what is in it).

use super::*;
use crate::export::perfetto;
use std::fs::File;
use std::io::{BufWriter, Write};

/// `chanviz export --help`'s examples.
pub(super) const HELP: &str = "\
Examples:
  chanviz demo backpressure --headless --duration 10s --record bp.rec
  chanviz export bp.rec --perfetto bp.json                  then open bp.json in ui.perfetto.dev
  chanviz export bp.rec --perfetto bp.json --max-flows 500  only the first 500 message arrows
  chanviz export bp.rec --perfetto - | gzip > bp.json.gz    to stdout

In the trace: a process per channel (counters: ring len, senders waiting, receivers
waiting), a thread per handle (S0, R0, ...) with a slice for every park, an arrow from
each push to the pop of the same message, and instants for type-state transitions,
lifecycle changes and gaps.

Exit codes: 0 written, 1 the write failed, 2 bad input (a missing file, not a recording,
an OUT that cannot be created, no --perfetto).";

/// `chanviz export`'s flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The recording (made with --record).
    pub file: PathBuf,
    /// Write Chrome trace-event JSON for ui.perfetto.dev to this file (`-`:
    /// stdout).
    #[arg(long, value_name = "OUT.json")]
    pub perfetto: Option<PathBuf>,
    /// Draw only the first N message arrows (push to pop, in the order of the
    /// pops); all of them by default.
    #[arg(long, value_name = "N")]
    pub max_flows: Option<u64>,
}

/// Export; returns the exit code.
pub(super) fn export(args: &ExportArgs) -> i32 {
    let Some(out) = &args.perfetto else {
        return bad_input(
            "export: to what? give --perfetto OUT.json (Chrome trace-event JSON for \
             ui.perfetto.dev; - for stdout)",
        );
    };
    let loaded = match record::load(&args.file) {
        Ok(l) => l,
        Err(e) => return bad_input(e),
    };
    let to_stdout = out.as_os_str() == "-";
    if !to_stdout && same_file(&args.file, out) {
        return bad_input(format!(
            "--perfetto {}: that is the recording itself; choose another file",
            out.display()
        ));
    }
    if let Some(n) = loaded.truncated_after {
        eprintln!(
            "chanviz: {}: the recording ends after event {} (cut short: its writer did not \
             finish); exporting what is there",
            args.file.display(),
            format::count(n)
        );
    }
    let opts = perfetto::Options {
        max_flows: args.max_flows,
    };
    let written = if to_stdout {
        let mut w = BufWriter::new(std::io::stdout().lock());
        perfetto::write(&loaded, &opts, &mut w).and_then(|s| w.flush().map(|()| s))
    } else {
        let file = match File::create(out) {
            Ok(f) => f,
            Err(e) => {
                return bad_input(format!("--perfetto: cannot create {}: {e}", out.display()))
            }
        };
        let mut w = BufWriter::new(file);
        let written = perfetto::write(&loaded, &opts, &mut w).and_then(|s| w.flush().map(|()| s));
        if written.is_err() {
            // Half a trace would not open: leave none.
            drop(w);
            let _ = std::fs::remove_file(out);
        }
        written
    };
    let s = match written {
        Ok(s) => s,
        Err(e) => return failure(format!("--perfetto: cannot write {}: {e}", out.display())),
    };
    let plural = |n: u64, one: &str, many: &str| {
        format!("{} {}", format::count(n), if n == 1 { one } else { many })
    };
    let limited = match args.max_flows {
        Some(m) if s.flows_drawn < s.flows_total => format!(" (--max-flows {m})"),
        _ => String::new(),
    };
    eprintln!(
        "chanviz: wrote {}: {}, {}, {}, {} of {} message arrows{limited}, {} (from {} \
         recorded events); open it in ui.perfetto.dev",
        if to_stdout {
            "stdout".to_string()
        } else {
            out.display().to_string()
        },
        plural(s.trace_events, "trace event", "trace events"),
        plural(s.channels, "channel", "channels"),
        plural(s.handles, "handle", "handles"),
        format::count(s.flows_drawn),
        format::count(s.flows_total),
        plural(s.park_slices, "park slice", "park slices"),
        format::count(s.recorded_events),
    );
    EXIT_OK
}

/// Whether `out` exists and is `file` (the export would overwrite the
/// recording).
fn same_file(file: &std::path::Path, out: &std::path::Path) -> bool {
    match (file.canonicalize(), out.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
