//! RFC 3339 timestamps as integer milliseconds since the Unix epoch (UTC).
//!
//! Hand-written rather than a date crate: the engine needs parse + format only, and integer
//! milliseconds make every comparison exact on every runtime.

use crate::error::{tagged, Code};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const MS_PER_DAY: i64 = 86_400_000;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// 0000-01-01T00:00:00Z, the earliest time the engine reads or writes.
    pub const MIN: Timestamp = Timestamp(-62_167_219_200_000);
    /// 9999-12-31T23:59:59.999Z, the latest.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);

    /// Days from `self` to `later` as a float (negative when `later` is earlier).
    pub fn days_until(self, later: Timestamp) -> f64 {
        later.0.saturating_sub(self.0) as f64 / MS_PER_DAY as f64
    }

    /// `days` before `self`, for a window's start. Saturating: a window of 1e300 days (or one
    /// reaching before year 0) starts at the earliest instant an i64 holds instead of wrapping
    /// round to a time in the future.
    pub fn days_before(self, days: f64) -> Timestamp {
        self.ms_before(days * MS_PER_DAY as f64)
    }

    /// `hours` before `self`, saturating like [`Timestamp::days_before`].
    pub fn hours_before(self, hours: f64) -> Timestamp {
        self.ms_before(hours * 3_600_000.0)
    }

    fn ms_before(self, ms: f64) -> Timestamp {
        // `as` saturates (and maps NaN to 0); the subtraction must too.
        Timestamp(self.0.saturating_sub(ms as i64))
    }
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`. A space may stand for `T`; `z`/`t` are
/// accepted as RFC 3339 allows. The instant must lie in years 0000–9999 once the offset is
/// applied (it could not be written back otherwise). Fractions beyond milliseconds are
/// truncated. A leap second (`:60`) is accepted only where one can occur, at 23:59:60 UTC on
/// the last day of a month, and read as the first instant of the next day (Unix time has no
/// 61st second; this keeps the order of events).
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let mut v: i64 = 0;
        for &c in b.get(from..from + len)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    // The separators of `YYYY-MM-DDTHH:MM:SS` (the length check above makes them all present).
    let [_, _, _, _, b'-', _, _, b'-', _, _, b'T' | b't' | b' ', _, _, b':', _, _, b':', ..] = b
    else {
        return None;
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(c - b'0');
            }
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..3 {
            millis *= 10;
        }
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if *sign == b'-' {
                -m
            } else {
                m
            }
        }
        _ => return None,
    };
    // Every field is bounded above, so none of this can overflow.
    let days = days_from_civil(year, month, day);
    let leap = second == 60;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_min * 60;
    if leap {
        // 23:59:59 UTC, and the next second starts a month.
        let (_, _, next_day) = civil_from_days(secs.div_euclid(86_400) + 1);
        if secs.rem_euclid(86_400) != 86_399 || next_day != 1 {
            return None;
        }
    }
    let t = Timestamp((secs + i64::from(leap)) * 1000 + millis);
    (Timestamp::MIN..=Timestamp::MAX).contains(&t).then_some(t)
}

/// Format as `YYYY-MM-DDTHH:MM:SS(.mmm)Z`; milliseconds only when non-zero.
pub fn format_rfc3339(t: Timestamp) -> String {
    let mut buf = [0u8; 24];
    let n = write_rfc3339(t, &mut buf);
    String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned()
}

/// The same text into a stack buffer, returning its length. Decisions serialize every event
/// and reason time, so this avoids the formatting machinery (slow, and large in Wasm).
pub fn write_rfc3339(t: Timestamp, buf: &mut [u8; 24]) -> usize {
    // Parsing only accepts years 0000-9999; an instant outside them (an i64 from arithmetic)
    // is clamped to the nearest one that can be written, never printed as another date.
    let t = t.clamp(Timestamp::MIN, Timestamp::MAX);
    let ms = t.0.rem_euclid(1000);
    let secs = t.0.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let fields = [
        (y, 4, b'-'),
        (m, 2, b'-'),
        (d, 2, b'T'),
        (sod / 3600, 2, b':'),
        ((sod % 3600) / 60, 2, b':'),
        (sod % 60, 2, b'.'),
        (ms, 3, b'Z'),
    ];
    let mut at = 0;
    for (i, (v, width, sep)) in fields.into_iter().enumerate() {
        if i == 6 && ms == 0 {
            // No milliseconds: replace the '.' just written with 'Z'.
            if let Some(last) = buf.get_mut(at - 1) {
                *last = b'Z';
            }
            return at;
        }
        let mut v = v;
        for k in (0..width).rev() {
            if let Some(slot) = buf.get_mut(at + k) {
                *slot = b'0' + (v % 10) as u8;
            }
            v /= 10;
        }
        at += width;
        if let Some(slot) = buf.get_mut(at) {
            *slot = sep;
        }
        at += 1;
    }
    at
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days, valid for the whole proleptic Gregorian
// calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 24];
        let n = write_rfc3339(*self, &mut buf);
        s.serialize_str(core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_rfc3339(&s).ok_or_else(|| {
            let shown: String = s.chars().take(40).collect();
            serde::de::Error::custom(tagged(
                Code::InvalidTime,
                format!("not an RFC 3339 time: {shown:?}"),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let t = parse_rfc3339("2026-11-23T12:00:00Z").unwrap();
        assert_eq!(format_rfc3339(t), "2026-11-23T12:00:00Z");
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        let a = parse_rfc3339("2026-10-02T11:15:00+01:00").unwrap();
        assert_eq!(format_rfc3339(a), "2026-10-02T10:15:00Z");
        let b = parse_rfc3339("2026-10-02T05:15:00.5-05:00").unwrap();
        assert_eq!(format_rfc3339(b), "2026-10-02T10:15:00.500Z");
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(|t| t.0 % 1000),
            Some(0)
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "2026-11-23",
            "2026-11-23T12:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T12:00:00+1:00",
            "2026-11-23T12:00:00.Z",
            "２０２６-11-23T12:00:00Z",
            "2026-11-23T12:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
    }

    #[test]
    fn roundtrips_many_days() {
        for day in (-719_000i64..2_900_000).step_by(997) {
            let t = Timestamp(day * MS_PER_DAY + 3_723_004);
            assert_eq!(parse_rfc3339(&format_rfc3339(t)), Some(t));
        }
    }
}
