//! Sending and receiving allocate nothing on the heap in the steady state,
//! when nobody has to wait.
//!
//! A counting global allocator counts the allocations made by the current
//! thread while it is inside [`count_allocations`]; a thread-local flag keeps
//! the test harness and other tests' threads out of the count. This file is
//! its own test binary, so the allocator affects no other test.
#![cfg(not(loom))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chanviz::channel::bounded;
use futures::executor::block_on;

struct CountingAlloc;

thread_local! {
    /// Whether this thread's allocations are being counted.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    /// How many allocations (and reallocations) this thread made while counting.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: the allocator can be called while thread-locals are being
    // torn down; those allocations are not ours to count.
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: every method forwards to `System`, which upholds the `GlobalAlloc`
// contract; the counting touches only const-initialised thread-locals that
// never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as ours, forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as ours, forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as ours, forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours, forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Runs `f` and returns how many allocations this thread made during it.
fn count_allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    COUNT.with(|c| c.get())
}

#[test]
fn the_counter_sees_an_allocation() {
    // The control: without it, a broken counter would make every test pass.
    let n = count_allocations(|| {
        std::hint::black_box(Box::new(7u64));
    });
    assert_eq!(n, 1);
}

#[test]
fn try_send_and_try_recv_allocate_nothing_in_steady_state() {
    let (tx, rx) = bounded::<u64>(8);
    // Warm up: the first event at each call site registers it with `tracing`.
    for i in 0..32 {
        tx.try_send(i).unwrap();
        assert_eq!(rx.try_recv(), Ok(i));
    }
    let mut sum = 0u64;
    let n = count_allocations(|| {
        for lap in 0..1_000u64 {
            for i in 0..8 {
                tx.try_send(lap * 8 + i).unwrap();
            }
            // Full, and the value comes back: still no allocation.
            assert!(tx.try_send(0).is_err());
            for _ in 0..8 {
                sum += rx.try_recv().unwrap();
            }
            // Empty.
            assert!(rx.try_recv().is_err());
        }
    });
    assert_eq!(sum, (0..8_000).sum::<u64>());
    assert_eq!(
        n, 0,
        "try_send/try_recv allocated {n} times in 8000 round trips"
    );
}

#[test]
fn send_and_recv_futures_allocate_nothing_when_nobody_waits() {
    let (tx, rx) = bounded::<u64>(4);
    let tx2 = tx.clone();
    let rx2 = rx.clone();
    // Warm up block_on's thread-local state and tracing's call sites.
    block_on(async {
        for i in 0..16 {
            tx.send(i).await.unwrap();
            assert_eq!(rx.recv().await, Ok(i));
        }
    });
    let mut sum = 0u64;
    let n = count_allocations(|| {
        block_on(async {
            for i in 0..5_000u64 {
                tx.send(i).await.unwrap();
                tx2.send(i).await.unwrap();
                sum += rx.recv().await.unwrap();
                sum += rx2.recv().await.unwrap();
            }
        })
    });
    assert_eq!(sum, 2 * (0..5_000).sum::<u64>());
    assert_eq!(n, 0, "send().await/recv().await allocated {n} times");
}

#[test]
fn payloads_that_own_heap_memory_cost_only_their_own_allocation() {
    // The channel moves the value; it does not box or copy it.
    let (tx, rx) = bounded::<Vec<u8>>(2);
    for _ in 0..4 {
        tx.try_send(Vec::with_capacity(1)).unwrap();
        drop(rx.try_recv().unwrap());
    }
    let n = count_allocations(|| {
        for _ in 0..100 {
            tx.try_send(Vec::with_capacity(16)).unwrap();
            drop(rx.try_recv().unwrap());
        }
    });
    assert_eq!(n, 100);
}
