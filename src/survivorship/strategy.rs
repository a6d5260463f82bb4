//! The survivorship strategies: their names as a rules file writes them, and the small value tests
//! they rely on (email and phone shape, numbers, decimal sums, timestamps). Pure functions; how a
//! strategy narrows a set of candidates lives in `engine`.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::cmp::Ordering;
use std::fmt;

/// One survivorship strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    /// The value of the record whose source ranks highest in the object's `source_priority`.
    SourcePriority,
    /// The value of the most recently updated record.
    MostRecent,
    /// The value of the record created first.
    Oldest,
    /// The value of the record with the most non-empty fields (of the group, for a field group).
    MostComplete,
    /// The value most records share, comparing without regard to case and spacing.
    MostFrequent,
    /// The longest value.
    Longest,
    /// Any value rather than none (missing values never win anyway; kept for rules that say so).
    NonEmpty,
    /// Values shaped like an e-mail address.
    ValidEmail,
    /// Values shaped like a phone number (7 to 15 digits).
    ValidPhone,
    /// The largest value (numeric when every value is a number, else text order; ISO dates sort).
    Max,
    /// The smallest value, compared like `Max`.
    Min,
    /// The value of a record from this source.
    FromSource(String),
    /// Every value's `;`-separated items, in order, duplicates dropped (ignoring case).
    Union,
    /// The sum of the numeric values.
    Sum,
}

/// The strategy names a rules file may write as plain strings.
pub const STRATEGY_NAMES: &[&str] = &[
    "source_priority",
    "most_recent",
    "oldest",
    "most_complete",
    "most_frequent",
    "longest",
    "non_empty",
    "valid_email",
    "valid_phone",
    "max",
    "min",
    "union",
    "sum",
];

impl Strategy {
    /// The strategy a plain name stands for (`from_source` needs its table form).
    pub fn parse(name: &str) -> Option<Strategy> {
        Some(match name {
            "source_priority" => Strategy::SourcePriority,
            "most_recent" => Strategy::MostRecent,
            "oldest" => Strategy::Oldest,
            "most_complete" => Strategy::MostComplete,
            "most_frequent" => Strategy::MostFrequent,
            "longest" => Strategy::Longest,
            "non_empty" => Strategy::NonEmpty,
            "valid_email" => Strategy::ValidEmail,
            "valid_phone" => Strategy::ValidPhone,
            "max" => Strategy::Max,
            "min" => Strategy::Min,
            "union" => Strategy::Union,
            "sum" => Strategy::Sum,
            _ => return None,
        })
    }

    /// The name a golden value's `rule` carries.
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::SourcePriority => "source_priority",
            Strategy::MostRecent => "most_recent",
            Strategy::Oldest => "oldest",
            Strategy::MostComplete => "most_complete",
            Strategy::MostFrequent => "most_frequent",
            Strategy::Longest => "longest",
            Strategy::NonEmpty => "non_empty",
            Strategy::ValidEmail => "valid_email",
            Strategy::ValidPhone => "valid_phone",
            Strategy::Max => "max",
            Strategy::Min => "min",
            Strategy::FromSource(_) => "from_source",
            Strategy::Union => "union",
            Strategy::Sum => "sum",
        }
    }

    /// True for `union` and `sum`, which build a new value from several records.
    pub fn combines(&self) -> bool {
        matches!(self, Strategy::Union | Strategy::Sum)
    }

    /// True for strategies that judge whole records (and so can choose a survivor).
    pub fn judges_records(&self) -> bool {
        matches!(
            self,
            Strategy::SourcePriority
                | Strategy::MostRecent
                | Strategy::Oldest
                | Strategy::MostComplete
                | Strategy::FromSource(_)
        )
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::FromSource(s) => write!(f, "{{ from_source = {s:?} }}"),
            other => f.write_str(other.name()),
        }
    }
}

/// A rules file writes a strategy as a name (`"most_recent"`) or a table (`{ from_source = "x" }`).
impl<'de> serde::Deserialize<'de> for Strategy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrategyVisitor;
        impl<'de> Visitor<'de> for StrategyVisitor {
            type Value = Strategy;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a strategy name or a table like { from_source = \"salesforce\" }")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Strategy, E> {
                if name == "from_source" {
                    return Err(E::custom("`from_source` needs a source: write { from_source = \"NAME\" }"));
                }
                Strategy::parse(name).ok_or_else(|| {
                    E::custom(format!(
                        "unknown strategy `{name}`; expected one of {}, or {{ from_source = \"NAME\" }}",
                        STRATEGY_NAMES.join(", ")
                    ))
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strategy, A::Error> {
                let mut source: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "from_source" {
                        return Err(de::Error::custom(format!(
                            "unknown key `{key}` in a strategy table; the only one is from_source = \"NAME\""
                        )));
                    }
                    if source.is_some() {
                        return Err(de::Error::custom("from_source is given twice"));
                    }
                    let name: String = map.next_value()?;
                    if name.trim().is_empty() {
                        return Err(de::Error::custom("from_source needs a source name"));
                    }
                    source = Some(name);
                }
                source
                    .map(Strategy::FromSource)
                    .ok_or_else(|| de::Error::custom("a strategy table needs from_source = \"NAME\""))
            }
        }
        d.deserialize_any(StrategyVisitor)
    }
}

/// True when `text` is empty or only spacing: an empty field is not a value.
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Lower case with runs of spacing made one space, for `most_frequent` and `union` comparisons.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        // The common case, byte by byte.
        for word in text.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        }
        return out;
    }
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A plausible e-mail address: one `@`, a local part, a dotted domain whose last label is letters.
pub fn is_valid_email(text: &str) -> bool {
    let text = text.trim();
    let Some((local, domain)) = text.split_once('@') else { return false };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || text.chars().any(char::is_whitespace) {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(label_ok) && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
}

/// A plausible phone number: digits with the usual punctuation, 7 to 15 digits (E.164's limit),
/// an optional leading `+` and an optional extension (`x12`, `ext. 12`), not one digit repeated.
pub fn is_valid_phone(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let main = match lower.find(['x', 'e']) {
        Some(i) => {
            let ext = lower[i..].trim_start_matches(|c: char| c.is_alphabetic() || c == '.' || c == ' ');
            if ext.is_empty() || !ext.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            &lower[..i]
        }
        None => &lower[..],
    };
    let main = main.trim();
    let body = main.strip_prefix('+').unwrap_or(main);
    if !body.chars().all(|c| c.is_ascii_digit() || " -().//".contains(c)) {
        return false;
    }
    let digits: Vec<u8> = body.bytes().filter(u8::is_ascii_digit).collect();
    (7..=15).contains(&digits.len()) && digits.iter().any(|d| *d != digits[0])
}

/// A finite number, for `max` and `min`, read as CRMs and spreadsheets write amounts and counts:
/// `1,050`, `1 500 000`, `$1.2M`, `12.5k`, `€ 3.000,50`, `-7`. A currency sign and spaces are
/// ignored; with both `,` and `.` the last one is the decimal mark, a lone `,` followed by groups
/// of three digits separates thousands (else it is a decimal comma); `k`/`m`/`bn` multiply.
/// Anything else (`n/a`, `about 50`, `2026-05-01`) is not a number.
pub fn parse_number(text: &str) -> Option<f64> {
    let mut body: String = text
        .trim()
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '$' | '€' | '£' | '¥' | '\'' | '\u{2009}' | '\u{202f}')
        })
        .collect();
    let lower = body.to_ascii_lowercase();
    let (digits_end, scale) = [("bn", 1e9), ("b", 1e9), ("m", 1e6), ("k", 1e3)]
        .iter()
        .find(|(suffix, _)| lower.ends_with(suffix))
        .map_or((body.len(), 1.0), |(suffix, scale)| (body.len() - suffix.len(), *scale));
    body.truncate(digits_end);
    // `f64::from_str` also reads "inf" and "nan", which are not numbers a CRM means.
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b"+-.,".contains(&b)) {
        return None;
    }
    let sign = usize::from(body.starts_with(['+', '-']));
    if body[sign..].contains(['+', '-']) || !body.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let plain = match (body.rfind(','), body.rfind('.')) {
        (Some(c), Some(d)) if c > d => body.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => body.replace(',', ""),
        (Some(_), None) => {
            let groups: Vec<&str> = body[sign..].split(',').collect();
            let thousands = groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
            if thousands {
                body.replace(',', "")
            } else if groups.len() == 2 {
                body.replace(',', ".")
            } else {
                return None;
            }
        }
        _ => body,
    };
    if plain.matches('.').count() > 1 {
        return None;
    }
    plain.parse::<f64>().ok().map(|n| n * scale).filter(|n| n.is_finite())
}

/// A decimal number kept exact: `mantissa × 10^-scale`. `sum` adds these so that 0.1 + 0.2 is 0.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// Reads `-12`, `3.50`, `+7`; anything else (exponents, separators, words) is not a decimal.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, body) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) || frac.len() > 18 {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(frac.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale: frac.len() as u32 })
    }

    fn rescaled(self, scale: u32) -> Option<i128> {
        self.mantissa.checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    /// The exact sum, or `None` on overflow.
    pub fn sum(values: &[Decimal]) -> Option<Decimal> {
        let scale = values.iter().map(|d| d.scale).max().unwrap_or(0);
        let mut total: i128 = 0;
        for v in values {
            total = total.checked_add(v.rescaled(scale)?)?;
        }
        Some(Decimal { mantissa: total, scale })
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = format!("{:0>width$}", self.mantissa.unsigned_abs(), width = self.scale as usize + 1);
        let (whole, frac) = digits.split_at(digits.len() - self.scale as usize);
        write!(f, "{sign}{whole}.{frac}")
    }
}

/// Orders two stored timestamps (RFC 3339 UTC): by the seconds, then by the fraction, so that
/// `…:00Z` and `…:00.5Z` compare as times rather than as text.
pub fn cmp_time(a: &str, b: &str) -> Ordering {
    fn split(t: &str) -> (&str, &str) {
        let t = t.trim().trim_end_matches('Z');
        match t.get(..19) {
            Some(head) => (head, t[19..].trim_start_matches('.')),
            None => (t, ""),
        }
    }
    let (ha, fa) = split(a);
    let (hb, fb) = split(b);
    ha.cmp(hb).then_with(|| fa.trim_end_matches('0').cmp(fb.trim_end_matches('0')))
}

/// A timestamp as a steward reads it: the date, or date and time when `others` share that date.
pub fn show_time<'a>(t: &str, others: impl IntoIterator<Item = &'a str>) -> String {
    let date = t.get(..10).unwrap_or(t);
    if others.into_iter().any(|o| o.get(..10) == Some(date) && cmp_time(o, t) != Ordering::Equal) {
        t.get(..19).unwrap_or(t).replacen('T', " ", 1)
    } else {
        date.to_string()
    }
}

/// True when `text` starts like an ISO date (`2026-05-01…`).
pub fn looks_like_date(text: &str) -> bool {
    let b = text.trim().as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_crms_and_spreadsheets_write_them() {
        let cases = [
            ("1,050", Some(1050.0)),
            ("1 500 000", Some(1_500_000.0)),
            ("$1.2M", Some(1_200_000.0)),
            ("12.5k", Some(12_500.0)),
            ("€ 3.000,50", Some(3000.5)),
            ("1,5", Some(1.5)),
            ("1,234,567.89", Some(1_234_567.89)),
            ("-7", Some(-7.0)),
            ("+0.25", Some(0.25)),
            ("1.2.3", None),
            ("1,23,4", None),
            ("2026-05-01", None),
            ("n/a", None),
            ("inf", None),
            ("NaN", None),
            ("about 50", None),
            ("", None),
            ("-", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), want, "{text}");
        }
    }

    #[test]
    fn emails() {
        let cases = [
            ("ann@acme.com", true),
            ("  ann.lee+crm@mail.acme.co.uk ", true),
            ("Zoë@exämple.de", true),
            ("ann@acme", false),
            ("ann@@acme.com", false),
            ("ann acme.com", false),
            ("@acme.com", false),
            ("ann@.com", false),
            ("ann@acme.c0m", false),
            ("ann..lee@acme.com", false),
            ("ann @acme.com", false),
            ("n/a", false),
        ];
        for (text, want) in cases {
            assert_eq!(is_valid_email(text), want, "{text:?}");
        }
    }

    #[test]
    fn phones() {
        let cases = [
            ("+1 (415) 555-2671", true),
            ("020 7946 0958", true),
            ("+49 30 901820 x12", true),
            ("415.555.2671 ext. 4", true),
            ("555-2671", true),
            ("12345", false),
            ("0000000000", false),
            ("call me", false),
            ("+1 415 555 2671 ext", false),
            ("1234567890123456", false),
        ];
        for (text, want) in cases {
            assert_eq!(is_valid_phone(text), want, "{text:?}");
        }
    }

    #[test]
    fn decimals() {
        let sum = |xs: &[&str]| {
            Decimal::sum(&xs.iter().map(|x| Decimal::parse(x).unwrap()).collect::<Vec<_>>())
                .unwrap()
                .to_string()
        };
        assert_eq!(sum(&["0.1", "0.2"]), "0.3");
        assert_eq!(sum(&["2", "5", "1"]), "8");
        assert_eq!(sum(&["-1.5", "0.25"]), "-1.25");
        assert_eq!(sum(&["0.05", "-0.1"]), "-0.05");
        assert_eq!(sum(&[".5", "1."]), "1.5");
        for bad in ["", "-", ".", "1e3", "1,000", "abc", "1.2.3"] {
            assert_eq!(Decimal::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn times_compare_as_times() {
        assert_eq!(cmp_time("2026-05-01T10:00:00Z", "2026-05-01T10:00:00.500Z"), Ordering::Less);
        assert_eq!(cmp_time("2026-05-01T10:00:00.5Z", "2026-05-01T10:00:00.500Z"), Ordering::Equal);
        assert_eq!(cmp_time("2026-05-02T00:00:00Z", "2026-05-01T23:59:59.999Z"), Ordering::Greater);
        assert_eq!(show_time("2026-05-01T10:00:00Z", ["2026-04-01T10:00:00Z"]), "2026-05-01");
        assert_eq!(show_time("2026-05-01T10:00:00Z", ["2026-05-01T09:00:00Z"]), "2026-05-01 10:00:00");
    }

    #[test]
    fn normalising() {
        assert_eq!(normalise("  ACME   Corp\t"), "acme corp");
    }
}
