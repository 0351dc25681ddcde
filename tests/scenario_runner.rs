//! The runner: every demo ends with nothing lost, and every way of ending a
//! run (duration, quota, close from either side, drop, shutdown) drains.
#![cfg(feature = "tui")]

mod deadline;

use std::time::{Duration, Instant};

use chanviz::scenario::control::{Command, Knob, Mode, Turn};
use chanviz::scenario::demos::DEMOS;
use chanviz::scenario::runner::HandleState::{Closed, Closing, Open};
use chanviz::scenario::runner::{EndReason, Role, RunOptions, Runner, RunnerHandle, Summary};
use chanviz::scenario::spec::{self, Scenario};

fn scenario(toml: &str) -> Scenario {
    spec::parse("test.toml", "test", toml).unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: Scenario) -> Summary {
    finish(Runner::start(s, RunOptions::default()).unwrap())
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
#[should_panic(expected = "it hangs")]
fn a_run_that_never_ends_fails_the_test_instead_of_hanging_it() {
    let h = Runner::start(
        scenario("title = \"u\"\ncapacity = 4\n[producers]\nrate = 100\n"),
        RunOptions::default(),
    )
    .unwrap();
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
        let s0: Vec<_> = s.transitions.iter().filter(|t| t.handle == "S0").collect();
        assert_eq!(s0.len(), 2, "{name}: {:#?}", s.transitions);
        assert_eq!((s0[0].from, s0[0].to), (Open, Closing));
        assert_eq!((s0[1].from, s0[1].to), (Closing, Closed));
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
    let h = Runner::start(
        scenario(
            "title = \"s\"\ncapacity = 8\n[producers]\ncount = 3\n[consumers]\nwork = \"20ms\"\n",
        ),
        RunOptions::default(),
    )
    .unwrap();
    eventually("the ring fills", || h.stats().sent >= 8);
    h.shutdown();
    let s = finish(h);
    assert_eq!(s.end, EndReason::Shutdown);
    assert_nothing_lost(&s);
}

#[test]
fn close_from_sender_goes_through_every_type_state() {
    let s = run(scenario(
        r#"title = "c"
capacity = 8
[producers]
count = 2
rate = 500
[consumers]
work = "2ms"
[[script]]
at = "200ms"
action = "close_from_sender"
"#,
    ));
    assert_eq!(s.end, EndReason::Closed);
    assert_nothing_lost(&s);
    let closer: Vec<_> = s.transitions.iter().filter(|t| t.handle != "S0").collect();
    assert_eq!(closer.len(), 2, "{:#?}", s.transitions);
    assert_eq!(closer[0].role, Role::Sender);
    assert_eq!((closer[0].from, closer[0].to), (Open, Closing));
    assert_eq!((closer[1].from, closer[1].to), (Closing, Closed));
}

#[test]
fn close_from_receiver_still_delivers_what_was_buffered() {
    let s = run(scenario(
        r#"title = "c"
capacity = 8
[producers]
count = 2
[consumers]
count = 2
work = "5ms"
[[script]]
at = "150ms"
action = "close_from_receiver"
"#,
    ));
    assert_eq!(s.end, EndReason::Closed);
    assert_nothing_lost(&s);
    let r: Vec<_> = s
        .transitions
        .iter()
        .filter(|t| t.role == Role::Receiver)
        .collect();
    assert_eq!(r.len(), 2, "{:#?}", s.transitions);
    assert_eq!((r[1].from, r[1].to), (Closing, Closed));
}

#[test]
fn dropping_the_last_producer_closes_the_channel() {
    let s = run(scenario(
        r#"title = "d"
capacity = 8
[producers]
rate = 1000
[[script]]
at = "100ms"
action = "drop_producer"
"#,
    ));
    assert_eq!(s.end, EndReason::Closed);
    assert_nothing_lost(&s);
    // Closed by drop, not by close(): no type-state transition was performed.
    assert!(s.transitions.is_empty(), "{:#?}", s.transitions);
}

#[test]
fn knobs_follow_commands_and_never_remove_the_last_task() {
    let h = Runner::start(
        scenario("title = \"k\"\ncapacity = 8\n[producers]\nrate = 100\n"),
        RunOptions::default(),
    )
    .unwrap();
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
        k.rate == chanviz::scenario::control::Rate::PerSec(200.0)
            && k.work == Duration::from_micros(100)
            && k.speed == 0.5
    });
    h.shutdown();
    assert_nothing_lost(&finish(h));
}

#[test]
fn a_changed_capacity_takes_effect_on_restart() {
    let h = Runner::start(
        scenario("title = \"c\"\ncapacity = 8\n[producers]\nrate = 100\n"),
        RunOptions {
            linger: true,
            ..RunOptions::default()
        },
    )
    .unwrap();
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
    h.shutdown();
    assert_nothing_lost(&finish(h));
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
    let h = Runner::start(
        scenario("title = \"p\"\ncapacity = 8\n[producers]\nrate = 200\n"),
        RunOptions::default(),
    )
    .unwrap();
    let c = h.control();
    eventually("some traffic", || h.stats().received > 3);
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
    h.shutdown();
    assert_nothing_lost(&finish(h));
}

#[test]
fn restart_starts_a_fresh_channel_and_keeps_counting() {
    let h = Runner::start(
        scenario("title = \"r\"\ncapacity = 8\n[producers]\nrate = 500\n"),
        RunOptions {
            linger: true,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let c = h.control();
    eventually("traffic", || h.stats().sent > 5);
    c.command(Command::AddProducer);
    c.command(Command::Restart);
    // Back to the scenario's one producer, with traffic on the new channel.
    eventually("restarted", || {
        c.mode() == Mode::Running && c.knobs().producers == 1
    });
    let after = h.stats().sent;
    eventually("traffic after restart", || h.stats().sent > after + 5);
    h.shutdown();
    let s = finish(h);
    assert_eq!(s.restarts, 1);
    assert_nothing_lost(&s);
}

#[test]
fn a_lingering_run_waits_in_finished_until_shutdown() {
    let mut s = scenario("title = \"l\"\ncapacity = 4\n[producers]\nmessages = 10\n");
    s.workers = 1;
    let h = Runner::start(
        s,
        RunOptions {
            linger: true,
            ..RunOptions::default()
        },
    )
    .unwrap();
    eventually("finished", || h.control().mode() == Mode::Finished);
    assert!(!h.is_finished(), "lingers until told to stop");
    h.shutdown();
    let s = finish(h);
    assert_eq!(s.end, EndReason::AllSent);
    assert_eq!(s.sent, 10);
    assert_nothing_lost(&s);
}

#[test]
fn steps_drain_a_channel_closed_while_paused() {
    let h = Runner::start(
        scenario(
            "title = \"c\"\ncapacity = 4\n[producers]\ncount = 2\n[consumers]\nwork = \"5ms\"\n",
        ),
        RunOptions::default(),
    )
    .unwrap();
    let c = h.control();
    eventually("the ring fills", || h.stats().sent >= 6);
    c.command(Command::TogglePause);
    let (_, received) = settle(&h);
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
    let h = Runner::start(
        scenario(
            "title = \"c\"\ncapacity = 4\n[producers]\ncount = 2\n[consumers]\nwork = \"5ms\"\n",
        ),
        RunOptions::default(),
    )
    .unwrap();
    let c = h.control();
    eventually("the ring fills", || h.stats().sent >= 6);
    c.command(Command::TogglePause);
    settle(&h);
    c.command(Command::Close);
    h.shutdown();
    let s = finish(h);
    assert_nothing_lost(&s);
}
