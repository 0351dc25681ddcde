//! Event schema v2: every channel operation emits its event, with the right
//! fields, values, types and levels (see `src/channel/schema.rs`).
//!
//! A capturing `tracing_subscriber::Layer` records each event of target
//! `chanviz::channel` as (op, fields). Each test installs it as the thread's
//! default subscriber, so tests running in parallel do not see each other.
//! The names are written out as literals on purpose: they are a public
//! interface, and a rename must break this test.
#![cfg(not(loom))]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::Poll;

use chanviz::channel::{bounded, bounded_named};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// A recorded field value, with the type it was recorded as.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    U64(u64),
    Str(String),
    /// Anything else (i64, bool, Debug): the schema uses none of these.
    Other(String),
}

#[derive(Debug, Clone)]
struct Ev {
    level: Level,
    fields: BTreeMap<String, Value>,
}

impl Ev {
    fn op(&self) -> &str {
        self.str("op")
    }

    fn u64(&self, name: &str) -> u64 {
        match self.fields.get(name) {
            Some(Value::U64(v)) => *v,
            other => panic!("field {name} of {self:?} is not a u64: {other:?}"),
        }
    }

    fn str(&self, name: &str) -> &str {
        match self.fields.get(name) {
            Some(Value::Str(v)) => v,
            other => panic!("field {name} of {self:?} is not a &str: {other:?}"),
        }
    }

    fn field_names(&self) -> Vec<&str> {
        self.fields.keys().map(String::as_str).collect()
    }
}

#[derive(Default)]
struct Visitor(BTreeMap<String, Value>);

impl Visit for Visitor {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), Value::U64(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), Value::Str(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0
            .insert(field.name().into(), Value::Other(format!("i64:{value}")));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::Other(format!("{value:?}")));
    }
}

/// The capturing layer: keeps every `chanviz::channel` event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Ev>>>);

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _ctx: LayerContext<'_, S>) {
        if event.metadata().target() != "chanviz::channel" {
            return;
        }
        let mut visitor = Visitor::default();
        event.record(&mut visitor);
        self.0.lock().unwrap().push(Ev {
            level: *event.metadata().level(),
            fields: visitor.0,
        });
    }
}

impl Capture {
    /// Takes the events recorded so far.
    fn take(&self) -> Vec<Ev> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Runs `f` with the capturing layer as this thread's subscriber.
fn with_capture<R>(f: impl FnOnce(&Capture) -> R) -> R {
    let capture = Capture::default();
    let subscriber = Registry::default().with(capture.clone());
    tracing::subscriber::with_default(subscriber, || f(&capture))
}

fn ops<'a>(events: &'a [Ev], op: &str) -> Vec<&'a Ev> {
    events.iter().filter(|e| e.op() == op).collect()
}

fn only<'a>(events: &'a [Ev], op: &str) -> &'a Ev {
    let found = ops(events, op);
    assert_eq!(found.len(), 1, "expected one {op} event in {events:#?}");
    found[0]
}

fn handle_events(events: &[Ev]) -> Vec<(String, u64, String, String)> {
    ops(events, "handle")
        .into_iter()
        .map(|e| {
            (
                e.str("role").to_string(),
                e.u64("handle"),
                e.str("from").to_string(),
                e.str("to").to_string(),
            )
        })
        .collect()
}

fn lifecycle_events(events: &[Ev]) -> Vec<(String, String)> {
    ops(events, "lifecycle")
        .into_iter()
        .map(|e| (e.str("from").to_string(), e.str("to").to_string()))
        .collect()
}

mod support;
use support::{counting_waker, park, poll_once};

/// The fields each op must carry, exactly (no more, no fewer).
fn expected_fields(op: &str) -> &'static [&'static str] {
    match op {
        "created" => &["capacity", "chan", "name", "op"],
        "push" | "pop" => &["chan", "handle", "head", "len", "op", "slot", "tail"],
        "handoff" => &[
            "by", "chan", "handle", "head", "len", "op", "role", "slot", "tail",
        ],
        "send_wait" => &["chan", "handle", "op", "ticket", "waiting_senders"],
        "recv_wait" => &["chan", "handle", "op", "ticket", "waiting_receivers"],
        "wake" => &[
            "by", "cause", "chan", "op", "role", "side", "ticket", "waiting", "woken",
        ],
        "handle" => &["chan", "from", "handle", "op", "role", "to"],
        "lifecycle" => &["chan", "from", "op", "to"],
        "leave" | "leave_served" => &["chan", "handle", "op", "side", "ticket", "waiting"],
        "send_closed" | "recv_closed" => &["chan", "handle", "op"],
        other => panic!("unknown op {other:?}"),
    }
}

fn expected_level(op: &str) -> Level {
    match op {
        "created" | "handle" | "lifecycle" => Level::DEBUG,
        _ => Level::TRACE,
    }
}

#[test]
fn every_op_has_exactly_its_fields_level_and_chan() {
    let (events, chan) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(1);
        let chan = tx.chan_id();
        tx.try_send(1).unwrap();
        {
            let mut parked = tx.send(2);
            let (_, w) = park(&mut parked);
            assert_eq!(rx.try_recv(), Ok(1)); // pop + wake(senders)
            assert_eq!(poll_once(&mut parked, &w), Poll::Ready(Ok(())));
        }
        assert_eq!(rx.try_recv(), Ok(2));
        {
            let mut parked = rx.recv();
            let (_, w) = park(&mut parked);
            tx.try_send(3).unwrap(); // push + wake(receivers)
            assert_eq!(poll_once(&mut parked, &w), Poll::Ready(Ok(3)));
        }
        let late = tx.clone();
        let closing = tx.close();
        let w = counting_waker().1;
        let mut refused = late.send(4);
        assert!(matches!(poll_once(&mut refused, &w), Poll::Ready(Err(_)))); // send_closed
        drop(refused);
        let mut end = rx.recv();
        assert!(matches!(poll_once(&mut end, &w), Poll::Ready(Err(_)))); // recv_closed
        drop(end);
        drop((closing, late));
        drop(rx);
        (cap.take(), chan)
    });
    let mut seen = std::collections::BTreeSet::new();
    for e in &events {
        let op = e.op().to_string();
        assert_eq!(e.field_names(), expected_fields(&op), "fields of {e:?}");
        assert_eq!(e.level, expected_level(&op), "level of {e:?}");
        assert_eq!(e.u64("chan"), chan, "chan of {e:?}");
        seen.insert(op);
    }
    let all = [
        "created",
        "handle",
        "handoff",
        "lifecycle",
        "pop",
        "push",
        "recv_closed",
        "recv_wait",
        "send_closed",
        "send_wait",
        "wake",
    ];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), all);
}

#[test]
fn created_carries_capacity_and_name() {
    let events = with_capture(|cap| {
        let (tx, _rx) = bounded_named::<u8>(7, "orders");
        let named = cap.take();
        assert_eq!(only(&named, "created").u64("chan"), tx.chan_id());
        let (_tx, _rx) = bounded::<u8>(3);
        (named, cap.take())
    });
    let named = only(&events.0, "created");
    assert_eq!(named.u64("capacity"), 7);
    assert_eq!(named.str("name"), "orders");
    let unnamed = only(&events.1, "created");
    assert_eq!(unnamed.u64("capacity"), 3);
    assert_eq!(unnamed.str("name"), "");
    assert_ne!(named.u64("chan"), unnamed.u64("chan"));
}

#[test]
fn push_and_pop_report_positions_slot_len_and_handle() {
    let (events, tx_id, rx_id) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(4);
        let tx2 = tx.clone();
        cap.take();
        tx.try_send(0).unwrap();
        tx2.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        let pushes = cap.take();
        assert_eq!(rx.try_recv(), Ok(0));
        let pops = cap.take();
        (vec![pushes, pops], [tx.id(), tx2.id()], rx.id())
    });
    let pushes = ops(&events[0], "push");
    assert_eq!(pushes.len(), 3);
    for (i, p) in pushes.iter().enumerate() {
        let i = i as u64;
        assert_eq!(
            (p.u64("head"), p.u64("tail"), p.u64("slot"), p.u64("len")),
            (i + 1, 0, i, i + 1),
            "push {i}: {p:?}"
        );
    }
    assert_eq!(pushes[0].u64("handle"), tx_id[0]);
    assert_eq!(pushes[1].u64("handle"), tx_id[1]);
    assert_eq!(pushes[2].u64("handle"), tx_id[0]);
    let pop = only(&events[1], "pop");
    assert_eq!(
        (
            pop.u64("head"),
            pop.u64("tail"),
            pop.u64("slot"),
            pop.u64("len")
        ),
        (3, 1, 0, 2)
    );
    assert_eq!(pop.u64("handle"), rx_id);
}

#[test]
fn slot_wraps_at_capacity_and_positions_keep_growing() {
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(3);
        for i in 0..7 {
            tx.try_send(i).unwrap();
            assert_eq!(rx.try_recv(), Ok(i));
        }
        cap.take()
    });
    let pushes = ops(&events, "push");
    let pops = ops(&events, "pop");
    assert_eq!((pushes.len(), pops.len()), (7, 7));
    for k in 0..7u64 {
        let (p, q) = (pushes[k as usize], pops[k as usize]);
        assert_eq!(
            (p.u64("head"), p.u64("slot"), p.u64("len")),
            (k + 1, k % 3, 1)
        );
        assert_eq!(
            (q.u64("tail"), q.u64("slot"), q.u64("len")),
            (k + 1, k % 3, 0)
        );
    }
}

#[test]
fn parked_sender_emits_send_wait_and_is_woken_by_a_pop() {
    let (events, ids) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(1);
        let tx2 = tx.clone();
        tx.try_send(0).unwrap();
        cap.take();
        let mut a = tx.send(1);
        let mut b = tx2.send(2);
        let (_, w) = park(&mut a);
        park(&mut b);
        let parked = cap.take();
        assert_eq!(rx.try_recv(), Ok(0));
        let popped = cap.take();
        assert_eq!(poll_once(&mut a, &w), Poll::Ready(Ok(())));
        drop((a, b));
        (vec![parked, popped], (tx.id(), tx2.id()))
    });
    let waits = ops(&events[0], "send_wait");
    assert_eq!(waits.len(), 2, "{:#?}", events[0]);
    assert_eq!(
        (waits[0].u64("handle"), waits[0].u64("waiting_senders")),
        (ids.0, 1)
    );
    assert_eq!(
        (waits[1].u64("handle"), waits[1].u64("waiting_senders")),
        (ids.1, 2)
    );
    let wake = only(&events[1], "wake");
    assert_eq!(wake.str("side"), "senders");
    assert!(
        [ids.0, ids.1].contains(&wake.u64("woken")),
        "woken must name a parked sender: {wake:?}"
    );
    assert_eq!(wake.u64("waiting"), 1);
}

#[test]
fn parked_receiver_emits_recv_wait_and_is_woken_by_a_push() {
    let (events, rx_id) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(2);
        cap.take();
        let mut fut = rx.recv();
        let (_, w) = park(&mut fut);
        let parked = cap.take();
        tx.try_send(9).unwrap();
        let pushed = cap.take();
        assert_eq!(poll_once(&mut fut, &w), Poll::Ready(Ok(9)));
        (vec![parked, pushed], rx.id())
    });
    let wait = only(&events[0], "recv_wait");
    assert_eq!(
        (wait.u64("handle"), wait.u64("waiting_receivers")),
        (rx_id, 1)
    );
    let wake = only(&events[1], "wake");
    assert_eq!(
        (wake.str("side"), wake.u64("woken"), wake.u64("waiting")),
        ("receivers", rx_id, 0)
    );
    only(&events[1], "push");
}

/// Parks `fut`, then re-polls it 50 times with a new waker each time
/// (it must stay pending).
fn park_and_repoll<F>(fut: &mut F)
where
    F: std::future::Future + Unpin,
    F::Output: std::fmt::Debug,
{
    park(fut);
    for _ in 0..50 {
        assert!(poll_once(fut, &counting_waker().1).is_pending());
    }
}

/// Every `wait_op` event in `events` (there is at least one: a parked
/// `who` emits it) reports a queue depth `depth_field` of 1.
fn assert_each_wait_at_one(events: &[Ev], wait_op: &str, depth_field: &str, who: &str) {
    let waits = ops(events, wait_op);
    assert!(!waits.is_empty(), "a parked {who} emits {wait_op}");
    for w in waits {
        assert_eq!(w.u64(depth_field), 1, "a re-poll added an entry: {w:?}");
    }
}

#[test]
fn repoll_with_new_waker_keeps_waiting_senders_at_one() {
    let events = with_capture(|cap| {
        let (tx, _rx) = bounded::<u32>(1);
        tx.try_send(0).unwrap();
        cap.take();
        let mut fut = tx.send(1);
        park_and_repoll(&mut fut);
        cap.take()
    });
    assert_each_wait_at_one(&events, "send_wait", "waiting_senders", "sender");
}

#[test]
fn repoll_with_new_waker_keeps_waiting_receivers_at_one() {
    let events = with_capture(|cap| {
        let (_tx, rx) = bounded::<u32>(1);
        cap.take();
        let mut fut = rx.recv();
        park_and_repoll(&mut fut);
        cap.take()
    });
    assert_each_wait_at_one(&events, "recv_wait", "waiting_receivers", "receiver");
}

#[test]
fn handle_events_follow_each_handle_through_its_states() {
    let (events, s0, s1, r0, r1) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(2);
        let (s0, r0) = (tx.id(), rx.id());
        let tx2 = tx.clone();
        let rx2 = rx.clone();
        let (s1, r1) = (tx2.id(), rx2.id());
        tx.try_send(1).unwrap();
        let closing = tx.close();
        drop(tx2);
        assert_eq!(rx.try_recv(), Ok(1));
        let closed = match closing.try_finish() {
            Ok(c) => c,
            Err(_) => panic!("drained but not finished"),
        };
        drop(closed);
        let rclosing = rx2.close();
        drop(rclosing);
        drop(rx);
        (cap.take(), s0, s1, r0, r1)
    });
    let s = |h: u64, from: &str, to: &str| ("sender".to_string(), h, from.into(), to.into());
    let r = |h: u64, from: &str, to: &str| ("receiver".to_string(), h, from.into(), to.into());
    assert_eq!(
        handle_events(&events),
        vec![
            s(s0, "-", "Open"),
            r(r0, "-", "Open"),
            s(s1, "-", "Open"),
            r(r1, "-", "Open"),
            s(s0, "Open", "Closing"),
            s(s1, "Open", "-"),
            s(s0, "Closing", "Closed"),
            s(s0, "Closed", "-"),
            r(r1, "Open", "Closing"),
            r(r1, "Closing", "-"),
            r(r0, "Open", "-"),
        ]
    );
    assert_eq!((s0, s1, r0, r1), (0, 1, 0, 1), "ids count from 0 per role");
}

#[test]
fn lifecycle_goes_closing_at_close_and_closed_when_drained() {
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(4);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        cap.take();
        let closing = tx.close();
        let after_close = cap.take();
        assert_eq!(rx.try_recv(), Ok(1));
        let after_first_pop = cap.take();
        assert_eq!(rx.try_recv(), Ok(2));
        let after_drain = cap.take();
        drop((closing, rx));
        let after_drop = cap.take();
        [after_close, after_first_pop, after_drain, after_drop]
    });
    let oc = ("open".to_string(), "closing".to_string());
    let cc = ("closing".to_string(), "closed".to_string());
    assert_eq!(lifecycle_events(&events[0]), vec![oc]);
    assert_eq!(lifecycle_events(&events[1]), vec![]);
    assert_eq!(lifecycle_events(&events[2]), vec![cc]);
    assert_eq!(
        lifecycle_events(&events[3]),
        vec![],
        "lifecycle events are emitted once"
    );
}

#[test]
fn lifecycle_closes_at_once_when_empty_and_on_last_handle_drop() {
    let both = vec![
        ("open".to_string(), "closing".to_string()),
        ("closing".to_string(), "closed".to_string()),
    ];
    // Close of an empty channel.
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(4);
        cap.take();
        let c = tx.close();
        let e = cap.take();
        drop((c, rx));
        e
    });
    assert_eq!(lifecycle_events(&events), both);
    // Last sender dropped.
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(4);
        let tx2 = tx.clone();
        cap.take();
        drop(tx);
        assert_eq!(lifecycle_events(&cap.take()), vec![], "a sender remains");
        drop(tx2);
        let e = cap.take();
        drop(rx);
        e
    });
    assert_eq!(lifecycle_events(&events), both);
    // Last receiver dropped with a message buffered: closing only.
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(4);
        tx.try_send(1).unwrap();
        cap.take();
        drop(rx);
        let e = cap.take();
        drop(tx);
        e
    });
    assert_eq!(lifecycle_events(&events)[0], both[0]);
}

#[test]
fn unobserved_channels_emit_nothing_to_other_threads_subscribers() {
    // A channel used on a thread without a subscriber must not show up in
    // another thread's capture (events are per dispatcher, not global).
    let events = with_capture(|cap| {
        std::thread::spawn(|| {
            let (tx, rx) = bounded::<u32>(2);
            tx.try_send(1).unwrap();
            assert_eq!(rx.try_recv(), Ok(1));
        })
        .join()
        .unwrap();
        cap.take()
    });
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn closing_wakes_every_parked_waiter_with_one_wake_event_each() {
    let (events, ids) = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(1);
        let tx2 = tx.clone();
        tx.try_send(0).unwrap();
        let mut a = tx.send(1);
        let mut b = tx2.send(2);
        park(&mut a);
        park(&mut b);
        cap.take();
        // The last receiver goes: both parked senders wake with their value.
        drop(rx);
        let e = cap.take();
        assert!(matches!(
            poll_once(&mut a, &counting_waker().1),
            Poll::Ready(Err(_))
        ));
        assert!(matches!(
            poll_once(&mut b, &counting_waker().1),
            Poll::Ready(Err(_))
        ));
        (e, [tx.id(), tx2.id()])
    });
    let wakes = ops(&events, "wake");
    assert_eq!(wakes.len(), 2, "{events:#?}");
    let mut woken: Vec<u64> = wakes.iter().map(|w| w.u64("woken")).collect();
    woken.sort_unstable();
    assert_eq!(woken, ids.to_vec());
    for w in &wakes {
        assert_eq!(w.str("side"), "senders");
    }
    // `waiting` is the depth after each wake: 1, then 0.
    assert_eq!(
        wakes.iter().map(|w| w.u64("waiting")).collect::<Vec<_>>(),
        vec![1, 0]
    );
}

/// Schema v2: a parked future that goes away before any wake says so, with
/// its handle and the depth after; its queue depth never stays stale.
#[test]
fn a_parked_sender_dropped_unwoken_leaves_its_queue_with_an_event() {
    let events = with_capture(|cap| {
        let (tx, _rx) = bounded::<u32>(1);
        let tx2 = tx.clone();
        tx.try_send(1).unwrap();
        let mut a = tx.send(2);
        let mut b = tx2.send(3);
        park(&mut a);
        park(&mut b);
        assert_eq!(tx.waiting_senders(), 2);
        drop(b);
        assert_eq!(tx.waiting_senders(), 1);
        drop(a);
        cap.take()
    });
    let leaves = ops(&events, "leave");
    assert_eq!(leaves.len(), 2, "{events:#?}");
    assert_eq!(leaves[0].str("side"), "senders");
    assert_eq!(leaves[0].u64("handle"), 1, "tx2 is S1");
    assert_eq!(leaves[0].u64("waiting"), 1);
    assert_eq!(leaves[1].u64("handle"), 0);
    assert_eq!(leaves[1].u64("waiting"), 0);
    assert!(ops(&events, "wake").is_empty());
}

/// Schema v2: a wake names its cause and the handle that caused it, and
/// carries the ticket its park got; a close by a handle reports that
/// handle's `Open -> Closing` before the channel's `open -> closing`, and
/// its wakes name it; each woken future then says how it ended.
#[test]
fn a_wake_names_who_woke_whom_and_a_close_comes_after_its_call() {
    let events = with_capture(|cap| {
        let (tx, rx) = bounded::<u32>(1);
        let tx2 = tx.clone();
        tx.try_send(1).unwrap();
        // S0 and S1 park, in that order.
        let mut a = tx.send(2);
        let (_, wa) = park(&mut a);
        let mut b = tx2.send(3);
        let (_, wb) = park(&mut b);
        // R0's pop hands S0's message (the first to park) off into the
        // ring and wakes it: its send is done.
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(poll_once(&mut a, &wa), Poll::Ready(Ok(())));
        drop(a);
        // R0 closes: S1, still parked, is woken by the close and gets its
        // value back.
        let rx = rx.close();
        assert!(matches!(poll_once(&mut b, &wb), Poll::Ready(Err(_))));
        drop(b);
        drop((tx, tx2, rx));
        cap.take()
    });
    let parks: Vec<(u64, u64)> = ops(&events, "send_wait")
        .iter()
        .map(|e| (e.u64("handle"), e.u64("ticket")))
        .collect();
    assert_eq!(parks.len(), 2);
    assert_eq!((parks[0].0, parks[1].0), (0, 1));
    assert!(parks[0].1 < parks[1].1, "tickets follow the park order");
    let wakes = ops(&events, "wake");
    assert_eq!(wakes.len(), 2);
    let by_pop = &wakes[0];
    assert_eq!(by_pop.str("cause"), "handoff");
    let handoffs = ops(&events, "handoff");
    assert_eq!(handoffs.len(), 1, "one hand-off: {events:#?}");
    assert_eq!(
        (handoffs[0].u64("handle"), handoffs[0].u64("by")),
        (0, 0),
        "S0's message, moved by R0"
    );
    assert_eq!((by_pop.str("role"), by_pop.u64("by")), ("receiver", 0));
    assert_eq!(by_pop.u64("woken"), 0);
    assert_eq!(by_pop.u64("ticket"), parks[0].1);
    let by_close = &wakes[1];
    assert_eq!(by_close.str("cause"), "close");
    assert_eq!((by_close.str("role"), by_close.u64("by")), ("receiver", 0));
    assert_eq!(by_close.u64("woken"), 1);
    assert_eq!(by_close.u64("ticket"), parks[1].1);
    // Cause before effect: R0's close, the lifecycle, the wake, S1's refusal.
    let at = |pred: &dyn Fn(&Ev) -> bool| events.iter().position(pred).expect("the event is there");
    let closed_by_r0 =
        at(&|e| e.op() == "handle" && e.str("role") == "receiver" && e.str("to") == "Closing");
    let closing = at(&|e| e.op() == "lifecycle" && e.str("to") == "closing");
    let woken = at(&|e| e.op() == "wake" && e.str("cause") == "close");
    let refused = at(&|e| e.op() == "send_closed");
    assert!(closed_by_r0 < closing && closing < woken && woken < refused);
    assert_eq!(events[refused].u64("handle"), 1);
}
