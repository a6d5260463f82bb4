//! Untrusted text made safe to show: the one helper every screen and message uses for values that
//! came from files. Control characters, escape sequences, line and paragraph separators,
//! bidirectional, zero-width and other invisible format characters become visible markers; nothing
//! from a record ever reaches the terminal as a control sequence or a hidden line break.

use std::borrow::Cow;

/// True for characters that must never be written to a terminal as they are: controls (C0, which
/// holds VT and FF, DEL and C1, which holds NEL U+0085), the line and paragraph separators (Zl, Zp)
/// and the format characters (Cf) that draw nothing. Cf characters that script text draws as signs
/// (Arabic number signs U+0600–0605, U+06DD, U+08E2, Syriac U+070F, Kaithi, Egyptian hieroglyph
/// and musical format characters) are shown as they are.
fn is_hazard(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    c.is_control()
        || matches!(c,
            '\u{00AD}'                // soft hyphen: invisible inside a line
            | '\u{061C}'              // Arabic letter mark
            | '\u{180E}'              // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators: line breaks to a terminal
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{206A}'..='\u{206F}' // deprecated shaping and digit-shape controls
            | '\u{FEFF}'              // zero-width no-break space / BOM
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotations
            | '\u{1BCA0}'..='\u{1BCA3}' // shorthand format controls
            | '\u{E0001}' | '\u{E0020}'..='\u{E007F}' // tags: invisible text after any character
        )
}

/// The marker drawn in place of a hazardous character.
fn marker(c: char, out: &mut String) {
    match c as u32 {
        // C0 controls have their own visible pictures: ESC → ␛, CR → ␍, BEL → ␇.
        n @ 0x00..=0x1F => out.push(char::from_u32(0x2400 + n).unwrap_or('?')),
        0x7F => out.push('␡'),
        n => out.push_str(&format!("⟨U+{n:04X}⟩")),
    }
}

/// `text` with every hazardous character replaced by a visible marker; borrowed when already safe.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Most values are printable ASCII: a byte scan settles them.
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) || !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hazard(c) {
            marker(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `visible(text)`, cut to at most `width` terminal columns with a trailing `…` when longer.
pub fn visible_cut(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let safe = visible(text);
    let mut out = String::new();
    let mut used = 0;
    let total: usize = safe.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return safe.into_owned();
    }
    for c in safe.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// 1234567 → "1,234,567": counts as a steward reads them, in messages, reports and the console.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A count with its noun in the right number: `count(1, "row", "rows")` is "1 row", any other
/// count takes `many` ("0 rows", "2 rows"); `n` is shown as given (a number, or `thousands` text).
pub fn count(n: impl std::fmt::Display, one: &str, many: &str) -> String {
    let n = n.to_string();
    let noun = if n == "1" { one } else { many };
    format!("{n} {noun}")
}

/// The journal entries `first` to `last` as a message names them: "entry 7" or "entries 1–5".
pub fn entries(first: i64, last: i64) -> String {
    if first == last {
        format!("entry {first}")
    } else {
        format!("entries {first}–{last}")
    }
}

/// Lower-case hex of bytes: SHA-256 digests, keys and signatures (sha2 0.11 digests no longer
/// format as hex themselves).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// 1-based line and column (in characters) of a byte offset into `text`: where a parser's error
/// span points, as error messages name it.
pub fn line_col(text: &str, offset: usize) -> (u64, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {

    #[test]
    fn line_and_column_from_offsets() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 8), (3, 1));
    }

    use super::*;

    #[test]
    fn counts_of_one_take_the_singular() {
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(2u64, "entry", "entries"), "2 entries");
        assert_eq!(count(thousands(1), "item", "items"), "1 item");
        assert_eq!(count(thousands(1000), "item", "items"), "1,000 items");
    }

    #[test]
    fn entry_ranges_of_one_name_the_entry() {
        assert_eq!(entries(7, 7), "entry 7");
        assert_eq!(entries(1, 5), "entries 1–5");
    }

    #[test]
    fn thousands_separators() {
        for (n, want) in [
            (0, "0"),
            (312, "312"),
            (999, "999"),
            (1000, "1,000"),
            (5000, "5,000"),
            (1234567, "1,234,567"),
            (1_000_000, "1,000,000"),
            (-1234, "-1,234"),
        ] {
            assert_eq!(thousands(n), want);
        }
    }

    #[test]
    fn markers_replace_hazards() {
        let cases = [
            ("plain", "plain"),
            ("\u{1b}]0;title\u{7}", "␛]0;title␇"),
            ("\u{1b}[2J", "␛[2J"),
            ("a\rb\nc\td", "a␍b␊c␉d"),
            ("evil\u{202E}txt", "evil⟨U+202E⟩txt"),
            ("zero\u{200B}width", "zero⟨U+200B⟩width"),
            ("csi\u{9b}31m", "csi⟨U+009B⟩31m"),
            ("del\u{7f}", "del␡"),
            ("next\u{85}line", "next⟨U+0085⟩line"),
            ("vt\u{b}ff\u{c}", "vt␋ff␌"),
            ("line\u{2028}para\u{2029}end", "line⟨U+2028⟩para⟨U+2029⟩end"),
            ("soft\u{ad}hyphen", "soft⟨U+00AD⟩hyphen"),
            ("mongolian\u{180e}", "mongolian⟨U+180E⟩"),
            ("shape\u{206a}\u{206f}", "shape⟨U+206A⟩⟨U+206F⟩"),
            ("tag\u{e0001}\u{e0041}\u{e007f}", "tag⟨U+E0001⟩⟨U+E0041⟩⟨U+E007F⟩"),
            ("short\u{1bca0}", "short⟨U+1BCA0⟩"),
            ("\u{600}١٢ \u{6dd}", "\u{600}١٢ \u{6dd}"),
            ("Zoë Ærø 東京", "Zoë Ærø 東京"),
        ];
        for (input, want) in cases {
            assert_eq!(visible(input), want, "input {input:?}");
        }
    }

    #[test]
    fn cut_respects_width() {
        assert_eq!(visible_cut("abcdef", 10), "abcdef");
        assert_eq!(visible_cut("abcdef", 4), "abc…");
        assert_eq!(visible_cut("東京東京", 5), "東京…");
        assert_eq!(visible_cut("abc", 0), "");
    }
}
