//! Normalisation per field kind: the form two values are compared in. Case, accents, punctuation
//! and whitespace are folded for every kind; e-mails lose `+tags` (and dots where the provider
//! ignores them); phones become E.164; web addresses and e-mail domains their registrable domain;
//! companies lose legal suffixes; streets get their abbreviations expanded; dates become `YYYYMMDD`.
//! Pure functions: no I/O, no state.

use super::kinds::Kind;
use phonenumber::country;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case, accents stripped, other scripts in Latin letters, anything but letters and digits
/// turned into single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfkd() {
        match c {
            c if is_combining_mark(c) => {}
            c if c.is_ascii_alphanumeric() => push_letters(&mut out, &mut space, c.encode_utf8(&mut [0; 4])),
            // O'Brien and OBrien are one name.
            '\'' | '’' => {}
            // Letters NFKD does not take apart (ß, æ, ø, ł…) and other scripts, in Latin letters:
            // a record typed in Cyrillic, Greek or Chinese compares with its Latin copy
            // (`Дмитрий Иванов` → `dmitrii ivanov`, `北京` → `bei jing`).
            c if c.is_alphanumeric() => match deunicode::deunicode_char(c) {
                Some(latin) => push_letters(&mut out, &mut space, latin),
                None => push_letters(&mut out, &mut space, c.encode_utf8(&mut [0; 4])),
            },
            _ => space = true,
        }
    }
    out
}

/// Appends the letters and digits of `piece`, lower case; a space in it (`bei `) ends a word,
/// anything else (`Игорь` → `Igor'`) is dropped.
fn push_letters(out: &mut String, space: &mut bool, piece: &str) {
    for c in piece.chars() {
        if c == ' ' {
            *space = true;
        } else if c.is_alphanumeric() {
            if *space && !out.is_empty() {
                out.push(' ');
            }
            *space = false;
            out.extend(c.to_lowercase());
        }
    }
}

/// The normalised form of a value of this kind, or `None` when nothing comparable is left.
pub fn normalise(kind: Kind, raw: &str, region: Option<country::Id>) -> Option<String> {
    let out = match kind {
        Kind::Email => email(raw),
        Kind::Phone => phone(raw, region),
        Kind::Website => website(raw),
        Kind::Company => Some(company(raw)),
        Kind::FirstName | Kind::LastName | Kind::FullName => Some(person_name(raw)),
        Kind::Street => Some(street(raw)),
        Kind::Postcode => Some(postcode(raw)),
        Kind::Country => Some(country(raw)),
        Kind::Date => date(raw),
        Kind::Id => Some(fold(raw).replace(' ', "")),
        Kind::City | Kind::State | Kind::Text => Some(fold(raw)),
        Kind::Ignore => None,
    };
    out.filter(|s| !s.is_empty())
}

/// The ISO region for a code such as `US` or `gb`.
pub fn region(code: &str) -> Option<country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// Providers whose mailboxes ignore dots in the local part.
const DOTLESS_PROVIDERS: &[&str] = &["gmail.com", "googlemail.com"];

/// `John.Smith+news@GoogleMail.com` → `johnsmith@gmail.com`; sub-domains fold to the registrable domain.
pub fn email(raw: &str) -> Option<String> {
    let text = raw.trim().trim_start_matches("mailto:").to_lowercase();
    let (local, host) = text.rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or("").trim();
    let host = host.trim().trim_end_matches('.');
    if local.is_empty() || !host.contains('.') {
        return None;
    }
    let mut domain = registrable(host);
    if domain == "googlemail.com" {
        domain = "gmail.com".to_string();
    }
    let local =
        if DOTLESS_PROVIDERS.contains(&domain.as_str()) { local.replace('.', "") } else { local.to_string() };
    Some(format!("{local}@{domain}"))
}

fn registrable(host: &str) -> String {
    psl::domain_str(host).unwrap_or(host).to_string()
}

/// `https://www.Shop.Example.co.uk/about` → `example.co.uk`.
pub fn website(raw: &str) -> Option<String> {
    let text = raw.trim().to_lowercase();
    let text = text.split_once("://").map(|(_, rest)| rest).unwrap_or(&text);
    let host = text.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    if !host.contains('.') {
        return None;
    }
    Some(registrable(host.trim_start_matches("www.")))
}

/// A phone number in E.164 (`+14155552671`); numbers without a country code are read in `region`.
/// A number the metadata cannot read keeps its digits (so typos still compare).
pub fn phone(raw: &str, region: Option<country::Id>) -> Option<String> {
    let text = raw.split(['x', 'X', ';']).next().unwrap_or(raw);
    let text = text.split("ext").next().unwrap_or(text);
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 5 {
        return None;
    }
    let international = text.trim_start().starts_with('+') || text.trim_start().starts_with("00");
    // North American numbers (most CRM data) need no metadata: +1 and ten digits.
    let nanp_region = matches!(region, Some(country::Id::US | country::Id::CA));
    let nanp = |d: &str| {
        d.len() == 10 && (b'2'..=b'9').contains(&d.as_bytes()[0]) && (b'2'..=b'9').contains(&d.as_bytes()[3])
    };
    if (nanp_region && !international && nanp(&digits))
        || (digits.len() == 11
            && digits.starts_with('1')
            && (international || nanp_region)
            && nanp(&digits[1..]))
    {
        return Some(format!("+1{}", &digits[digits.len() - 10..]));
    }
    let cleaned =
        if international { format!("+{}", digits.trim_start_matches("00")) } else { digits.clone() };
    if let Ok(number) = phonenumber::parse(if international { None } else { region }, &cleaned) {
        let formatted = number.format().mode(phonenumber::Mode::E164).to_string();
        if formatted.len() > 4 {
            return Some(formatted);
        }
    }
    Some(cleaned)
}

/// Loads the phone number metadata (its regular expressions take a tenth of a second to build):
/// run on a spare thread while records are read (when they have a phone field), so that
/// normalising phones does not wait on it.
pub fn warm_up() {
    let _ = phonenumber::parse(Some(country::Id::GB), "020 7946 0958");
}

/// Legal-form words dropped from the end of a company name.
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "sa",
    "sas",
    "sarl",
    "ag",
    "bv",
    "nv",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "pty",
    "pvt",
    "srl",
    "spa",
    "oy",
    "ab",
    "as",
    "kg",
    "lp",
    "llp",
    "pte",
    "kk",
    "se",
    "group",
    "holdings",
    "mbh",
    "ug",
    "oyj",
    "aps",
    "bhd",
    "sdn",
    "lda",
    "cv",
];

/// `The ACME Corp., Inc.` → `acme`.
pub fn company(raw: &str) -> String {
    let folded = fold(&raw.replace('&', " and "));
    let mut words: Vec<&str> = folded.split(' ').collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    while words.len() > 1 && LEGAL_SUFFIXES.contains(words.last().unwrap_or(&"")) {
        words.pop();
    }
    words.join(" ")
}

/// Titles and generational suffixes that are not part of a name.
const NAME_NOISE: &[&str] =
    &["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "iv", "phd", "md"];

/// `Dr. José  O'Brien` → `jose obrien`.
pub fn person_name(raw: &str) -> String {
    let folded = fold(raw);
    let words: Vec<&str> = folded.split(' ').filter(|w| !NAME_NOISE.contains(w)).collect();
    if words.is_empty() {
        folded
    } else {
        words.join(" ")
    }
}

/// Street abbreviations and their long forms (the first word of a street is never expanded, so
/// `St Kilda Rd` keeps its saint).
const STREET_WORDS: &[(&str, &str)] = &[
    ("st", "street"),
    ("str", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("blvd", "boulevard"),
    ("dr", "drive"),
    ("ln", "lane"),
    ("ct", "court"),
    ("pl", "place"),
    ("cres", "crescent"),
    ("cr", "crescent"),
    ("hwy", "highway"),
    ("pde", "parade"),
    ("tce", "terrace"),
    ("sq", "square"),
    ("pkwy", "parkway"),
    ("cir", "circle"),
    ("cct", "circuit"),
    ("apt", "apartment"),
    ("ste", "suite"),
    ("fl", "floor"),
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
    ("ne", "northeast"),
    ("nw", "northwest"),
    ("se", "southeast"),
    ("sw", "southwest"),
];

/// `12 Main St., Apt 4` → `12 main street apartment 4`.
pub fn street(raw: &str) -> String {
    let folded = fold(raw);
    let mut out = String::with_capacity(folded.len() + 8);
    for (i, word) in folded.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let long = if i == 0 { None } else { STREET_WORDS.iter().find(|(s, _)| *s == word).map(|(_, l)| *l) };
        out.push_str(long.unwrap_or(word));
    }
    out
}

/// `SW1A 1AA` → `sw1a1aa`; a US ZIP+4 keeps its five-digit ZIP.
pub fn postcode(raw: &str) -> String {
    let squeezed: String = fold(raw).chars().filter(|c| *c != ' ').collect();
    let bytes = squeezed.as_bytes();
    if bytes.len() == 9 && bytes.iter().all(u8::is_ascii_digit) && raw.contains('-') {
        return squeezed[..5].to_string();
    }
    squeezed
}

/// Country names and codes to ISO 3166 alpha-2 (the common ones; others are folded text).
const COUNTRIES: &[(&str, &[&str])] = &[
    ("us", &["usa", "united states", "united states of america", "america", "u s a", "u s"]),
    ("gb", &["uk", "united kingdom", "great britain", "england", "scotland", "wales", "u k"]),
    ("de", &["germany", "deutschland"]),
    ("fr", &["france"]),
    ("es", &["spain", "espana"]),
    ("it", &["italy", "italia"]),
    ("nl", &["netherlands", "the netherlands", "holland", "nederland"]),
    ("ca", &["canada"]),
    ("au", &["australia"]),
    ("nz", &["new zealand"]),
    ("ie", &["ireland"]),
    ("ch", &["switzerland", "schweiz", "suisse"]),
    ("at", &["austria", "osterreich"]),
    ("be", &["belgium", "belgique", "belgie"]),
    ("br", &["brazil", "brasil"]),
    ("mx", &["mexico"]),
    ("in", &["india"]),
    ("jp", &["japan"]),
    ("cn", &["china"]),
];

pub fn country(raw: &str) -> String {
    let folded = fold(raw);
    for (code, names) in COUNTRIES {
        if folded == *code || names.contains(&folded.as_str()) {
            return code.to_string();
        }
    }
    folded
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A date as `YYYYMMDD` from the usual layouts: `1972-08-12`, `19720812`, `1972/8/12`,
/// `12.08.1972` (day first), `08/12/1972` (month first unless the first number is above 12),
/// `12 Aug 1972`, `Aug 12, 1972`, ISO timestamps. A value no layout reads keeps its digits, so a
/// typing error still compares as close.
pub fn date(raw: &str) -> Option<String> {
    let text = raw.trim();
    let text = text.split('T').next().unwrap_or(text);
    let folded = fold(text);
    let parts: Vec<&str> = folded.split(' ').filter(|p| !p.is_empty()).collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let month_of = |s: &str| MONTHS.iter().position(|m| s.starts_with(m)).map(|i| i as u32 + 1);
    let ymd = match parts.as_slice() {
        [one] if one.len() == 8 && one.bytes().all(|b| b.is_ascii_digit()) => {
            Some((num(&one[..4]), num(&one[4..6]), num(&one[6..])))
        }
        [a, b, c] if a.len() == 4 => Some((num(a), num(b).or_else(|| month_of(b)), num(c))),
        [a, b, c] if c.len() == 4 || c.len() == 2 => {
            let year = num(c).map(|y| {
                if c.len() == 2 {
                    if y > 30 {
                        1900 + y
                    } else {
                        2000 + y
                    }
                } else {
                    y
                }
            });
            match (num(a), num(b), month_of(a), month_of(b)) {
                (Some(d), None, _, Some(m)) => Some((year, Some(m), Some(d))),
                (None, Some(d), Some(m), _) => Some((year, Some(m), Some(d))),
                (Some(x), Some(y), _, _) if text.contains('.') || x > 12 => Some((year, Some(y), Some(x))),
                (Some(x), Some(y), _, _) => Some((year, Some(x), Some(y))),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((Some(y), Some(m), Some(d))) = ymd {
        if (1..=12).contains(&m) && (1..=31).contains(&d) && (1000..=9999).contains(&y) {
            return Some(format!("{y:04}{m:02}{d:02}"));
        }
    }
    let digits: String = folded.chars().filter(|c| c.is_ascii_digit()).collect();
    (!digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests;
