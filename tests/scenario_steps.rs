//! The scenario clock and steps, as a teacher uses them: pause, then press
//! `n` again and again. Each step is one channel operation (a push, a pop or
//! a park; a pop's wake belongs to the pop, and the woken task's retry is a
//! step of its own); stepping reaches the script (the close at 6 s in
//! `shutdown`) and walks through the drain; the clock stands still between
//! steps; and stepping does not change what the demo does (in `spsc` the
//! receiver still parks).
//!
//! Nothing here asserts how fast anything is: each step is waited for with a
//! generous deadline, and "nothing else happened" is read from the probe's
//! log after the run has been left alone for a moment (a slow machine can
//! only hide an extra operation, never invent one).
#![cfg(feature = "tui")]

mod deadline;

use std::time::{Duration, Instant};

use chanviz::probe::{
    EventKind, Lifecycle, LogEntry, Probe, ProbeLayer, Role, Side, Snapshot, WakeCause,
};
use chanviz::scenario::clock::SceneClock;
use chanviz::scenario::control::{Command, Control, Mode};
use chanviz::scenario::demos;
use chanviz::scenario::runner::{RunOptions, Runner, RunnerHandle};
use chanviz::scenario::spec::Scenario;

const LOG: usize = 100_000;

/// How long a step may take to show (a deadline, not a measurement).
const STEP_DEADLINE: Duration = Duration::from_secs(10);

/// How long the run is left alone after a step before its events are read.
const QUIET: Duration = Duration::from_millis(60);

struct Run {
    handle: RunnerHandle,
    probe: Probe,
    clock: std::sync::Arc<SceneClock>,
}

fn demo(name: &str) -> Scenario {
    demos::find(name)
        .unwrap_or_else(|| panic!("no demo {name}"))
        .scenario()
        .unwrap()
}

fn start(s: Scenario) -> Run {
    let probe = ProbeLayer::with_log_capacity(LOG).probe();
    let clock = SceneClock::new();
    assert!(probe.follow(clock.clone()));
    let handle = Runner::start(
        s,
        RunOptions {
            linger: true,
            dispatch: Some(probe.dispatch()),
            clock: Some(clock.clone()),
            ..RunOptions::default()
        },
    )
    .unwrap();
    Run {
        handle,
        probe,
        clock,
    }
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + STEP_DEADLINE;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "{what}: not within {STEP_DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A channel operation: a push, a pop or a park. Wakes, handle and lifecycle
/// events are what an operation (or a close) brings with it.
/// Whether `e` is an operation of its own. A hand-off (the push of a parked
/// sender's message by the pop that made room) is part of that pop.
fn is_operation(e: &LogEntry) -> bool {
    matches!(
        e.kind,
        EventKind::Push { handoff: false, .. }
            | EventKind::Pop { .. }
            | EventKind::SendWait { .. }
            | EventKind::RecvWait { .. }
    )
}

impl Run {
    fn snapshot(&self) -> Snapshot {
        self.probe.snapshot_with_events(LOG)
    }

    fn events_seen(&self) -> u64 {
        self.probe.snapshot_with_events(0).events_seen
    }

    fn pause(&self) {
        self.handle.command(Command::TogglePause);
        wait_for("the run pauses", || self.handle.mode() == Mode::Paused);
        // Let an operation already under way finish.
        std::thread::sleep(QUIET);
    }

    /// Press `n` once; return the events the step brought, once something
    /// happened and the run stayed quiet for a moment after it. Panics if
    /// the clock moved while nothing was asked of it.
    fn step(&self) -> Vec<LogEntry> {
        let before = self.events_seen();
        let t0 = self.clock.now_us();
        std::thread::sleep(QUIET);
        assert_eq!(
            self.clock.now_us(),
            t0,
            "the scenario clock moved while paused between steps"
        );
        assert_eq!(
            self.events_seen(),
            before,
            "an operation happened while paused, with no step asked for"
        );
        self.handle.command(Command::Step);
        wait_for("a step shows an event or ends the run", || {
            self.events_seen() > before || self.handle.mode() == Mode::Finished
        });
        std::thread::sleep(QUIET);
        let snap = self.snapshot();
        snap.events
            .into_iter()
            .filter(|e| e.seq >= before)
            .collect()
    }
}

fn describe(events: &[LogEntry]) -> String {
    events
        .iter()
        .map(|e| format!("{:?}", e.kind))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The done-when of "Classroom truth": pause `shutdown` early, then step one
/// operation at a time into the close at 6 s and through the drain, with
/// every time scenario time.
#[test]
fn stepping_walks_shutdown_into_the_close_and_through_the_drain() {
    let run = start(demo("shutdown"));
    wait_for("the run starts", || run.events_seen() > 0);
    run.pause();
    let paused_at = run.clock.run_time();
    assert!(
        paused_at < Duration::from_secs(5),
        "paused only at {paused_at:?}"
    );
    let mut steps = 0;
    let mut saw_closing_in_step = false;
    let mut pops_after_close = 0;
    loop {
        steps += 1;
        assert!(steps < 2_000, "2,000 steps and the channel is not closed");
        let events = run.step();
        let ops = events.iter().filter(|e| is_operation(e)).count();
        assert!(
            ops <= 1,
            "step {steps} ran {ops} operations: {}",
            describe(&events)
        );
        let closing = events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::Lifecycle {
                    to: Lifecycle::Closing,
                    ..
                }
            )
        });
        if closing {
            saw_closing_in_step = true;
            let at = run.clock.run_time();
            assert!(
                at >= Duration::from_secs(6),
                "the close came at {at:?} of scenario time, before the script's 6 s"
            );
        }
        if saw_closing_in_step {
            pops_after_close += events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Pop { .. }))
                .count();
        }
        let snap = run.snapshot();
        let chan = snap.current().unwrap();
        if chan.lifecycle == Lifecycle::Closed {
            break;
        }
        assert_ne!(run.handle.mode(), Mode::Running, "stepping resumed the run");
    }
    assert!(
        saw_closing_in_step,
        "the close at 6 s was never reached by stepping"
    );
    assert!(
        pops_after_close >= 2,
        "the drain was not stepped through: {pops_after_close} pops after the close"
    );
    // Scenario time moved only through steps: from the pause to past 6 s.
    assert!(run.clock.run_time() >= Duration::from_secs(6));
    run.handle.shutdown();
    let summary = deadline::within("the run ends", move || run.handle.wait().unwrap());
    assert_eq!(summary.sent, summary.received);
    // The summary's duration is scenario time too (about 6 s plus the
    // drain), not the wall time of this test.
    let close = summary
        .transitions
        .iter()
        .find(|t| t.to == chanviz::probe::HandleState::Closing)
        .expect("a sender went to Closing");
    assert!(
        close.at_ms >= 6_000.0,
        "the transition is stamped {} ms, not scenario time",
        close.at_ms
    );
}

/// Stepping must not hide what `spsc` is about: the receiver still finds
/// the ring empty and parks, because each step is the next thing due in
/// scenario time (a consumer's work ends, the next burst is due).
#[test]
fn stepping_spsc_still_parks_the_receiver() {
    let run = start(demo("spsc"));
    wait_for("the run starts", || run.events_seen() > 0);
    run.pause();
    let mut parks = 0;
    let mut pushes = 0;
    for i in 0..60 {
        let events = run.step();
        let ops = events.iter().filter(|e| is_operation(e)).count();
        assert!(ops <= 1, "step {i} ran {ops}: {}", describe(&events));
        parks += events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::RecvWait { .. }))
            .count();
        pushes += events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Push { .. }))
            .count();
    }
    assert!(pushes >= 8, "60 steps pushed only {pushes} messages");
    assert!(parks >= 2, "60 steps and the receiver parked {parks} times");
    run.handle.shutdown();
    deadline::within("the run ends", move || run.handle.wait().unwrap());
}

/// With a full ring and senders parked, a pop, the hand-off of the first
/// parked sender's message into the slot it freed, and that sender's wake
/// are one step: the ring is full again, and the woken sender's send is
/// done (it pushes nothing of its own in that step).
#[test]
fn a_pop_hands_the_first_parked_message_off_in_the_same_step() {
    let run = start(demo("backpressure"));
    wait_for("senders park on the full ring", || {
        run.snapshot()
            .current()
            .is_some_and(|c| c.waiting_senders > 0)
    });
    run.pause();
    let mut seen = false;
    for i in 0..200 {
        let events = run.step();
        let ops = events.iter().filter(|e| is_operation(e)).count();
        assert!(ops <= 1, "step {i} ran {ops}: {}", describe(&events));
        let Some(pop) = events
            .iter()
            .position(|e| matches!(e.kind, EventKind::Pop { .. }))
        else {
            continue;
        };
        let Some(handoff) = events
            .iter()
            .position(|e| matches!(e.kind, EventKind::Push { handoff: true, .. }))
        else {
            continue;
        };
        let EventKind::Push { handle: sender, .. } = events[handoff].kind else {
            unreachable!()
        };
        assert!(pop < handoff, "the pop comes first: {}", describe(&events));
        // The sender whose message moved in is the one woken, with cause
        // hand-off, after the hand-off.
        let wake = events
            .iter()
            .position(|e| {
                matches!(e.kind, EventKind::Wake {
                    side: Side::Senders,
                    woken,
                    cause: WakeCause::Handoff { role: Role::Receiver },
                    ..
                } if woken == sender)
            })
            .unwrap_or_else(|| panic!("no hand-off wake of S{sender}: {}", describe(&events)));
        assert!(handoff < wake, "{}", describe(&events));
        // It pushed nothing of its own in that step.
        assert!(
            !events.iter().any(
                |e| matches!(e.kind, EventKind::Push { handle, handoff: false, .. } if handle == sender)
            ),
            "the woken sender pushed in the same step: {}",
            describe(&events)
        );
        seen = true;
        break;
    }
    assert!(seen, "200 steps and no pop handed a parked message off");
    run.handle.shutdown();
    deadline::within("the run ends", move || run.handle.wait().unwrap());
}

/// A restart starts the scenario clock at zero again; pausing stops it.
#[test]
fn a_restart_starts_the_clock_at_zero_and_a_pause_stops_it() {
    let mut s = demo("mpsc");
    s.duration = None;
    let run = start(s);
    wait_for("the clock passes 300 ms", || {
        run.clock.run_time() > Duration::from_millis(300)
    });
    run.pause();
    let t = run.clock.run_time();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(run.clock.run_time(), t, "the clock ran while paused");
    let snap = run.probe.snapshot();
    let shown = snap.since_created(snap.current().unwrap().chan, snap.at_us);
    // Event stamps are up to a tick of the probe's coarse clock late, so
    // the channel's `created` stamp may be a little early: never later.
    let t_us = t.as_micros() as u64;
    assert!(
        shown + 2_000 >= t_us && shown <= t_us + 500_000,
        "the header would show {shown} µs, the scenario clock says {t:?}"
    );
    // At speed 1 the scenario clock cannot run ahead of the wall clock, so
    // after a restart it reads at most the wall time since the restart
    // (a machine under load may take longer than `t` to start the new run).
    let restarted = std::time::Instant::now();
    run.handle.command(Command::Restart);
    wait_for("a new channel", || run.probe.snapshot().channels.len() == 2);
    let now = run.clock.run_time();
    assert!(
        now <= restarted.elapsed() + Duration::from_millis(5),
        "after a restart the clock reads {now:?}, more than the {:?} since the restart",
        restarted.elapsed()
    );
    run.handle.shutdown();
    deadline::within("the run ends", move || run.handle.wait().unwrap());
}
