//! Type-state transitions: Open -> Closing -> Closed on both ends, and that no
//! accepted message is lost on the way. (What a `Closing` or `Closed` handle
//! cannot do is proved by the compile-fail doc tests in
//! `src/channel/typestate_doctests.rs`.)
#![cfg(not(loom))]

use std::thread;

use chanviz::channel::{bounded, Closed, Closing, Open, Receiver, Sender, State, TryRecvError};
use futures::executor::block_on;

mod support;
use support::{channel_holding, finished, still_closing};

fn state_name<S: State>(_: &Sender<u32, S>) -> &'static str {
    std::any::type_name::<S>().rsplit("::").next().unwrap()
}

#[test]
fn sender_goes_open_closing_closed_once_drained() {
    let (tx, rx) = channel_holding(4, [1, 2]);
    assert_eq!(state_name(&tx), "Open");
    let closing: Sender<u32, Closing> = tx.close();
    assert_eq!(state_name(&closing), "Closing");
    // Not drained yet: try_finish hands the Closing sender back.
    let closing = match closing.try_finish() {
        Ok(_) => panic!("finished with two messages buffered"),
        Err(c) => c,
    };
    assert_eq!(closing.len(), 2);
    assert_eq!(rx.try_recv(), Ok(1));
    let closing = still_closing(closing.try_finish());
    assert_eq!(rx.try_recv(), Ok(2));
    let closed: Sender<u32, Closed> = finished(closing.try_finish());
    assert_eq!(state_name(&closed), "Closed");
    assert!(closed.is_closed() && closed.is_empty() && !closed.is_full());
    assert_eq!(closed.capacity(), 4);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn drained_resolves_once_receivers_took_everything() {
    let (tx, rx) = channel_holding(8, 0..8);
    let closing = tx.close();
    let consumer = thread::spawn(move || {
        block_on(async {
            let mut got = Vec::new();
            while let Ok(v) = rx.recv().await {
                got.push(v);
            }
            got
        })
    });
    let closed: Sender<u32, Closed> = block_on(closing.drained());
    assert!(closed.is_empty());
    assert_eq!(consumer.join().unwrap(), (0..8).collect::<Vec<_>>());
}

#[test]
fn drained_resolves_at_once_when_already_empty() {
    let (tx, _rx) = bounded::<u32>(2);
    let closed = block_on(tx.close().drained());
    assert!(closed.is_closed());
}

#[test]
fn receiver_goes_open_closing_closed_and_drains_the_rest() {
    let (tx, rx) = channel_holding(4, 0..3);
    let rx: Receiver<u32, Open> = rx;
    let closing: Receiver<u32, Closing> = rx.close();
    assert!(tx.is_closed());
    let closing = still_closing(closing.try_finish());
    assert_eq!(closing.drain().next(), Some(0));
    // A partly consumed drain leaves the rest for the next one.
    assert_eq!(closing.drain().collect::<Vec<_>>(), vec![1, 2]);
    let closed: Receiver<u32, Closed> = finished(closing.try_finish());
    assert!(closed.is_empty() && closed.is_closed());
}

#[test]
fn a_clone_sees_the_close_at_runtime() {
    // A clone's type cannot change when another handle closes the channel, so
    // the runtime flag must tell it.
    let (tx, rx) = bounded::<u32>(2);
    let tx2 = tx.clone();
    tx2.try_send(5).unwrap();
    let _closing = tx.close();
    assert!(tx2.is_closed());
    assert!(tx2.try_send(6).is_err());
    assert!(block_on(tx2.send(7)).is_err());
    // Still receivable after the close.
    assert_eq!(block_on(rx.recv()), Ok(5));
    assert!(block_on(rx.recv()).is_err());
}

#[test]
fn closing_one_of_several_senders_closes_the_channel_for_all() {
    let (tx, rx) = bounded::<u32>(4);
    let others: Vec<_> = (0..3).map(|_| tx.clone()).collect();
    let closing = tx.close();
    for o in &others {
        assert!(o.is_closed());
    }
    drop(others);
    drop(closing);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

/// What a handle of any type state reports: (len, capacity, chan_id, id).
macro_rules! report {
    ($handle:expr) => {
        (
            $handle.len(),
            $handle.capacity(),
            $handle.chan_id(),
            $handle.id(),
        )
    };
}

#[test]
fn every_state_reports_len_capacity_and_ids() {
    let (tx, rx) = bounded::<u32>(3);
    tx.try_send(1).unwrap();
    let (chan, sid, rid) = (tx.chan_id(), tx.id(), rx.id());
    let tx = tx.close();
    let rx = rx.close();
    assert_eq!(report!(tx), (1, 3, chan, sid));
    assert_eq!(report!(rx), (1, 3, chan, rid));
    assert!(!tx.is_empty() && !rx.is_full());
    assert_eq!(rx.drain().count(), 1);
    let tx = finished(tx.try_finish());
    let rx = finished(rx.try_finish());
    assert_eq!(report!(tx), (0, 3, chan, sid));
    assert_eq!(report!(rx), (0, 3, chan, rid));
}

/// A closing receiver waits for the drain while another receiver still has
/// messages to take, then becomes `Closed`.
#[test]
fn receiver_drained_resolves_once_other_receivers_took_everything() {
    let (tx, rx) = bounded::<u32>(4);
    let other = rx.clone();
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let closing: Receiver<u32, Closing> = rx.close();
    let taker = thread::spawn(move || {
        let got = (other.try_recv(), other.try_recv());
        (got, other)
    });
    let closed: Receiver<u32, Closed> = block_on(closing.drained());
    let (got, other) = taker.join().unwrap();
    assert_eq!(got, (Ok(1), Ok(2)));
    assert_eq!(closed.state(), "Closed");
    assert_eq!(other.try_recv(), Err(TryRecvError::Closed));
    drop(tx);
}
