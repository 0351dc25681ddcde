//! The live knobs of a run (rate, work, capacity, speed) and every limit and
//! list they move through, each written once: the runner, the CLI, the UI and
//! the docs read them from here. The steps are pure functions of the value
//! now; nothing here waits, locks or knows about tokio.

use std::time::Duration;

use super::Scenario;

/// Largest ring capacity: the scenario format's limit, and where the
/// capacity knob stops.
pub const MAX_CAPACITY: usize = 1_048_576;

/// Speed factors the speed knob cycles through (1x, 1/2, 1/4, 1/10).
pub const SPEEDS: [f64; 4] = [1.0, 0.5, 0.25, 0.1];

/// Producer rate notches (messages per second); above the last one is "max".
/// From 3/s to 1000/s, where a classroom watches, a step up changes the rate
/// by at most a third, fine enough to find the
/// balance of supply and demand (a demo's 15/s goes to 12 or 20, not 10);
/// above that, 1-2-5 steps reach the channel's real speed quickly.
pub const RATE_NOTCHES: [f64; 37] = [
    1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 80.0,
    100.0, 120.0, 150.0, 200.0, 250.0, 300.0, 400.0, 500.0, 600.0, 800.0, 1e3, 2e3, 5e3, 1e4, 2e4,
    5e4, 1e5, 2e5, 5e5, 1e6,
];

/// Consumer work-time notches.
pub const WORK_NOTCHES: [Duration; 12] = [
    Duration::ZERO,
    Duration::from_micros(100),
    Duration::from_millis(1),
    Duration::from_millis(2),
    Duration::from_millis(5),
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
];

/// A producer rate.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Rate {
    /// As fast as the channel takes them.
    #[default]
    Max,
    /// Messages per second, per producer.
    PerSec(f64),
}

/// The live values of everything a user can change while a run goes on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knobs {
    /// Producer tasks alive now.
    pub producers: usize,
    /// Consumer tasks alive now.
    pub consumers: usize,
    /// Rate of each producer.
    pub rate: Rate,
    /// Work time per message in each consumer.
    pub work: Duration,
    /// Ring capacity of the current channel.
    pub capacity: usize,
    /// Ring capacity the next restart will use (the capacity knob changes
    /// it; equal to `capacity` until then).
    pub next_capacity: usize,
    /// Speed factor: 1.0 is real time, 0.25 is four times slower.
    pub speed: f64,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            producers: 0,
            consumers: 0,
            rate: Rate::Max,
            work: Duration::ZERO,
            capacity: 0,
            next_capacity: 0,
            speed: SPEEDS[0],
        }
    }
}

impl Knobs {
    /// The knobs at the start of a run of `scenario`: its values, except what
    /// the viewer chose for itself and keeps across restarts (the speed, and
    /// the capacity asked for the next channel). The task counts are
    /// published by the runner as tasks start.
    pub fn at_start(scenario: &Scenario, before: &Knobs) -> Knobs {
        Knobs {
            rate: scenario.producers.rate,
            work: scenario.consumers.work,
            capacity: before.next_capacity,
            ..*before
        }
    }
}

/// A knob that turns up and down (the task counts are not knobs: adding a
/// task is not a step of a value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Knob {
    /// Each producer's rate ([`RATE_NOTCHES`], then max).
    Rate,
    /// Each consumer's work per message ([`WORK_NOTCHES`]).
    Work,
    /// The capacity of the next channel (doubles / halves, 1..=[`MAX_CAPACITY`]).
    Capacity,
    /// The speed factor ([`SPEEDS`], round and round).
    Speed,
}

/// Which way a knob turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Turn {
    /// Faster rate, more work, larger capacity, next speed.
    Up,
    /// Slower rate, less work, smaller capacity, previous speed.
    Down,
}

impl Knob {
    /// Every knob, in the order the parameters panel lists them.
    pub const ALL: [Knob; 4] = [Knob::Rate, Knob::Work, Knob::Capacity, Knob::Speed];

    /// The knob's name on screen.
    pub fn name(self) -> &'static str {
        match self {
            Knob::Rate => "rate (each)",
            Knob::Work => "work",
            Knob::Capacity => "capacity",
            Knob::Speed => "speed",
        }
    }

    /// The knob's value as the parameters panel shows it.
    pub fn show(self, k: &Knobs) -> String {
        use crate::format;
        match self {
            Knob::Rate => format::knob_rate(k.rate),
            Knob::Work => format::duration(k.work),
            Knob::Capacity if k.next_capacity != k.capacity && k.next_capacity != 0 => {
                format!("{} -> {} on r", k.capacity, k.next_capacity)
            }
            Knob::Capacity => k.capacity.to_string(),
            Knob::Speed => format::speed(k.speed),
        }
    }

    /// Move the knob one step in `knobs`.
    pub fn turn(self, knobs: &mut Knobs, turn: Turn) {
        let up = turn == Turn::Up;
        match self {
            Knob::Rate => knobs.rate = step_rate(knobs.rate, up),
            Knob::Work => knobs.work = step_work(knobs.work, up),
            Knob::Capacity => knobs.next_capacity = step_capacity(knobs.next_capacity, up),
            Knob::Speed => knobs.speed = step_speed(knobs.speed, up),
        }
    }
}

/// The rate a producer really sends at under the speed factor: slow
/// motion stretches every delay, so `20/s` at 1/10 is `2/s`. `max` stays
/// `max` (there is no delay to stretch).
pub fn real_rate(rate: Rate, speed: f64) -> Rate {
    match rate {
        Rate::PerSec(r) if speed > 0.0 => Rate::PerSec(r * speed),
        other => other,
    }
}

/// The time a consumer really spends on a message under the speed factor:
/// `5ms` at 1/4 is `20ms`.
pub fn real_work(work: Duration, speed: f64) -> Duration {
    if speed > 0.0 && speed != 1.0 {
        work.div_f64(speed)
    } else {
        work
    }
}

/// The next rate notch up (past the last: max) or down (from max: the last
/// notch; never below the first).
pub fn step_rate(rate: Rate, up: bool) -> Rate {
    let last = RATE_NOTCHES[RATE_NOTCHES.len() - 1];
    match (rate, up) {
        (Rate::Max, true) => Rate::Max,
        (Rate::Max, false) => Rate::PerSec(last),
        (Rate::PerSec(r), true) => RATE_NOTCHES
            .iter()
            .copied()
            .find(|&n| n > r * 1.0001)
            .map_or(Rate::Max, Rate::PerSec),
        (Rate::PerSec(r), false) => Rate::PerSec(
            RATE_NOTCHES
                .iter()
                .rev()
                .copied()
                .find(|&n| n < r * 0.9999)
                .unwrap_or(RATE_NOTCHES[0]),
        ),
    }
}

/// The next work notch up or down (a value between notches goes to the
/// neighbouring one).
pub fn step_work(work: Duration, up: bool) -> Duration {
    let found = if up {
        WORK_NOTCHES.iter().find(|&&n| n > work)
    } else {
        WORK_NOTCHES.iter().rev().find(|&&n| n < work)
    };
    match found {
        Some(&n) => n,
        None if up => WORK_NOTCHES[WORK_NOTCHES.len() - 1],
        None => Duration::ZERO,
    }
}

/// Double (up to [`MAX_CAPACITY`]) or halve (down to 1) a capacity.
pub fn step_capacity(capacity: usize, up: bool) -> usize {
    if up {
        capacity.saturating_mul(2).min(MAX_CAPACITY)
    } else {
        (capacity / 2).max(1)
    }
}

/// The next speed of [`SPEEDS`] (up) or the one before (down), round and
/// round; a speed not in the list starts again from 1x.
pub fn step_speed(speed: f64, up: bool) -> f64 {
    let n = SPEEDS.len();
    let i = SPEEDS.iter().position(|&s| s == speed).unwrap_or(0);
    SPEEDS[if up { (i + 1) % n } else { (i + n - 1) % n }]
}

/// The jitter keeps its proportion to the work time when the work changes
/// (by `--work` or the work knob): `jitter` belongs to `base_work`, and the
/// result to `work`. Without base work there is nothing to scale by.
pub fn scaled_jitter(jitter: Duration, base_work: Duration, work: Duration) -> Duration {
    if base_work.is_zero() {
        jitter
    } else {
        jitter.mul_f64(work.as_secs_f64() / base_work.as_secs_f64())
    }
}

/// The speed list as the docs and the help write it: `1x, 1/2, 1/4, 1/10`.
pub fn speeds_text() -> String {
    SPEEDS
        .iter()
        .map(|&s| {
            let t = crate::format::speed(s);
            if s == 1.0 {
                t
            } else {
                t.trim_end_matches('x').to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_climbs_through_the_notches_to_max_and_back() {
        assert_eq!(step_rate(Rate::PerSec(100.0), true), Rate::PerSec(120.0));
        assert_eq!(step_rate(Rate::PerSec(150.0), true), Rate::PerSec(200.0));
        assert_eq!(step_rate(Rate::PerSec(1e3), true), Rate::PerSec(2e3));
        assert_eq!(step_rate(Rate::PerSec(1e6), true), Rate::Max);
        assert_eq!(step_rate(Rate::Max, true), Rate::Max);
        assert_eq!(step_rate(Rate::Max, false), Rate::PerSec(1e6));
        assert_eq!(step_rate(Rate::PerSec(150.0), false), Rate::PerSec(120.0));
        assert_eq!(step_rate(Rate::PerSec(15.0), false), Rate::PerSec(12.0));
        assert_eq!(step_rate(Rate::PerSec(1.0), false), Rate::PerSec(1.0));
    }

    #[test]
    fn rate_steps_are_fine_enough_to_find_a_balance_at_classroom_rates() {
        let mut rate = Rate::PerSec(RATE_NOTCHES[0]);
        let mut steps = 0;
        while let Rate::PerSec(r) = rate {
            let next = step_rate(rate, true);
            match next {
                Rate::PerSec(n) if (3.0..1e3).contains(&r) => {
                    assert!(n > r && n <= r * 4.0 / 3.0 + 1e-9, "{r} -> {n}: too coarse")
                }
                Rate::PerSec(n) if r < 1e3 => assert!(n > r && n <= r * 2.0, "{r} -> {n}"),
                Rate::PerSec(n) => assert!(n > r, "{r} -> {n}"),
                Rate::Max => assert_eq!(r, RATE_NOTCHES[RATE_NOTCHES.len() - 1]),
            }
            // Down undoes up.
            assert_eq!(step_rate(next, false), rate, "{r} up, then down");
            rate = next;
            steps += 1;
        }
        assert_eq!(steps, RATE_NOTCHES.len());
    }

    #[test]
    fn work_moves_between_notches_and_stops_at_the_ends() {
        let ms = Duration::from_millis;
        // (now, up, next)
        let cases = [
            (ms(0), true, Duration::from_micros(100)),
            (ms(3), true, ms(5)),
            (ms(3), false, ms(2)),
            (ms(0), false, ms(0)),
            (ms(1000), true, ms(1000)),
            (ms(5000), false, ms(1000)),
        ];
        for (now, up, next) in cases {
            assert_eq!(step_work(now, up), next, "{now:?} up={up}");
        }
    }

    #[test]
    fn capacity_doubles_and_halves_within_its_limits() {
        assert_eq!(step_capacity(8, true), 16);
        assert_eq!(step_capacity(8, false), 4);
        assert_eq!(step_capacity(1, false), 1);
        assert_eq!(step_capacity(MAX_CAPACITY, true), MAX_CAPACITY);
        assert_eq!(step_capacity(MAX_CAPACITY - 1, true), MAX_CAPACITY);
    }

    #[test]
    fn speed_goes_round_the_list_both_ways() {
        let mut s = SPEEDS[0];
        for expected in [0.5, 0.25, 0.1, 1.0] {
            s = step_speed(s, true);
            assert_eq!(s, expected);
        }
        assert_eq!(step_speed(1.0, false), 0.1);
        assert_eq!(step_speed(0.3, true), 0.5);
        assert_eq!(speeds_text(), "1x, 1/2, 1/4, 1/10");
    }

    #[test]
    fn jitter_keeps_its_proportion_to_the_work() {
        let ms = Duration::from_millis;
        assert_eq!(
            scaled_jitter(ms(1), ms(2), ms(5)),
            Duration::from_micros(2500)
        );
        assert_eq!(scaled_jitter(ms(1), Duration::ZERO, ms(5)), ms(1));
        assert_eq!(scaled_jitter(ms(4), ms(2), Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn slow_motion_slows_the_rate_and_stretches_the_work() {
        assert_eq!(real_rate(Rate::PerSec(20.0), 0.1), Rate::PerSec(2.0));
        assert_eq!(real_rate(Rate::PerSec(20.0), 1.0), Rate::PerSec(20.0));
        assert_eq!(real_rate(Rate::Max, 0.1), Rate::Max);
        assert_eq!(
            real_work(Duration::from_millis(5), 0.25),
            Duration::from_millis(20)
        );
        assert_eq!(real_work(Duration::ZERO, 0.1), Duration::ZERO);
    }

    #[test]
    fn a_turn_changes_only_its_knob() {
        let mut k = Knobs {
            capacity: 8,
            next_capacity: 8,
            ..Knobs::default()
        };
        Knob::Capacity.turn(&mut k, Turn::Up);
        assert_eq!((k.capacity, k.next_capacity), (8, 16));
        assert_eq!(Knob::Capacity.show(&k), "8 -> 16 on r");
        Knob::Work.turn(&mut k, Turn::Up);
        assert_eq!(k.work, Duration::from_micros(100));
        assert_eq!(k.rate, Rate::Max);
    }
}
