//! The lessons, played as a class would: with a viewer, so the script's
//! pauses and questions stop the run, and the test presses `space` (or `n`)
//! to go on. Each test checks what the lesson's description promises: where
//! it pauses, and what the picture shows there.
//!
//! Deadlines only (a slow machine is not a failure); no timing assertions.
#![cfg(feature = "tui")]

mod deadline;

use std::time::{Duration, Instant};

use chanviz::probe::{EventKind, Lifecycle, Probe, ProbeLayer};
use chanviz::scenario::clock::SceneClock;
use chanviz::scenario::control::{Answer, Command, Control, Mode};
use chanviz::scenario::demos;
use chanviz::scenario::runner::{RunOptions, Runner, RunnerHandle};

struct Class {
    handle: RunnerHandle,
    probe: Probe,
    clock: std::sync::Arc<SceneClock>,
}

fn play(name: &str) -> Class {
    let scenario = demos::find(name).unwrap().scenario().unwrap();
    let probe = ProbeLayer::with_log_capacity(100_000).probe();
    let clock = SceneClock::new();
    probe.follow(clock.clone());
    let handle = Runner::start(
        scenario,
        RunOptions {
            linger: true,
            viewer: true,
            dispatch: Some(probe.dispatch()),
            clock: Some(clock.clone()),
            ..RunOptions::default()
        },
    )
    .unwrap();
    Class {
        handle,
        probe,
        clock,
    }
}

impl Class {
    fn wait_for(&self, what: &str, mut cond: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond(self) {
            assert!(
                Instant::now() < deadline,
                "never happened: {what} (mode {:?}, at {:?}, said {:#?})",
                self.handle.mode(),
                self.clock.run_time(),
                self.handle.narrations(0)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Paused (or stepping: a step asked for just as the pause came) with
    /// at least `narrations` said.
    fn paused_with(&self, narrations: usize) {
        self.wait_for(&format!("a pause with narration {narrations}"), |c| {
            matches!(c.handle.mode(), Mode::Paused | Mode::Step)
                && c.handle.narrations(0).len() >= narrations
        });
    }

    fn resume(&self) {
        self.handle.command(Command::TogglePause);
        self.wait_for("the run resumes", |c| {
            !matches!(c.handle.mode(), Mode::Paused | Mode::Step)
        });
    }

    fn end(self) {
        self.handle.shutdown();
        let s = deadline::within("the run ends", move || self.handle.wait().unwrap());
        assert_eq!(s.sent, s.received, "{s:#?}");
    }
}

#[test]
fn lesson_backpressure_pauses_at_the_full_ring_then_at_the_first_park_then_asks() {
    let class = play("lesson-backpressure");
    // 1. Paused when the ring is first full.
    class.paused_with(1);
    let snap = class.probe.snapshot();
    let chan = snap.current().unwrap();
    assert_eq!(chan.len, chan.capacity, "paused at the full ring");
    assert_eq!(
        chan.counters.send_waits, 0,
        "no sender has parked yet: the pause came first"
    );
    let said = class.handle.narrations(0);
    assert!(
        said[0].say.as_deref().unwrap().contains("full"),
        "{said:#?}"
    );
    // The clock stands still while the class reads.
    let t = class.clock.run_time();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(class.clock.run_time(), t);
    // 2. `n`: the next operation is a sender's park, and the lesson pauses there.
    class.handle.command(Command::Step);
    class.wait_for("the park's explanation", |c| {
        c.handle.narrations(0).len() >= 2
    });
    class.paused_with(2);
    let snap = class.probe.snapshot_with_events(100_000);
    let chan = snap.current().unwrap();
    assert!(chan.waiting_senders >= 1, "a sender waits: {chan:?}");
    assert!(
        snap.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::SendWait { .. })),
        "the log shows the park"
    );
    // 3. Go on: at 3 s it asks who wakes next, and pauses for the answer.
    class.resume();
    class.paused_with(3);
    let said = class.handle.narrations(0);
    let q = said[2].ask.as_ref().expect("a question");
    assert_eq!(q.answer, Answer::NextWokenSender);
    assert!(said[2].at >= Duration::from_secs(3));
    // 4. And at 6 s it says what it all was.
    class.resume();
    class.wait_for("the closing words", |c| c.handle.narrations(0).len() >= 4);
    class.end();
}

#[test]
fn lesson_shutdown_pauses_before_the_close_and_steps_into_it() {
    let class = play("lesson-shutdown");
    class.paused_with(1);
    let t = class.clock.run_time();
    assert!(
        t >= Duration::from_secs(5) && t < Duration::from_secs(6),
        "paused at {t:?}, not at 5 s"
    );
    // Step into the close: the clock moves only through steps, and the
    // close's transition pauses the lesson with its explanation.
    let mut steps = 0;
    while class.handle.narrations(0).len() < 2 {
        steps += 1;
        assert!(steps <= 500, "500 steps and no close");
        let seen = class.probe.snapshot_with_events(0).events_seen;
        class.handle.command(Command::Step);
        class.wait_for("the step shows", |c| {
            c.probe.snapshot_with_events(0).events_seen > seen || c.handle.narrations(0).len() >= 2
        });
    }
    class.paused_with(2);
    let snap = class.probe.snapshot();
    assert_eq!(snap.current().unwrap().lifecycle, Lifecycle::Closing);
    assert!(class.clock.run_time() >= Duration::from_secs(6));
    // Resume: the drain runs, drained() returns, and the last words come.
    class.resume();
    class.wait_for("the last words", |c| c.handle.narrations(0).len() >= 3);
    class.wait_for("the channel closes", |c| {
        c.probe.snapshot().current().unwrap().lifecycle == Lifecycle::Closed
    });
    class.end();
}
