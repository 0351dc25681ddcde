//! `chanviz check FILE.toml --fail-on NAME`: run a scenario headless, as
//! `chanviz run FILE --headless` does, follow every warning that fires, and
//! turn the named ones into an exit code (1: one fired, 0: none did, 2: bad
//! input): a backpressure test a user can put in CI.

use super::*;
use crate::format;
use crate::scenario::runner::EndReason;
use std::io::Write;

/// `chanviz check --help`'s examples.
pub(super) const HELP: &str = "\
Examples:
  chanviz check load.toml --fail-on consumer-bound
  chanviz check load.toml --fail-on consumer-bound --fail-on stuck-closing --duration 20s
  chanviz check --demo backpressure --duration 6s --fail-on consumer-bound

The run prints what `chanviz run FILE --headless` prints, then what fired and one line
per --fail-on. Each warning is looked at every 250ms (and at every tick); it counts as
fired if it was on at any of those moments. The scenario must end: give it a duration
(duration = \"30s\" in the file, or --duration).

Exit codes: 0 no --fail-on warning fired, 1 one did (or the run failed, or was stopped
before its end: Ctrl-C, or its output closed), 2 bad input.";

/// `chanviz check`'s flags.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML; the format is in README.md).
    pub file: Option<PathBuf>,
    /// A built-in demo instead of a file.
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub demo: Option<String>,
    /// Exit 1 if this warning fired (repeatable; at least one): consumer-bound,
    /// producer-bound, stuck-closing, lost-wakeup or thundering-herd.
    #[arg(long = "fail-on", value_name = "NAME", value_parser = warning_kind)]
    pub fail_on: Vec<WarningKind>,
    /// Values that replace the scenario's.
    #[command(flatten)]
    pub overrides: Overrides,
    /// Scenario time between tick lines.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: String,
}

/// Run the check; returns the exit code.
pub(super) fn check(args: &CheckArgs) -> i32 {
    let names = || {
        WarningKind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if args.fail_on.is_empty() {
        return bad_input(format!(
            "check: which warnings fail the check? give at least one --fail-on NAME; the \
             warnings are: {}",
            names()
        ));
    }
    let scenario = match (&args.file, &args.demo) {
        (Some(file), _) => spec::load(file),
        (None, Some(name)) => match demos::find(name) {
            Some(demo) => demo.scenario(),
            None => return bad_input(unknown_demo(name)),
        },
        (None, None) => {
            return bad_input("check: which scenario? give a scenario file (or --demo NAME)")
        }
    };
    let mut scenario = match scenario {
        Ok(s) => s,
        Err(e) => return bad_input(e),
    };
    if let Err(e) = args.overrides.apply(&mut scenario) {
        return bad_input(e);
    }
    if scenario.duration.is_none() {
        return bad_input(format!(
            "check: {} runs until stopped (its duration is unlimited); a check needs a run \
             that ends: set duration = \"30s\" in the file, or give --duration 30s",
            scenario.name
        ));
    }
    let interval = RunArgs {
        interval: args.interval.clone(),
        ..RunArgs::default()
    }
    .interval();
    let interval = match interval {
        Ok(d) => d,
        Err(m) => return bad_input(m),
    };
    if probe().is_none() {
        return failure("check: needs the probe, and another tracing subscriber is installed");
    }
    let handle = match start_headless(&scenario) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let every = WarningFilter::default();
    let run = headless::run_filtered(
        &scenario,
        handle,
        snapshot_source(),
        Format::Text,
        interval,
        &every,
        &mut out,
    );
    let (outcome, log) = match run {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    let code = verdict(&outcome);
    // A closed pipe (`| head`) is not a reason to panic: the exit code
    // still says how the check went.
    macro_rules! say {
        ($($arg:tt)*) => {{
            let _ = writeln!(out, $($arg)*);
        }};
    }
    let fired: Vec<String> = log
        .fired()
        .iter()
        .map(|f| format!("{} (from {})", f.kind, format::elapsed(f.first)))
        .collect();
    say!(
        "check: fired during the run: {}",
        if fired.is_empty() {
            "none".to_string()
        } else {
            fired.join(", ")
        }
    );
    let mut failed = Vec::new();
    for &kind in &args.fail_on {
        match log.fired().iter().find(|f| f.kind == kind) {
            Some(f) => {
                say!(
                    "check: --fail-on {kind}: FIRED: {} Try: {}",
                    f.what,
                    f.try_this
                );
                if !failed.contains(&kind.name()) {
                    failed.push(kind.name());
                }
            }
            None => say!("check: --fail-on {kind}: not fired"),
        }
    }
    if !failed.is_empty() {
        say!("check: FAILED: {} fired", failed.join(", "));
        return EXIT_FAILURE;
    }
    if outcome.summary.end == EndReason::Shutdown {
        say!(
            "check: FAILED: the run was stopped before its end (Ctrl-C, or the output was \
             closed), so it cannot pass"
        );
        eprintln!("chanviz: check: the run was stopped before its end; it does not pass");
        return EXIT_FAILURE;
    }
    if code != EXIT_OK {
        say!("check: FAILED: the run itself failed");
        return code;
    }
    say!("check: passed: no --fail-on warning fired");
    EXIT_OK
}
