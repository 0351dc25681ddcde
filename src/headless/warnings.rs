//! The warnings of a run as a headless run reports them: which are on at
//! each sample, when one starts and when it ends (printed once each rather
//! than on every tick), and every one that fired during the run (for the
//! summary and for `chanviz check`). It follows the snapshots' insight; it
//! never filters: what is printed is filtered by the caller.

use std::time::Duration;

use crate::probe::{Rewind, Snapshot, Warning, WarningKind};

/// A warning that fired during the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Fired {
    /// Which rule.
    pub kind: WarningKind,
    /// When its condition first held, since its channel was created.
    pub first: Duration,
    /// How many times it started (it may end and start again).
    pub times: u32,
    /// Its words the last time it was seen on.
    pub what: String,
    /// What to try.
    pub try_this: String,
}

/// A warning started or ended between two samples.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// It is on now and was not at the sample before. `since`: when its
    /// condition started to hold, since its channel was created.
    Started {
        /// Since when it holds.
        since: Duration,
        /// The warning, with its words.
        warning: Warning,
    },
    /// It was on at the sample before and is not now.
    Ended {
        /// Which rule.
        kind: WarningKind,
        /// Since when it held.
        since: Duration,
    },
}

impl Change {
    /// The rule that started or ended.
    pub fn kind(&self) -> WarningKind {
        match self {
            Change::Started { warning, .. } => warning.kind,
            Change::Ended { kind, .. } => *kind,
        }
    }
}

/// The warnings seen so far in a run.
#[derive(Clone, Debug, Default)]
pub struct WarningLog {
    /// On at the last sample: (channel, rule) and since when.
    on: Vec<((u64, WarningKind), Duration)>,
    fired: Vec<Fired>,
}

impl WarningLog {
    /// Take in a snapshot: what started and ended since the last one.
    pub fn observe(&mut self, snap: &Snapshot) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut now_on = Vec::new();
        for c in &snap.channels {
            for w in &c.insight.warnings {
                let key = (c.chan, w.kind);
                let since = Duration::from_micros(w.since_us.saturating_sub(c.created_us()));
                let was = self.on.iter().find(|o| o.0 == key).map(|o| o.1);
                now_on.push((key, was.unwrap_or(since)));
                let fired = match self.fired.iter_mut().find(|f| f.kind == w.kind) {
                    Some(f) => f,
                    None => {
                        self.fired.push(Fired {
                            kind: w.kind,
                            first: since,
                            times: 0,
                            what: String::new(),
                            try_this: String::new(),
                        });
                        self.fired.last_mut().expect("just pushed")
                    }
                };
                fired.what.clone_from(&w.what);
                fired.try_this.clone_from(&w.try_this);
                if was.is_none() {
                    fired.times += 1;
                    changes.push(Change::Started {
                        since,
                        warning: w.clone(),
                    });
                }
            }
        }
        let ended = self
            .on
            .iter()
            .filter(|o| !now_on.iter().any(|n| n.0 == o.0))
            .map(|&((_, kind), since)| Change::Ended { kind, since });
        changes.extend(ended);
        self.on = now_on;
        changes
    }

    /// Every warning that fired so far, in the order they first fired.
    pub fn fired(&self) -> &[Fired] {
        &self.fired
    }

    /// Whether a warning of `kind` fired so far.
    pub fn has_fired(&self, kind: WarningKind) -> bool {
        self.fired.iter().any(|f| f.kind == kind)
    }
}

/// Every warning that fired in a run's kept history, as a live view's run
/// reports it at the end: the fold is sampled every 250 ms of the history's
/// own time (and at its newest event), as a headless run samples its
/// snapshots, then `last` (the picture at the very end) is taken in.
pub fn fired_in_history(history: &dyn Rewind, last: &Snapshot) -> Vec<Fired> {
    let mut log = WarningLog::default();
    let (first, end) = history.bounds();
    if end > first {
        let t0 = history.event(first).map_or(0, |e| e.at_us);
        let t1 = history.event(end - 1).map_or(t0, |e| e.at_us);
        let mut t = t0;
        let mut last_seq = None;
        loop {
            let seq = history.at_time(t.min(t1)).unwrap_or(first);
            if last_seq != Some(seq) {
                if let Some(snap) = history.snapshot_at(seq, 0) {
                    log.observe(&snap);
                }
                last_seq = Some(seq);
            }
            if t >= t1 {
                break;
            }
            t += SAMPLE_US;
        }
    }
    log.observe(last);
    log.fired
}

/// How often [`fired_in_history`] samples the history.
const SAMPLE_US: u64 = 250_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{ChannelSnapshot, Insight, Lifecycle, LifecycleChange};

    fn warning(kind: WarningKind, since_us: u64, what: &str) -> Warning {
        Warning {
            kind,
            since_us,
            what: what.into(),
            try_this: "try this".into(),
        }
    }

    /// A snapshot of one channel, created at 1 s of probe time.
    fn snap(warnings: Vec<Warning>) -> Snapshot {
        Snapshot {
            channels: vec![ChannelSnapshot {
                chan: 7,
                lifecycle_history: vec![LifecycleChange {
                    at_us: 1_000_000,
                    from: Lifecycle::Open,
                    to: Lifecycle::Open,
                }],
                insight: Insight {
                    warnings,
                    ..Insight::default()
                },
                ..ChannelSnapshot::default()
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_warning_starts_once_ends_once_and_is_remembered_after() {
        let cb = |what| warning(WarningKind::ConsumerBound, 3_500_000, what);
        let mut log = WarningLog::default();
        assert!(log.observe(&snap(vec![])).is_empty());
        let started = log.observe(&snap(vec![cb("for 2s")]));
        assert_eq!(
            started,
            [Change::Started {
                since: Duration::from_millis(2500),
                warning: cb("for 2s"),
            }]
        );
        // Still on: nothing new to say, but the newest words are kept.
        assert!(log.observe(&snap(vec![cb("for 3s")])).is_empty());
        let ended = log.observe(&snap(vec![]));
        assert_eq!(
            ended,
            [Change::Ended {
                kind: WarningKind::ConsumerBound,
                since: Duration::from_millis(2500),
            }]
        );
        assert!(log.observe(&snap(vec![])).is_empty());
        assert!(log.has_fired(WarningKind::ConsumerBound));
        assert!(!log.has_fired(WarningKind::ProducerBound));
        let f = &log.fired()[0];
        assert_eq!((f.times, f.what.as_str()), (1, "for 3s"));
        assert_eq!(f.first, Duration::from_millis(2500));
        // Again: a second time, and its first time stays the first.
        let again = warning(WarningKind::ConsumerBound, 9_000_000, "again");
        assert_eq!(log.observe(&snap(vec![again])).len(), 1);
        assert_eq!(log.fired()[0].times, 2);
        assert_eq!(log.fired()[0].first, Duration::from_millis(2500));
    }

    #[test]
    fn a_moving_since_does_not_restart_a_warning() {
        // The thundering herd's `since` is its window's start: it moves.
        let herd = |since| warning(WarningKind::ThunderingHerd, since, "herd");
        let mut log = WarningLog::default();
        assert_eq!(log.observe(&snap(vec![herd(2_000_000)])).len(), 1);
        assert!(log.observe(&snap(vec![herd(2_500_000)])).is_empty());
        assert_eq!(
            log.observe(&snap(vec![])),
            [Change::Ended {
                kind: WarningKind::ThunderingHerd,
                since: Duration::from_secs(1),
            }]
        );
    }
}
