//! Seeking in a long history: `History::snapshot_at` at spread-out points
//! of a 10-million-event history (a checkpoint clone, then a fold of at
//! most `CHECKPOINT_EVERY` events). The goal: under 100 ms per seek.
//!
//! Also the fold itself, per event (`fold/1M-events`): what the collector
//! pays for every event it numbers (the model, and since issue #11 the
//! insight: messages, waiter order, latencies).
//!
//! Run: `cargo bench --bench seek -- --warm-up-time 1 --measurement-time 3 --sample-size 10`

use std::hint::black_box;

use chanviz::probe::{EventKind, History, LogEntry, Model, Record, Side, WakeCause};
use criterion::{criterion_group, criterion_main, Criterion};

const EVENTS: u64 = 10_000_000;

fn history() -> History {
    let mut h = History::new(EVENTS as usize);
    h.push_record(&Record::Named {
        chan: 1,
        name: "bench".into(),
    });
    let mut seq = 0u64;
    let mut add = |h: &mut History, kind| {
        h.push_record(&Record::Event(LogEntry {
            seq,
            at_us: seq * 3,
            chan: 1,
            kind,
        }));
        seq += 1;
    };
    add(&mut h, EventKind::Created { capacity: 64 });
    for p in 0..(EVENTS - 1) / 2 {
        add(
            &mut h,
            EventKind::Push {
                handle: 1 + p % 4,
                slot: (p % 64) as usize,
                head: p + 1,
                tail: p,
                len: 1,
                handoff: false,
            },
        );
        add(
            &mut h,
            EventKind::Pop {
                handle: 0,
                slot: (p % 64) as usize,
                head: p + 1,
                tail: p + 1,
                len: 0,
            },
        );
    }
    h
}

fn seek(c: &mut Criterion) {
    let h = history();
    let mut i = 0u64;
    c.bench_function("seek/10M-events", |b| {
        b.iter(|| {
            // A spread of points that never repeats a checkpoint twice in a row.
            i = (i + 2_654_435_761) % (EVENTS - 1);
            black_box(h.snapshot_at(black_box(i), 500))
        })
    });
}

/// A busy channel's events: pushes and pops on a ring of 64, and every 8th
/// push a sender that parks and is woken by the next pop.
fn busy(n: u64) -> Vec<LogEntry> {
    let mut out = Vec::with_capacity(n as usize);
    let mut seq = 0u64;
    let mut add = |out: &mut Vec<LogEntry>, kind| {
        out.push(LogEntry {
            seq,
            at_us: seq * 3,
            chan: 1,
            kind,
        });
        seq += 1;
    };
    add(&mut out, EventKind::Created { capacity: 64 });
    let mut p = 0u64;
    while (out.len() as u64) < n {
        let sender = 1 + p % 4;
        add(
            &mut out,
            EventKind::Push {
                handle: sender,
                slot: (p % 64) as usize,
                head: p + 33,
                tail: p,
                len: 33,
                handoff: false,
            },
        );
        if p % 8 == 0 {
            add(
                &mut out,
                EventKind::SendWait {
                    handle: sender,
                    waiting: 1,
                    ticket: p,
                },
            );
        }
        add(
            &mut out,
            EventKind::Pop {
                handle: 0,
                slot: (p % 64) as usize,
                head: p + 33,
                tail: p + 1,
                len: 32,
            },
        );
        if p % 8 == 0 {
            add(
                &mut out,
                EventKind::Wake {
                    side: Side::Senders,
                    woken: sender,
                    waiting: 0,
                    ticket: p,
                    cause: WakeCause::Pop,
                    by: 0,
                },
            );
        }
        p += 1;
    }
    out
}

fn fold(c: &mut Criterion) {
    let events = busy(1_000_000);
    c.bench_function("fold/1M-events", |b| {
        b.iter(|| {
            let mut m = Model::new();
            for e in &events {
                m.apply(black_box(e));
            }
            black_box(m)
        })
    });
}

criterion_group!(benches, seek, fold);
criterion_main!(benches);
