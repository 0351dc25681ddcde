//! The runner: every demo ends with nothing lost, and every way of ending a
//! run (duration, quota, close from either side, drop, shutdown) drains.
#![cfg(feature = "tui")]

mod deadline;

use std::time::{Duration, Instant};

use chanviz::scenario::control::{Command, Knob, Mode, Turn};
use chanviz::scenario::demos::DEMOS;
use chanviz::scenario::runner::HandleState::{self, Closed, Closing, Open};
use chanviz::scenario::runner::{
    EndReason, Role, RunOptions, Runner, RunnerHandle, Summary, TransitionRecord,
};
use chanviz::scenario::spec::{self, Scenario};

fn scenario(toml: &str) -> Scenario {
    spec::parse("test.toml", "test", toml).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: Scenario) -> Summary {
    finish(Runner::start(s, RunOptions::default()).unwrap())
}

/// A scenario of 8 slots with `tables` (`[producers]`, `[consumers]`) and
/// one script step: (at, action).
fn scripted(tables: &str, (at, action): (&str, &str)) -> String {
    format!(
        "title = \"s\"\ncapacity = 8\n{tables}\n[[script]]\nat = \"{at}\"\naction = \"{action}\"\n"
    )
}

/// A close through the type state: `Open -> Closing`, then `Closing -> Closed`.
const CLOSE_STEPS: [(HandleState, HandleState); 2] = [(Open, Closing), (Closing, Closed)];

/// The (from, to) of the transitions that `keep` selects, oldest first.
fn steps(s: &Summary, keep: impl Fn(&TransitionRecord) -> bool) -> Vec<(HandleState, HandleState)> {
    s.transitions
        .iter()
        .filter(|t| keep(t))
        .map(|t| (t.from, t.to))
        .collect()
}

/// Run to the end: the script closed the channel, and nothing was lost.
fn run_until_closed(toml: &str) -> Summary {
    let s = run(scenario(toml));
    assert_eq!(s.end, EndReason::Closed, "{s:#?}");
    assert_nothing_lost(&s);
    s
}

fn start(toml: &str) -> RunnerHandle {
    Runner::start(scenario(toml), RunOptions::default()).unwrap()
}

/// A run that stays in `Finished` until shut down (as the TUI's does).
fn start_lingering(toml: &str) -> RunnerHandle {
    let opts = RunOptions {
        linger: true,
        ..RunOptions::default()
    };
    Runner::start(scenario(toml), opts).unwrap()
}

/// Shut the run down; it must drain with nothing lost.
fn shut_down(h: RunnerHandle) -> Summary {
    h.shutdown();
    let s = finish(h);
    assert_nothing_lost(&s);
    s
}

/// The run's summary; a run that never ends fails the test (a deadline, not
/// a timing assertion: "it does not hang").
fn finish(h: RunnerHandle) -> Summary {
    deadline::within("the run ends", move || h.wait().unwrap())
}

fn assert_nothing_lost(s: &Summary) {
    assert_eq!(s.sent, s.received, "{s:#?}");
    assert_eq!(s.lost, 0, "{s:#?}");
    let by_producers: u64 = s.producers.iter().map(|p| p.messages).sum();
    let by_consumers: u64 = s.consumers.iter().map(|c| c.messages).sum();
    assert_eq!(by_producers, s.sent, "{s:#?}");
    assert_eq!(by_consumers, s.received, "{s:#?}");
}

/// Poll `cond` until it holds (generous deadline; not a timing assertion).
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The deadline the other tests wait under turns a hang into a failure: an
/// unlimited run that nobody shuts down is reported, not waited for.
#[test]
#[should_panic(expected = "did not finish within")]
fn a_run_that_never_ends_fails_the_test_instead_of_hanging_it() {
    let h = start("title = \"u\"\ncapacity = 4\n[producers]\nrate = 100\n");
    deadline::within_for(Duration::from_millis(300), "an unlimited run", move || {
        h.wait().unwrap()
    });
}

#[test]
fn every_demo_runs_briefly_and_loses_nothing() {
    let handles: Vec<(&str, RunnerHandle)> = DEMOS
        .iter()
        .map(|d| {
            let mut s = d.scenario().unwrap();
            s.duration = Some(Duration::from_millis(600));
            s.workers = 1;
            (d.name, Runner::start(s, RunOptions::default()).unwrap())
        })
        .collect();
    for (name, h) in handles {
        let s = finish(h);
        assert_eq!(s.scenario, name);
        assert!(s.sent > 0, "{name} sent nothing");
        assert_nothing_lost(&s);
        assert_eq!(s.end, EndReason::Duration, "{name}");
        // The end of a run closes the channel through S0's type state.
        assert_eq!(steps(&s, |t| t.handle == "S0"), CLOSE_STEPS, "{name}");
    }
}

#[test]
fn a_quota_ends_the_run_when_every_message_is_received() {
    let s = run(scenario(
        "title = \"q\"\ncapacity = 4\n[producers]\ncount = 3\nmessages = 200\n[consumers]\ncount = 2\n",
    ));
    assert_eq!(s.end, EndReason::AllSent);
    assert_eq!(s.sent, 600);
    assert_nothing_lost(&s);
}

#[test]
fn shutdown_drains_an_unlimited_run() {
    // Slow consumer, fast producers: the ring is full when we shut down.
    let h = start(
        "title = \"s\"\ncapacity = 8\n[producers]\ncount = 3\n[consumers]\nwork = \"20ms\"\n",
    );
    eventually("the ring fills", || h.stats().sent >= 8);
    let s = shut_down(h);
    assert_eq!(s.end, EndReason::Shutdown);
    assert_nothing_lost(&s);
}

#[test]
fn a_scripted_close_from_either_side_goes_through_every_type_state() {
    let sender_side = "[producers]\ncount = 2\nrate = 500\n[consumers]\nwork = \"2ms\"";
    let receiver_side = "[producers]\ncount = 2\n[consumers]\ncount = 2\nwork = \"5ms\"";
    for (tables, action, closer) in [
        (sender_side, "close_from_sender", Role::Sender),
        (receiver_side, "close_from_receiver", Role::Receiver),
    ] {
        // Buffered messages are still delivered (run_until_closed checks).
        let s = run_until_closed(&scripted(tables, ("150ms", action)));
        assert_eq!(steps(&s, |t| t.role == closer), CLOSE_STEPS, "{action}");
        // A task's handle closed it; the runner's own S0 had nothing to close.
        assert!(s.transitions.iter().all(|t| t.handle != "S0"), "{s:#?}");
    }
}

#[test]
fn dropping_the_last_producer_closes_the_channel() {
    let s = run_until_closed(&scripted(
        "[producers]\nrate = 1000",
        ("100ms", "drop_producer"),
    ));
    // Closed by drop, not by close(): no type-state transition was performed.
    assert!(s.transitions.is_empty(), "{:#?}", s.transitions);
}

#[test]
fn knobs_follow_commands_and_never_remove_the_last_task() {
    let h = start("title = \"k\"\ncapacity = 8\n[producers]\nrate = 100\n");
    let c = h.control();
    eventually("one producer", || c.knobs().producers == 1);
    c.command(Command::RemoveProducer);
    c.command(Command::RemoveConsumer);
    c.command(Command::AddProducer);
    c.command(Command::AddConsumer);
    c.command(Command::AddConsumer);
    eventually("2 producers, 3 consumers", || {
        let k = c.knobs();
        k.producers == 2 && k.consumers == 3
    });
    c.command(Command::Turn(Knob::Rate, Turn::Up));
    c.command(Command::Turn(Knob::Work, Turn::Up));
    c.command(Command::Turn(Knob::Speed, Turn::Up));
    eventually("faster, more work, slower speed", || {
        let k = c.knobs();
        // One notch up from 100/s, wherever the notches are.
        k.rate
            == chanviz::scenario::knobs::step_rate(
                chanviz::scenario::control::Rate::PerSec(100.0),
                true,
            )
            && k.work == Duration::from_micros(100)
            && k.speed == 0.5
    });
    shut_down(h);
}

#[test]
fn a_changed_capacity_takes_effect_on_restart() {
    let h = start_lingering("title = \"c\"\ncapacity = 8\n[producers]\nrate = 100\n");
    let c = h.control();
    c.command(Command::Turn(Knob::Capacity, Turn::Up));
    c.command(Command::Turn(Knob::Capacity, Turn::Up));
    eventually("next capacity 32, current still 8", || {
        let k = c.knobs();
        k.next_capacity == 32 && k.capacity == 8
    });
    c.command(Command::Turn(Knob::Capacity, Turn::Down));
    c.command(Command::Restart);
    eventually("a fresh channel of 16 slots", || {
        let k = c.knobs();
        k.capacity == 16 && k.next_capacity == 16 && c.mode() == Mode::Running
    });
    shut_down(h);
}

/// Wait until messages flow end to end; the run's control.
fn with_traffic(h: &RunnerHandle) -> std::sync::Arc<dyn chanviz::scenario::control::Control> {
    eventually("some traffic", || h.stats().received > 3);
    h.control()
}

/// Wait until the counters stop moving (the run is paused).
fn settle(h: &RunnerHandle) -> (u64, u64) {
    let mut last = (h.stats().sent, h.stats().received);
    eventually("quiet", || {
        std::thread::sleep(Duration::from_millis(60));
        let now = (h.stats().sent, h.stats().received);
        let quiet = now == last;
        last = now;
        quiet
    });
    last
}

#[test]
fn pause_stops_traffic_and_each_step_lets_one_operation_through() {
    let h = start("title = \"p\"\ncapacity = 8\n[producers]\nrate = 200\n");
    let c = with_traffic(&h);
    c.command(Command::TogglePause);
    eventually("paused", || c.mode() == Mode::Paused);
    let (sent0, _) = settle(&h);
    // Each step lets one task touch the channel: one send, or one receive
    // (which may park until a later step's send completes it).
    let mut sent = sent0;
    for step in 1..=6u64 {
        c.command(Command::Step);
        let (now, _) = settle(&h);
        assert!(
            now <= sent + 1,
            "step {step}: {} sends for one step",
            now - sent
        );
        assert_eq!(c.mode(), Mode::Step);
        sent = now;
    }
    assert!(sent > sent0, "six steps let no send through");
    c.command(Command::TogglePause);
    eventually("running again", || h.stats().sent > sent + 3);
    assert_eq!(c.mode(), Mode::Running);
    shut_down(h);
}

#[test]
fn restart_starts_a_fresh_channel_and_keeps_counting() {
    let h = start_lingering("title = \"r\"\ncapacity = 8\n[producers]\nrate = 500\n");
    let c = with_traffic(&h);
    c.command(Command::AddProducer);
    c.command(Command::Restart);
    // Back to the scenario's one producer, with traffic on the new channel.
    eventually("restarted", || {
        c.mode() == Mode::Running && c.knobs().producers == 1
    });
    let after = h.stats().sent;
    eventually("traffic after restart", || h.stats().sent > after + 5);
    let s = shut_down(h);
    assert_eq!(s.restarts, 1);
    assert_nothing_lost(&s);
    // Two producers in run 1, the scenario's one in run 2; the summary can
    // tell the two S1s apart.
    let runs = |tasks: &[chanviz::scenario::runner::TaskStats]| {
        tasks
            .iter()
            .map(|t| (t.handle.clone(), t.run))
            .collect::<Vec<_>>()
    };
    let producers = runs(&s.producers);
    assert_eq!(
        producers.iter().filter(|p| p.1 == 1).count(),
        2,
        "{producers:?}"
    );
    assert_eq!(
        producers.iter().filter(|p| p.1 == 2).count(),
        1,
        "{producers:?}"
    );
    assert!(
        runs(&s.consumers).iter().any(|c| c.1 == 2),
        "{:?}",
        s.consumers
    );
}

#[test]
fn a_lingering_run_waits_in_finished_until_shutdown() {
    let h =
        start_lingering("title = \"l\"\ncapacity = 4\nworkers = 1\n[producers]\nmessages = 10\n");
    eventually("finished", || h.control().mode() == Mode::Finished);
    assert!(!h.is_finished(), "lingers until told to stop");
    let s = shut_down(h);
    assert_eq!(s.end, EndReason::AllSent);
    assert_eq!(s.sent, 10);
}

/// Two producers fill a 4-slot ring that a slow consumer drains, then the
/// run is paused and has settled. Returns the run and its received count.
fn full_ring_paused() -> (RunnerHandle, u64) {
    let h =
        start("title = \"c\"\ncapacity = 4\n[producers]\ncount = 2\n[consumers]\nwork = \"5ms\"\n");
    eventually("the ring fills", || h.stats().sent >= 6);
    h.control().command(Command::TogglePause);
    let (_, received) = settle(&h);
    (h, received)
}

#[test]
fn steps_drain_a_channel_closed_while_paused() {
    let (h, received) = full_ring_paused();
    let c = h.control();
    c.command(Command::Close);
    eventually("producers gone", || c.knobs().producers == 0);
    let mut received = received;
    for _ in 0..3 {
        c.command(Command::Step);
        eventually("one receive per step", || h.stats().received > received);
        received = h.stats().received;
    }
    c.command(Command::TogglePause);
    let s = finish(h);
    assert_eq!(s.end, EndReason::Closed);
    assert_nothing_lost(&s);
}

#[test]
fn shutdown_while_paused_in_the_middle_of_a_close_still_drains() {
    let (h, _) = full_ring_paused();
    h.control().command(Command::Close);
    shut_down(h);
}
