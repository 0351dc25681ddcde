//! Parsing and printing of durations, rates, counts and speeds: the one place
//! that decides how a value reads. The TUI, the headless lines, the CLI's
//! messages and the scenario format all go through it, so the same value
//! prints the same way everywhere. Pure functions only; it must never know
//! about a terminal or JSON.

use std::time::Duration;

use crate::scenario::knobs::Rate;

/// Parse a duration: a non-negative number and a unit (`us`, `ms`, `s`, `m`,
/// `h`), e.g. `"500ms"`, `"1.5s"`, `"1m"`; a bare `"0"` is zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad =
        || format!("must be a duration like \"500ms\", \"2s\", \"1.5s\" or \"1m\", got {text:?}");
    let t = text.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let scale = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    let secs = n * scale;
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A duration the way scenario files write them (and [`parse_duration`]
/// reads them back): `"0"`, `"750us"`, `"20ms"`, `"2.5ms"`, `"1.5s"`, `"2m"`.
pub fn duration(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0".to_string()
    } else if us < 1000 {
        format!("{us}us")
    } else if us < 1_000_000 {
        trim_float(us as f64 / 1000.0, "ms")
    } else if us < 60_000_000 || us % 60_000_000 != 0 {
        trim_float(us as f64 / 1e6, "s")
    } else {
        format!("{}m", us / 60_000_000)
    }
}

fn trim_float(v: f64, unit: &str) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// A point in a run, to the millisecond, for the event log: `12.345s`,
/// `1m02.345s` past a minute, `1h02m03.456s` past an hour. Always to the
/// millisecond, so that events a few milliseconds apart never share a time.
pub fn time_us(us: u64) -> String {
    let ms = (us + 500) / 1000; // to the nearest millisecond
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if ms < 60_000 {
        format!("{s}.{frac:03}s")
    } else if h == 0 {
        format!("{m}m{s:02}.{frac:03}s")
    } else {
        format!("{h}h{m:02}m{s:02}.{frac:03}s")
    }
}

/// An age or a wait, as short as it reads: `0.8ms`, `12ms`, `2.9s`,
/// `12s`, `3m05s`, `2h05m` (at most 6 columns).
pub fn age_us(us: u64) -> String {
    if us < 1_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else if us < 1_000_000 {
        format!("{}ms", us / 1_000)
    } else if us < 10_000_000 {
        format!("{:.1}s", us as f64 / 1e6)
    } else if us < 60_000_000 {
        format!("{}s", us / 1_000_000)
    } else if us < 3_600_000_000 {
        format!("{}m{:02}s", us / 60_000_000, us / 1_000_000 % 60)
    } else {
        format!("{}h{:02}m", us / 3_600_000_000, us / 60_000_000 % 60)
    }
}

/// Elapsed time, short: `12.3s`, `1m02s`, `1h02m`.
pub fn elapsed_us(us: u64) -> String {
    let secs = us / 1_000_000;
    if secs < 60 {
        format!("{:.1}s", us as f64 / 1e6)
    } else if secs < 3600 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h{:02}m", secs / 3600, (secs / 60) % 60)
    }
}

/// [`elapsed_us`] of a `Duration`.
pub fn elapsed(d: Duration) -> String {
    elapsed_us(d.as_micros() as u64)
}

/// Milliseconds with one decimal: `2400.0ms` (type-state transition times).
pub fn millis(ms: f64) -> String {
    format!("{ms:.1}ms")
}

/// A rate in messages (or events) per second: `0.5/s`, `950/s`, `12.3k/s`,
/// `1.2M/s`. Below 10 a fraction is kept (a configured `2.5/s` stays itself).
pub fn rate(per_sec: f64) -> String {
    let fraction = per_sec < 10.0 && per_sec.fract() != 0.0;
    match si(per_sec, 1e4) {
        (v, "") if fraction => format!("{v:.1}/s"),
        (v, "") => format!("{v:.0}/s"),
        (v, unit) => format!("{v:.1}{unit}/s"),
    }
}

/// A rate without its unit, at most 4 characters, for narrow panels: `950`,
/// `148k`, `1.2M`.
pub fn rate_short(per_sec: f64) -> String {
    match si(per_sec, 1e3) {
        (v, "M") => format!("{v:.1}M"),
        (v, unit) => format!("{v:.0}{unit}"),
    }
}

/// `v` scaled to millions (`M`) from a million, to thousands (`k`) from
/// `k_from`, else as it is.
fn si(v: f64, k_from: f64) -> (f64, &'static str) {
    if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= k_from {
        (v / 1e3, "k")
    } else {
        (v, "")
    }
}

/// A producer rate knob: `max`, or [`rate`].
pub fn knob_rate(r: Rate) -> String {
    match r {
        Rate::Max => "max".to_string(),
        Rate::PerSec(r) => rate(r),
    }
}

/// A speed factor: `1x`, `1/4x`, `0.30x`.
pub fn speed(speed: f64) -> String {
    if (speed - 1.0).abs() < 1e-9 {
        return "1x".to_string();
    }
    if speed > 0.0 && speed < 1.0 {
        let inv = 1.0 / speed;
        if (inv - inv.round()).abs() < 1e-6 {
            return format!("1/{}x", inv.round() as u64);
        }
    }
    format!("{speed:.2}x")
}

/// A factor, as slow motion multiplies by it: `1/10`, `4`, `2.5`, `0.30`.
pub fn factor(f: f64) -> String {
    if f > 0.0 && f < 1.0 {
        let inv = 1.0 / f;
        if (inv - inv.round()).abs() < 1e-6 {
            return format!("1/{}", inv.round() as u64);
        }
        return format!("{f:.2}");
    }
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A count with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        for bad in [
            "",
            "5",
            "ms",
            "-1s",
            "1.2.3s",
            "3 parsecs",
            "1e999s",
            "nan s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn a_printed_duration_parses_back_to_itself() {
        for text in ["0", "750us", "20ms", "1.5s", "2m", "2.5ms", "1s"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(duration(d), text);
        }
    }

    #[test]
    fn log_times_keep_the_millisecond_past_a_minute_and_an_hour() {
        let cases = [
            (0, "0.000s"),
            (59_999_000, "59.999s"),
            (60_000_000, "1m00.000s"),
            (80_125_000, "1m20.125s"),
            (80_126_499, "1m20.126s"),
            (3_599_999_000, "59m59.999s"),
            (3_723_456_000, "1h02m03.456s"),
        ];
        for (us, text) in cases {
            assert_eq!(time_us(us), text, "{us}us");
        }
        // Events 1 ms apart past a minute read differently.
        assert_ne!(time_us(80_125_000), time_us(80_126_000));
    }

    #[test]
    fn rates_speeds_counts_and_times_read_naturally() {
        let rates = [0.5, 5.0, 2.5, 950.0, 12_345.0, 1_200_000.0].map(rate);
        assert_eq!(
            rates,
            ["0.5/s", "5/s", "2.5/s", "950/s", "12.3k/s", "1.2M/s"]
        );
        assert_eq!(knob_rate(Rate::Max), "max");
        assert_eq!(knob_rate(Rate::PerSec(20.0)), "20/s");
        for v in [0.0, 999.0, 148_000.0, 9_900_000.0] {
            assert!(rate_short(v).len() <= 4, "{v}: {}", rate_short(v));
        }
        assert_eq!([1.0, 0.25, 0.1].map(speed), ["1x", "1/4x", "1/10x"]);
        assert_eq!([12_345, 7].map(count), ["12,345", "7"]);
        assert_eq!(
            [0.1, 0.25, 0.3, 4.0, 2.5].map(factor),
            ["1/10", "1/4", "0.30", "4", "2.5"]
        );
        assert_eq!(time_us(12_345_000), "12.345s");
        assert_eq!(time_us(12_345_678), "12.346s");
        assert_eq!(elapsed_us(62_000_000), "1m02s");
        assert_eq!(elapsed(Duration::from_millis(2000)), "2.0s");
    }
}
