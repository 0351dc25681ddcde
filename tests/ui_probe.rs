//! The UI drawing what the real probe saw of a real channel: the panels read
//! the probe's snapshots as they are, not only hand-made ones.
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::channel::{bounded_named, TrySendError};
use chanviz::probe::ProbeLayer;
use chanviz::scenario::control::Mode;
use chanviz::ui::{render_to_buffer, App, Theme};
use ui_support::{knobs, text};

#[test]
fn a_full_then_closed_channel_is_drawn_as_the_probe_saw_it() {
    let probe = ProbeLayer::builder().manual_clock().build().probe();
    let dispatch = probe.dispatch();
    tracing::dispatcher::with_default(&dispatch, || {
        let (tx, rx) = bounded_named::<u32>(4, "demo");
        probe.set_time_us(100_000);
        for v in 0..4 {
            tx.try_send(v).expect("room");
        }
        assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
        probe.set_time_us(200_000);
        assert_eq!(rx.try_recv().ok(), Some(0));
        probe.set_time_us(2_500_000);
        let closing = tx.close();
        // Keep every handle alive while the picture is taken.
        let snapshot = probe.snapshot();
        let mut app = App::new("probe", "a real channel", Theme::default());
        app.update(snapshot, knobs(), Mode::Paused);
        let screen = text(&render_to_buffer(&app, 120, 40));

        assert!(screen.contains("Ring #"), "{screen}");
        assert!(screen.contains("\"demo\": 3 of 4 slots used"), "{screen}");
        // Head went round once (4 pushes), tail took one.
        assert!(
            screen.contains("head = next write: slot 0 lap 1"),
            "{screen}"
        );
        assert!(
            screen.contains("tail = next read: slot 1 lap 0"),
            "{screen}"
        );
        assert!(screen.contains("S0  sender   Closing"), "{screen}");
        assert!(screen.contains("R0  receiver Open"), "{screen}");
        assert!(screen.contains("CLOSING"), "{screen}");
        assert!(
            screen.contains("pushed slot 3 (len 4/4: now full)"),
            "{screen}"
        );
        assert!(screen.contains("R0 popped slot 0 (len 3/4)"), "{screen}");
        assert!(screen.contains("S0 close(): Open -> Closing"), "{screen}");
        drop((closing, rx));
    });
}
