//! Compile-fail proofs of the type state: a `Closing` or `Closed` handle
//! cannot send, receive or be cloned.
//!
//! Each `compile_fail` test has a control right before it: the same code, with
//! the handle left `Open` for the forbidden call while the very same steps
//! still reach the `Closing` or `Closed` state on a second handle. The
//! control must compile, so a typo or a changed path cannot make the
//! compile-fail test pass for the wrong reason. (`E0599`, "no method found",
//! is checked by nightly rustdoc; stable only checks that compilation fails.)
//!
//! This module exists only for `cargo test --doc` (`#[cfg(doctest)]`).
//!
//! ## `Sender<_, Closing>` cannot `send`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &other;
//! let _fut = tx.send(1);
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &tx;
//! let _fut = tx.send(1);
//! ```
//!
//! ## `Sender<_, Closing>` cannot `try_send`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &other;
//! let _ = tx.try_send(1);
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &tx;
//! let _ = tx.try_send(1);
//! ```
//!
//! ## `Sender<_, Closing>` cannot `clone`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &other;
//! let _copy: chanviz::channel::Sender<u8, chanviz::channel::Open> = tx.clone();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &tx;
//! let _copy: chanviz::channel::Sender<u8, chanviz::channel::Closing> = tx.clone();
//! ```
//!
//! ## `Sender<_, Closed>` cannot `send`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &other;
//! let _fut = tx.send(1);
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let tx = match tx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &tx;
//! let _fut = tx.send(1);
//! ```
//!
//! ## `Sender<_, Closed>` cannot `try_send`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &other;
//! let _ = tx.try_send(1);
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let tx = match tx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &tx;
//! let _ = tx.try_send(1);
//! ```
//!
//! ## `Sender<_, Closed>` cannot `clone`
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &other;
//! let _copy: chanviz::channel::Sender<u8, chanviz::channel::Open> = tx.clone();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let tx = match tx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closed> = &tx;
//! let _copy: chanviz::channel::Sender<u8, chanviz::channel::Closed> = tx.clone();
//! ```
//!
//! ## `Receiver<_, Closing>` cannot `recv`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &other;
//! let _fut = rx.recv();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &rx;
//! let _fut = rx.recv();
//! ```
//!
//! ## `Receiver<_, Closing>` cannot `try_recv`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &other;
//! let _ = rx.try_recv();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &rx;
//! let _ = rx.try_recv();
//! ```
//!
//! ## `Receiver<_, Closing>` cannot `clone`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &other;
//! let _copy: chanviz::channel::Receiver<u8, chanviz::channel::Open> = rx.clone();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &rx;
//! let _copy: chanviz::channel::Receiver<u8, chanviz::channel::Closing> = rx.clone();
//! ```
//!
//! ## `Receiver<_, Closed>` cannot `recv`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &other;
//! let _fut = rx.recv();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let rx = match rx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &rx;
//! let _fut = rx.recv();
//! ```
//!
//! ## `Receiver<_, Closed>` cannot `try_recv`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &other;
//! let _ = rx.try_recv();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let rx = match rx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &rx;
//! let _ = rx.try_recv();
//! ```
//!
//! ## `Receiver<_, Closed>` cannot `clone`
//!
//! Control (compiles):
//! ```
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let other = match other.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &other;
//! let _copy: chanviz::channel::Receiver<u8, chanviz::channel::Open> = rx.clone();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let rx = match rx.try_finish() { Ok(closed) => closed, Err(_) => unreachable!("empty, so drained") };
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closed> = &rx;
//! let _copy: chanviz::channel::Receiver<u8, chanviz::channel::Closed> = rx.clone();
//! ```
//!
//! ## `Receiver<_, Closing>` is not a `Stream`
//!
//! Control (compiles):
//! ```
//! fn is_stream<S: futures_core::Stream>(_: &S) {}
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let other = rx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &other;
//! is_stream(&rx);
//! ```
//! Forbidden:
//! ```compile_fail,E0277
//! fn is_stream<S: futures_core::Stream>(_: &S) {}
//! let (_tx, rx) = chanviz::channel::bounded::<u8>(1);
//! let rx = rx.close();
//! let _: &chanviz::channel::Receiver<u8, chanviz::channel::Closing> = &rx;
//! is_stream(&rx);
//! ```
//!
//! ## A `Closing` handle cannot be closed again
//!
//! Control (compiles):
//! ```
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let other = tx.clone();
//! let other = other.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &other;
//! let _ = tx.close();
//! ```
//! Forbidden:
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let tx = tx.close();
//! let _: &chanviz::channel::Sender<u8, chanviz::channel::Closing> = &tx;
//! let _ = tx.close();
//! ```
//!
//! ## An `Open` handle cannot skip `Closing`
//!
//! Forbidden (its control is the `Closed` cases above, which reach `Closed`
//! through `close()` then `try_finish()`):
//! ```compile_fail,E0599
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! let _ = tx.try_finish();
//! ```
//!
//! ## A `State` cannot be implemented outside the crate (the trait is sealed)
//!
//! Control (compiles): the trait is nameable and usable as a bound.
//! ```
//! fn state_of<S: chanviz::channel::State>(_: &chanviz::channel::Sender<u8, S>) {}
//! let (tx, _rx) = chanviz::channel::bounded::<u8>(1);
//! state_of(&tx);
//! ```
//! Forbidden:
//! ```compile_fail
//! struct Mine;
//! impl chanviz::channel::State for Mine {}
//! ```
