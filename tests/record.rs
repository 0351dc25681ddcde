//! The recording format: a round trip, a file cut short, gaps, a newer
//! version, and files that are not recordings.
#![cfg(feature = "tui")]

use chanviz::probe::{EventKind, HandleState, LogEntry, Record, Role, Side};
use chanviz::record::{self, Header, LoadError};

fn header() -> Header {
    Header {
        format: record::VERSION,
        chanviz: "0.1.0".into(),
        started_unix_s: 1_764_350_000,
        scenario: "mpsc".into(),
        scenario_toml: "title = \"t\"\ncapacity = 2\n".into(),
    }
}

/// One of every kind, a name and a gap, numbered from 7, times that go up
/// and (once, as the order repair may swap them) down.
fn records() -> Vec<Record> {
    use EventKind::*;
    let kinds = [
        Created { capacity: 2 },
        Handle {
            handle: 1,
            role: Role::Sender,
            from: HandleState::Absent,
            to: HandleState::Open,
        },
        Push {
            handle: 1,
            slot: 0,
            head: 1,
            tail: 0,
            len: 1,
            handoff: false,
        },
        SendWait {
            handle: 3,
            waiting: 2,
            ticket: u64::MAX,
        },
        RecvWait {
            handle: 0,
            waiting: 1,
            ticket: u64::MAX,
        },
        Wake {
            side: Side::Receivers,
            woken: 0,
            waiting: 0,
            ticket: u64::MAX,
            cause: chanviz::probe::WakeCause::Unknown,
            by: 0,
        },
        Pop {
            handle: 0,
            slot: 0,
            head: 1,
            tail: 1,
            len: 0,
        },
        Handle {
            handle: 1,
            role: Role::Receiver,
            from: HandleState::Open,
            to: HandleState::Dropped,
        },
        EventKind::Lifecycle {
            from: chanviz::probe::Lifecycle::Open,
            to: chanviz::probe::Lifecycle::Closing,
        },
    ];
    let times = [
        1_000u64, 1_000, 5_000, 4_999, 90_000_000, 90_000_001, 90_000_500, 91_000_000, 91_000_001,
    ];
    let mut out = vec![Record::Named {
        chan: 42,
        name: "jobs".into(),
    }];
    for (i, (kind, at_us)) in kinds.into_iter().zip(times).enumerate() {
        if i == 4 {
            out.push(Record::Gap { lost: 12 });
        }
        out.push(Record::Event(LogEntry {
            seq: 7 + i as u64,
            at_us,
            chan: 42,
            kind,
        }));
    }
    out
}

#[test]
fn a_recording_reads_back_as_it_was_written() {
    let bytes = record::to_bytes(
        &header(),
        &records(),
        3,
        Some(("summary text", "{\"type\":\"summary\"}")),
    );
    let loaded = record::parse("x.rec", &bytes).unwrap();
    assert_eq!(loaded.header, header());
    assert_eq!(loaded.records, records());
    assert_eq!(
        loaded.summary,
        Some((
            "summary text".to_string(),
            "{\"type\":\"summary\"}".to_string()
        ))
    );
    assert_eq!(loaded.truncated_after, None);
    // Its history folds like the live one: a gap counted, the name kept.
    let h = loaded.history();
    let h = h.read().unwrap();
    assert_eq!((h.first(), h.end()), (7, 16));
    let snap = h.snapshot_at(15, 100).unwrap();
    assert_eq!(snap.events_dropped, 12);
    let c = snap.channel(42).unwrap();
    assert_eq!(c.name.as_deref(), Some("jobs"));
    assert_eq!((c.counters.sent, c.counters.received), (1, 1));
}

#[test]
fn a_file_cut_short_reads_up_to_its_last_whole_frame() {
    let bytes = record::to_bytes(&header(), &records(), 3, None);
    // Cut inside the last frame.
    let cut = &bytes[..bytes.len() - 2];
    let loaded = record::parse("x.rec", cut).unwrap();
    let events = loaded
        .records
        .iter()
        .filter(|r| matches!(r, Record::Event(_)))
        .count();
    assert!((3..9).contains(&events), "{events}");
    assert_eq!(loaded.truncated_after, Some(7 + events as u64));
    assert_eq!(loaded.summary, None);
    // Cut between two frames (before the summary): cut short all the same.
    let whole = record::to_bytes(&header(), &records(), 3, None);
    let loaded = record::parse("x.rec", &whole).unwrap();
    assert_eq!(loaded.truncated_after, Some(16));
    assert_eq!(loaded.records, records());
}

#[test]
fn a_newer_version_and_other_files_are_refused_with_a_reason() {
    let mut bytes = record::to_bytes(&header(), &records(), 3, None);
    bytes[record::MAGIC.len()] = record::VERSION + 1;
    let e = record::parse("new.rec", &bytes).unwrap_err();
    assert!(matches!(e, LoadError::TooNew(_, v) if v == record::VERSION + 1));
    assert!(
        e.to_string().contains("newer than this chanviz reads"),
        "{e}"
    );
    let e = record::parse("notes.txt", b"hello, this is not a recording").unwrap_err();
    assert!(matches!(e, LoadError::NotARecording(_)), "{e}");
    let e = record::parse("empty.rec", b"").unwrap_err();
    assert!(matches!(e, LoadError::NotARecording(_)), "{e}");
    // The magic and then garbage: a clear message, no panic.
    let mut junk = record::MAGIC.to_vec();
    junk.extend_from_slice(&[1, 200, 0, 0, 0, b'{']);
    assert!(record::parse("junk.rec", &junk).is_err());
    let e = record::load(std::path::Path::new("/nonexistent/x.rec")).unwrap_err();
    assert!(e.to_string().contains("cannot read it"), "{e}");
}

/// Replay equals live: a real run recorded, read back and folded, gives the
/// picture the live probe's history gave, at many points and at the end.
#[test]
fn the_fold_of_a_recording_is_the_live_picture() {
    use chanviz::probe::{ProbeLayer, Rewind};
    use chanviz::scenario::runner::{RunOptions, Runner};
    use std::time::Duration;
    let mut s = chanviz::scenario::demos::find("backpressure")
        .unwrap()
        .scenario()
        .unwrap();
    s.duration = Some(Duration::from_secs(2));
    let probe = ProbeLayer::new().probe();
    let path = std::env::temp_dir().join(format!("chanviz-eq-{}.rec", std::process::id()));
    let recorder = record::Recorder::start(&path, &header(), &probe).unwrap();
    let handle = Runner::start(
        s,
        RunOptions {
            dispatch: Some(probe.dispatch()),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let summary = handle.wait().unwrap();
    let written = recorder.finish("t".into(), "j".into()).unwrap();
    let loaded = record::load(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(loaded.events(), written);
    let replay = loaded.history();
    let (first, end) = probe.history_bounds();
    assert_eq!(replay.bounds(), (first, end), "every event recorded");
    for seq in (first..end)
        .step_by(((end - first) / 9).max(1) as usize)
        .chain([end - 1])
    {
        let live = probe.snapshot_at(seq, 50).unwrap();
        let again = Rewind::snapshot_at(&replay, seq, 50).unwrap();
        assert_eq!(live, again, "at event {seq}");
    }
    let last = Rewind::snapshot_at(&replay, end - 1, 0).unwrap();
    let c = last.current().unwrap();
    assert_eq!(
        (c.counters.sent, c.counters.received),
        (summary.sent, summary.received)
    );
}

/// Format 2 adds the `leave` events; a version-1 recording still replays.
#[test]
fn a_version_1_recording_still_reads_and_leave_events_round_trip() {
    let mut bytes = record::to_bytes(&header(), &records(), 4, None);
    bytes[record::MAGIC.len()] = 1;
    let loaded = record::parse("old.rec", &bytes).unwrap();
    assert_eq!(loaded.header.format, 1);
    assert_eq!(loaded.records, records());
    let leave = Record::Event(LogEntry {
        seq: 0,
        at_us: 5,
        chan: 1,
        kind: EventKind::Leave {
            side: Side::Senders,
            handle: 4,
            waiting: 2,
            served: true,
            ticket: u64::MAX,
        },
    });
    let bytes = record::to_bytes(&header(), std::slice::from_ref(&leave), 4, None);
    assert_eq!(
        record::parse("new.rec", &bytes).unwrap().records,
        vec![leave]
    );
}

/// `finish` right after the last event: every event the channel emitted is
/// in the file (the recorder drains the probe; it does not wait and hope).
#[test]
fn finish_right_after_the_last_event_loses_none() {
    use chanviz::channel::bounded;
    use chanviz::probe::ProbeLayer;
    const N: u64 = 5_000;
    let probe = ProbeLayer::new().probe();
    let path = std::env::temp_dir().join(format!("chanviz-fin-{}.rec", std::process::id()));
    let recorder = record::Recorder::start(&path, &header(), &probe).unwrap();
    tracing::dispatcher::with_default(&probe.dispatch(), || {
        let (tx, rx) = bounded::<u64>(8);
        for i in 0..N {
            tx.try_send(i).unwrap();
            assert_eq!(rx.try_recv(), Ok(i));
        }
    });
    let written = recorder.finish("t".into(), "j".into()).unwrap();
    let loaded = record::load(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(loaded.events(), written);
    let h = loaded.history();
    let h = h.read().unwrap();
    assert!(h.gaps().is_empty(), "{:?}", h.gaps());
    let snap = h.model().snapshot(0, Vec::new());
    let c = snap.current().unwrap();
    assert_eq!((c.counters.sent, c.counters.received), (N, N));
    // The drops of both handles, after the last pop: the stream's tail.
    assert_eq!(probe.history_bounds().1, h.end());
}

/// Only a regular file that starts like a recording is read: a device or a
/// folder is refused at once (reading /dev/zero would never end).
#[test]
fn devices_and_folders_are_not_recordings() {
    for p in ["/dev/zero", "/dev/null", "/"] {
        let e = record::load(std::path::Path::new(p)).unwrap_err();
        assert!(matches!(e, LoadError::NotARecording(_)), "{p}: {e}");
    }
}

/// The summary against the fold: agreement says nothing; a difference says
/// what differs, and whether gaps explain it.
#[test]
fn the_summary_is_checked_against_the_fold() {
    let json = r#"{"type":"summary","sent":10,"received":9,"lost":0}"#;
    assert_eq!(record::cross_check(json, 10, 9, 0), None);
    let why = record::cross_check(json, 8, 9, 2).unwrap();
    assert!(
        why.contains("8 pushes") && why.contains("lost in gaps"),
        "{why}"
    );
    let why = record::cross_check(json, 10, 7, 0).unwrap();
    assert!(why.contains("7 pops") && why.contains("no gap"), "{why}");
}
