//! The supervisor: one epoch per channel (a restart starts a new one). It
//! turns commands and the script into instructions for the tasks, keeps
//! scenario time, and ends a run the one clean way: producers stop, the
//! channel closes through a sender's type state, consumers drain it. It owns
//! the runner's own handles, `S0` and `R0`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle as TaskHandle;

use super::shared::Shared;
use super::tasks::{close_sender, consumer, producer, Instruction, TaskCtl};
use super::{EndReason, Msg, Summary, TaskStats};
use crate::channel::{bounded_named, Receiver, Sender};
use crate::scenario::control::{Command, Mode, Narration};
use crate::scenario::spec::{Action, ScriptStep, Trigger, When};

/// How often the supervisor looks at the clock, the script and its tasks.
const TICK: Duration = Duration::from_millis(10);

/// A step waits this long (wall time) for a task that is already on its way
/// to the gate (woken, not yet there) before it moves the clock instead.
const SETTLE: Duration = Duration::from_millis(15);

/// After a step moved the clock, how long (wall time) it waits for the task
/// that was due to reach the gate before giving up.
const STEP_PATIENCE: Duration = Duration::from_millis(500);

enum EpochEnd {
    Ended(EndReason),
    Restart,
}

struct Totals {
    producers: Vec<TaskStats>,
    consumers: Vec<TaskStats>,
}

pub(super) async fn supervise(
    shared: Arc<Shared>,
    mut cmds: mpsc::UnboundedReceiver<Msg>,
    linger: bool,
) -> Summary {
    let mut totals = Totals {
        producers: Vec::new(),
        consumers: Vec::new(),
    };
    let mut restarts = 0u32;
    let start_us = shared.clock.now_us();
    let end = 'runs: loop {
        shared.reset_knobs();
        shared.set_hurry(false);
        shared.resume();
        let outcome = epoch(&shared, &mut cmds, &mut totals, restarts + 1).await;
        let reason = match outcome {
            EpochEnd::Restart => {
                restarts += 1;
                continue;
            }
            EpochEnd::Ended(reason) => reason,
        };
        shared.finish();
        if !linger || shared.shutdown_requested() {
            break reason;
        }
        // Finished, but the viewer may want to go again.
        loop {
            match cmds.recv().await {
                Some(Msg::Cmd(Command::Restart)) => {
                    restarts += 1;
                    continue 'runs;
                }
                Some(Msg::Cmd(_)) => {}
                Some(Msg::Shutdown) | None => break 'runs reason,
            }
        }
    };
    shared.finish();
    // Relaxed: every task has ended (the runtime's join handshake orders
    // their last counts before `is_finished` said so).
    let sent = shared.sent.load(Ordering::Relaxed);
    let received = shared.received.load(Ordering::Relaxed);
    let transitions = shared.transitions();
    Summary {
        scenario: shared.scenario.name.clone(),
        sent,
        received,
        lost: sent as i64 - received as i64,
        duration_ms: (shared.clock.now_us() - start_us) / 1000,
        end,
        restarts,
        producers: totals.producers,
        consumers: totals.consumers,
        transitions,
    }
}

/// A task the supervisor started: its line, and its join handle.
struct Task {
    ctl: Arc<TaskCtl>,
    join: TaskHandle<()>,
}

/// Everything one channel's run holds.
struct Epoch<'a> {
    shared: &'a Arc<Shared>,
    s0: Option<Sender<u64>>,
    r0: Receiver<u64>,
    producers: Vec<Task>,
    consumers: Vec<Task>,
    closers: Vec<TaskHandle<()>>,
    consumer_seed: u64,
    /// Set once the run is winding down: the channel is closed, or closing
    /// is under way.
    ending: Option<EndReason>,
    /// The runner itself ends the run (duration, quota, shutdown, restart):
    /// pause and step are off, so that the drain cannot stall.
    forced_end: bool,
    restart: bool,
    /// A `drop_producer` took the last producer: drop `S0` too, so the
    /// channel closes because its last sender is gone.
    drop_s0_when_alone: bool,
    /// Which run this is (1-based), for the summary's per-task counts.
    run: u32,
    /// A step asked for and not yet given to a task.
    step: Option<PendingStep>,
    /// The next scripted action (index into the script).
    next_action: usize,
    /// Entries before this one have had their triggers armed.
    armed_upto: usize,
}

/// A step on its way: when it was asked for, and when (if) it moved the
/// clock to wake the task that was due next.
#[derive(Clone, Copy)]
struct PendingStep {
    asked: Instant,
    moved_clock: Option<Instant>,
}

impl Epoch<'_> {
    fn running(tasks: &[Task]) -> usize {
        tasks.iter().filter(|t| t.ctl.running()).count()
    }

    fn publish_counts(&self) {
        let (producers, consumers) = (
            Self::running(&self.producers),
            Self::running(&self.consumers),
        );
        self.shared.update_knobs(|k| {
            k.producers = producers;
            k.consumers = consumers;
        });
    }

    fn add_producer(&mut self) {
        if self.ending.is_some() || self.r0.is_closed() {
            return;
        }
        let Some(s0) = &self.s0 else { return };
        let tx = s0.clone();
        let ctl = TaskCtl::new(format!("S{}", tx.id()));
        let join = tokio::spawn(producer(tx, ctl.clone(), self.shared.clone()));
        self.producers.push(Task { ctl, join });
        // A producer arrived after the last one was dropped: it carries on.
        self.drop_s0_when_alone = false;
    }

    fn add_consumer(&mut self) {
        if self.ending.is_some() || self.r0.is_closed() {
            return;
        }
        let rx = self.r0.clone();
        let ctl = TaskCtl::new(format!("R{}", rx.id()));
        self.consumer_seed += 1;
        let join = tokio::spawn(consumer(
            rx,
            ctl.clone(),
            self.shared.clone(),
            self.consumer_seed,
        ));
        self.consumers.push(Task { ctl, join });
    }

    /// The newest running task, if more than one is running.
    fn pick_removable(tasks: &[Task]) -> Option<&Task> {
        if Self::running(tasks) <= 1 {
            return None;
        }
        tasks.iter().rev().find(|t| t.ctl.running())
    }

    fn remove_producer(&mut self) {
        if self.ending.is_none() {
            if let Some(t) = Self::pick_removable(&self.producers) {
                t.ctl.instruct(Instruction::Stop);
            }
        }
    }

    fn remove_consumer(&mut self) {
        if self.ending.is_none() {
            if let Some(t) = Self::pick_removable(&self.consumers) {
                t.ctl.instruct(Instruction::Stop);
            }
        }
    }

    fn drop_producer(&mut self) {
        if self.ending.is_some() {
            return;
        }
        let running = Self::running(&self.producers);
        if let Some(t) = self.producers.iter().rev().find(|t| t.ctl.running()) {
            if running == 1 {
                self.drop_s0_when_alone = true;
            }
            t.ctl.instruct(Instruction::Drop);
        }
    }

    /// Close the channel through a sender's type state: the oldest running
    /// producer's, or the runner's own `S0` if no producer runs.
    fn close_from_sender(&mut self) {
        if self.r0.is_closed() {
            return;
        }
        match self.producers.iter().find(|t| t.ctl.running()) {
            Some(t) if self.ending.is_none() => t.ctl.instruct(Instruction::Close),
            _ => self.close_with_s0(),
        }
    }

    fn close_from_receiver(&mut self) {
        if self.r0.is_closed() || self.ending.is_some() {
            return;
        }
        if let Some(t) = self.consumers.iter().find(|t| t.ctl.running()) {
            t.ctl.instruct(Instruction::Close);
        }
    }

    fn close_with_s0(&mut self) {
        let Some(s0) = self.s0.take() else { return };
        let shared = self.shared.clone();
        self.closers
            .push(tokio::spawn(async move { close_sender(s0, &shared).await }));
    }

    /// Begin the end: stop the producers; the channel is closed once they
    /// are gone (see `tick`), then the consumers drain it. Also called when
    /// the end is already under way (a shutdown during a drain): nothing may
    /// stay parked at the pause gate from here on.
    fn begin_end(&mut self, reason: EndReason) {
        self.forced_end = true;
        self.shared.disarm();
        self.shared.resume();
        if self.ending.is_none() {
            self.ending = Some(reason);
        }
        for t in &self.producers {
            if t.ctl.running() {
                t.ctl.instruct(Instruction::Stop);
            }
        }
        self.publish_counts();
    }

    fn command(&mut self, cmd: Command) {
        let shared = self.shared;
        match cmd {
            Command::AddProducer => self.add_producer(),
            Command::RemoveProducer => self.remove_producer(),
            Command::AddConsumer => self.add_consumer(),
            Command::RemoveConsumer => self.remove_consumer(),
            Command::Turn(knob, turn) => shared.update_knobs(|k| knob.turn(k, turn)),
            // The runner is ending the run: nothing may stay paused.
            Command::TogglePause | Command::Step | Command::Pause | Command::Resume
                if self.forced_end => {}
            Command::Pause => {
                if shared.mode() == Mode::Running {
                    shared.pause();
                }
            }
            Command::Resume => {
                if matches!(shared.mode(), Mode::Paused | Mode::Step) {
                    shared.resume();
                }
            }
            Command::TogglePause => match shared.mode() {
                Mode::Running => shared.pause(),
                Mode::Paused | Mode::Step => shared.resume(),
                Mode::Finished => {}
            },
            Command::Step => match shared.mode() {
                // Stepping starts from a pause.
                Mode::Running => shared.pause(),
                Mode::Paused | Mode::Step => {
                    shared.set_mode(Mode::Step);
                    if self.step.is_none() {
                        self.step = Some(PendingStep {
                            asked: Instant::now(),
                            moved_clock: None,
                        });
                    }
                    self.serve_step();
                }
                Mode::Finished => {}
            },
            Command::Close => self.close_from_sender(),
            Command::Restart => {
                self.restart = true;
                self.shared.set_hurry(true);
                self.begin_end(EndReason::Shutdown);
            }
        }
        self.publish_counts();
    }

    fn action(&mut self, action: Action) {
        match action {
            Action::CloseFromSender => self.close_from_sender(),
            Action::CloseFromReceiver => self.close_from_receiver(),
            Action::DropProducer => self.drop_producer(),
            Action::AddProducer => self.add_producer(),
            Action::RemoveProducer => self.remove_producer(),
            Action::AddConsumer => self.add_consumer(),
            Action::RemoveConsumer => self.remove_consumer(),
            Action::Pause => self.scripted_pause(),
        }
        self.publish_counts();
    }

    /// A pause the script asks for: only with a viewer who can resume, and
    /// never while the runner itself ends the run.
    fn scripted_pause(&mut self) {
        let shared = self.shared;
        if shared.viewer && !self.forced_end && shared.mode() == Mode::Running {
            shared.pause();
        }
    }

    /// Whether the next script entry is due now (`clock`: run time).
    fn due(&mut self, step: &ScriptStep, clock: Duration) -> bool {
        match step.when {
            When::At(at) => at <= clock,
            When::On(_) => {
                self.arm_next();
                self.shared.take_fired()
            }
        }
    }

    /// If the next entry waits for an event, arm it, with the entries
    /// right after it that wait for events too (a chain the tasks arm in
    /// turn). Called before the entry before it is performed, so that an
    /// event its action causes at once (a close's transition) is not missed.
    fn arm_next(&mut self) {
        let i = self.next_action;
        if i < self.armed_upto {
            return;
        }
        let chain: Vec<(Trigger, bool)> = self.shared.scenario.script
            [i.min(self.shared.scenario.script.len())..]
            .iter()
            .map_while(|step| match step.when {
                When::On(trigger) => Some((
                    trigger,
                    step.action == Some(Action::Pause) || step.ask.is_some(),
                )),
                When::At(_) => None,
            })
            .collect();
        if !chain.is_empty() {
            self.armed_upto = i + chain.len();
            self.shared.arm(&chain);
        }
    }

    /// Run one script entry: its action, then its words (an `ask` pauses).
    fn perform(&mut self, step: &ScriptStep) {
        if let Some(action) = step.action {
            self.action(action);
        }
        if step.teaches() {
            self.shared.narrate(Narration {
                run: self.run,
                at: self.shared.clock.run_time(),
                say: step.say.clone(),
                ask: step.ask.clone(),
            });
        }
        if step.ask.is_some() {
            self.scripted_pause();
        }
    }

    /// Give a pending step to the first task ready at the gate. If none is
    /// ready (after [`SETTLE`], for a task already on its way), move the
    /// clock to the next thing due: a sleeping task's deadline, a scripted
    /// action or the end of the duration, whichever comes first. A scripted
    /// action or the end is the step itself; a task woken by the clock gets
    /// the step when it reaches the gate.
    fn serve_step(&mut self) {
        let Some(step) = self.step else { return };
        let shared = self.shared;
        if !shared.is_paused() {
            self.step = None;
            return;
        }
        if shared.gate_waiters() > 0 {
            shared.permits.add_permits(1);
            self.step = None;
            return;
        }
        if let Some(moved) = step.moved_clock {
            if moved.elapsed() >= STEP_PATIENCE {
                // The task that was due never came to the gate (it stopped,
                // or its wait was not for an operation): the step is spent.
                self.step = None;
            }
            return;
        }
        if step.asked.elapsed() < SETTLE {
            return;
        }
        let clock = &shared.clock;
        let script_at = (!self.forced_end)
            .then(|| self.shared.scenario.script.get(self.next_action))
            .flatten()
            .and_then(|a| match a.when {
                When::At(at) => Some(at),
                When::On(_) => None,
            });
        let end_at = self
            .shared
            .scenario
            .duration
            .filter(|_| self.ending.is_none());
        let scripted = [script_at, end_at]
            .into_iter()
            .flatten()
            .map(|at| clock.total_us_at(at))
            .min();
        let sleeper = clock.next_deadline();
        match (sleeper, scripted) {
            (Some(due), s) if s.is_none_or(|s| due < s) => {
                clock.advance_to(due);
                self.step = Some(PendingStep {
                    moved_clock: Some(Instant::now()),
                    ..step
                });
            }
            (_, Some(s)) => {
                // The script (or the end) is what happens next: the epoch's
                // loop runs it, and that is the step.
                clock.advance_to(s);
                self.step = None;
            }
            // Nothing is due and nobody is ready: every task waits on the
            // channel. A step has nothing to do.
            _ => self.step = None,
        }
    }

    /// Forget finished tasks (keeping their counts), then move the end
    /// along. Returns `true` when the epoch is over.
    fn tick(&mut self, totals: &mut Totals) -> bool {
        for t in self.producers.iter().filter(|t| t.join.is_finished()) {
            totals.producers.push(t.ctl.stats(self.run));
        }
        self.producers.retain(|t| !t.join.is_finished());
        for t in self.consumers.iter().filter(|t| t.join.is_finished()) {
            totals.consumers.push(t.ctl.stats(self.run));
        }
        self.consumers.retain(|t| !t.join.is_finished());
        self.closers.retain(|c| !c.is_finished());
        self.publish_counts();

        let closed = self.r0.is_closed();
        if self.producers.is_empty() && !closed {
            if self.drop_s0_when_alone {
                // The last sender goes: the channel closes by drop.
                self.s0 = None;
            } else if self.ending.is_none() {
                // Every producer sent its quota.
                self.begin_end(EndReason::AllSent);
            }
            if self.ending.is_some() {
                self.close_with_s0();
            }
        }
        if closed && self.ending.is_none() {
            // Closed by a Close command or the script: the run ends once drained.
            self.ending = Some(EndReason::Closed);
        }
        self.r0.is_closed()
            && self.producers.is_empty()
            && self.consumers.is_empty()
            && self.closers.is_empty()
    }
}

async fn epoch(
    shared: &Arc<Shared>,
    cmds: &mut mpsc::UnboundedReceiver<Msg>,
    totals: &mut Totals,
    run: u32,
) -> EpochEnd {
    let scenario = &shared.scenario;
    let (s0, r0) = bounded_named::<u64>(shared.knobs().capacity, &scenario.name);
    let mut ep = Epoch {
        shared,
        s0: Some(s0),
        r0,
        producers: Vec::new(),
        consumers: Vec::new(),
        closers: Vec::new(),
        consumer_seed: shared.started.elapsed().as_nanos() as u64,
        ending: None,
        forced_end: false,
        restart: false,
        drop_s0_when_alone: false,
        run,
        step: None,
        next_action: 0,
        armed_upto: 0,
    };
    shared.clock.begin_run();
    // Arm the script's first events before any task starts: a ring that
    // fills in its first microseconds must not be missed.
    ep.arm_next();
    // Consumers first, so that the first messages find a receiver waiting.
    for _ in 0..scenario.consumers.count {
        ep.add_consumer();
    }
    for _ in 0..scenario.producers.count {
        ep.add_producer();
    }
    ep.publish_counts();
    if shared.shutdown_requested() {
        shared.set_hurry(true);
        ep.begin_end(EndReason::Shutdown);
    }

    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = cmds.recv() => match msg {
                Some(Msg::Cmd(cmd)) => ep.command(cmd),
                Some(Msg::Shutdown) | None => {
                    shared.set_hurry(true);
                    ep.begin_end(EndReason::Shutdown);
                }
            },
            _ = ticker.tick() => {}
        }
        let clock = shared.clock.run_time();
        // The script goes on through a close and its drain (an entry may
        // wait for the last transition); not once the runner ends the run.
        if !ep.forced_end {
            while let Some(step) = scenario.script.get(ep.next_action) {
                if !ep.due(step, clock) {
                    break;
                }
                ep.next_action += 1;
                ep.arm_next();
                ep.perform(step);
            }
        }
        if ep.ending.is_none() && scenario.duration.is_some_and(|d| clock >= d) {
            ep.begin_end(EndReason::Duration);
        }
        ep.serve_step();
        if ep.tick(totals) {
            break;
        }
    }
    let restart = ep.restart && !shared.shutdown_requested();
    let reason = ep.ending.unwrap_or(EndReason::Closed);
    // Dropping the runner's own handles ends the channel's story.
    drop(ep);
    if restart {
        EpochEnd::Restart
    } else {
        EpochEnd::Ended(reason)
    }
}
