//! Time as mergeq writes it: RFC 3339 in UTC. The times mergeq stamps (journal entries, imports,
//! candidates) have exactly three fraction digits (`2026-11-27T21:06:04.400Z`), so that every
//! stored time has one width; record timestamps read from files keep the precision they came with.
//! `MERGEQ_NOW` pins the clock (tests, snapshots).

use time::format_description::well_known::Rfc3339;
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// RFC 3339 UTC to the millisecond, always three fraction digits.
const MILLIS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Now, as RFC 3339 UTC with three fraction digits (or `MERGEQ_NOW` when set, in that form).
pub fn now() -> String {
    if let Ok(fixed) = std::env::var("MERGEQ_NOW") {
        if let Some(t) = parse_timestamp(&fixed) {
            return fixed_width(&t);
        }
    }
    millis(OffsetDateTime::now_utc())
}

fn millis(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(MILLIS).expect("RFC 3339 formats every UTC time")
}

/// The time to stamp a journal entry with: `at` in three-digit form, or `previous` (the entry
/// before it) when that is later — so that times never go backwards against entry numbers, even
/// when a writer read the clock before waiting for the write lock. Text that is not an RFC 3339
/// time is kept as given (the encoder hashes whatever is stored).
pub fn not_before(at: &str, previous: Option<&str>) -> String {
    let parse = |t: &str| OffsetDateTime::parse(t, &Rfc3339).ok();
    let Some(at_time) = parse(at) else { return at.to_string() };
    match previous.and_then(parse) {
        Some(prev) if prev > at_time => millis(prev),
        _ => millis(at_time),
    }
}

fn format(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(t)
        .format(&Rfc3339)
        .expect("RFC 3339 formats every UTC time")
}

/// Reads the timestamp layouts CRMs export and returns RFC 3339 UTC, or `None` when unreadable.
/// Accepted: RFC 3339; Salesforce's `2026-05-01T10:00:00.000+0000`; `2026-05-01 10:00:00` and
/// `2026-05-01T10:00:00` (taken as UTC); `2026-05-01`; epoch seconds or milliseconds (HubSpot).
pub fn parse_timestamp(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(format(t));
    }
    let sf = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][offset_minute]"
    );
    if let Ok(t) = OffsetDateTime::parse(text, sf) {
        return Some(format(t));
    }
    let naive = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    for layout in naive {
        if let Ok(t) = PrimitiveDateTime::parse(text, layout) {
            return Some(format(t.assume_utc()));
        }
    }
    if let Ok(d) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Some(format(d.midnight().assume_utc()));
    }
    if !text.is_empty() && text.len() <= 13 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = text.parse().ok()?;
        let t = if text.len() > 10 {
            OffsetDateTime::from_unix_timestamp_nanos(n as i128 * 1_000_000).ok()?
        } else {
            OffsetDateTime::from_unix_timestamp(n).ok()?
        };
        return Some(format(t));
    }
    None
}

/// An RFC 3339 time shown in one width, UTC to the millisecond (`2026-11-27T21:06:04.400Z`), so
/// that a column of times lines up whatever number of fraction digits each was stored with; text
/// that is not such a time comes back unchanged. For display only: stored times are never rewritten.
pub fn fixed_width(ts: &str) -> String {
    OffsetDateTime::parse(ts, &Rfc3339).ok().map(millis).unwrap_or_else(|| ts.to_string())
}

/// Whether RFC 3339 time `a` is strictly before `b` (compared as times: `10:00:00.5Z` is after
/// `10:00:00Z`, which text order says otherwise); unreadable text is never before anything.
pub fn before(a: &str, b: &str) -> bool {
    match (OffsetDateTime::parse(a, &Rfc3339), OffsetDateTime::parse(b, &Rfc3339)) {
        (Ok(a), Ok(b)) => a < b,
        _ => false,
    }
}

/// An RFC 3339 timestamp to the minute, `2026-05-01 14:31` (UTC, as stored), for a header.
pub fn minute(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => ts.to_string(),
    }
}

/// The date part (`2026-05-01`) of an RFC 3339 timestamp, for explanations.
pub fn day(ts: &str) -> &str {
    ts.get(..10).unwrap_or(ts)
}

#[cfg(test)]
mod tests {
    use super::{fixed_width, not_before, now, parse_timestamp};

    #[test]
    fn stamps_have_three_fraction_digits_and_never_go_back() {
        let t = now();
        assert_eq!((t.len(), &t[19..20], &t[23..]), (24, ".", "Z"), "{t}");
        let cases = [
            ("2026-11-28T01:27:21.31Z", None, "2026-11-28T01:27:21.310Z"),
            ("2026-11-28T01:27:21Z", Some("2026-11-28T01:27:20.5Z"), "2026-11-28T01:27:21.000Z"),
            // Read before the lock, written after a later entry: the later time.
            ("2026-11-28T01:27:21.833Z", Some("2026-11-28T01:27:21.836Z"), "2026-11-28T01:27:21.836Z"),
            ("2026-11-28T01:27:21.833Z", Some("2026-11-28T01:27:21.84Z"), "2026-11-28T01:27:21.840Z"),
            ("2026-11-28T02:27:21.833+01:00", Some("not a time"), "2026-11-28T01:27:21.833Z"),
            ("not a time", Some("2026-11-28T01:27:21.836Z"), "not a time"),
        ];
        for (at, previous, want) in cases {
            assert_eq!(not_before(at, previous), want, "{at} after {previous:?}");
        }
    }

    #[test]
    fn fixed_width_times() {
        let cases = [
            ("2026-11-27T21:06:04.4Z", "2026-11-27T21:06:04.400Z"),
            ("2026-11-27T21:06:04.45Z", "2026-11-27T21:06:04.450Z"),
            ("2026-11-27T21:06:04Z", "2026-11-27T21:06:04.000Z"),
            ("2026-11-27T21:06:04.123456789Z", "2026-11-27T21:06:04.123Z"),
            ("2026-11-27T23:06:04.4+02:00", "2026-11-27T21:06:04.400Z"),
            ("not a time", "not a time"),
        ];
        for (stored, shown) in cases {
            assert_eq!(fixed_width(stored), shown, "{stored}");
        }
    }

    #[test]
    fn layouts() {
        let cases = [
            ("2026-05-01T10:00:00Z", Some("2026-05-01T10:00:00Z")),
            ("2026-05-01T12:00:00+02:00", Some("2026-05-01T10:00:00Z")),
            ("2026-05-01T10:00:00.000+0000", Some("2026-05-01T10:00:00Z")),
            ("2026-05-01T10:00:00.250+0000", Some("2026-05-01T10:00:00.25Z")),
            ("2026-05-01 10:00:00", Some("2026-05-01T10:00:00Z")),
            ("2026-05-01", Some("2026-05-01T00:00:00Z")),
            ("1777629600000", Some("2026-05-01T10:00:00Z")),
            ("1777629600", Some("2026-05-01T10:00:00Z")),
            ("yesterday", None),
            ("2026-13-01", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_timestamp(input).as_deref(), want, "{input}");
        }
    }
}
