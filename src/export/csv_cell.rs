//! CSV cells written by hand for the large exports (RFC 4180: a cell holding `,` `"` CR or LF is
//! quoted, its quotes doubled), with the spreadsheet formula guard applied first unless `raw`.

use std::borrow::Cow;

/// `cell` as CSV text: quoted when it must be.
pub fn encode(cell: &str) -> Cow<'_, str> {
    if !cell.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        return Cow::Borrowed(cell);
    }
    let mut out = String::with_capacity(cell.len() + 2);
    push_quoted(&mut out, cell);
    Cow::Owned(out)
}

fn push_quoted(out: &mut String, cell: &str) {
    out.push('"');
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends one cell; unless `raw`, a cell that would start a formula gets a `'` first.
pub fn push_cell(out: &mut String, cell: &str, raw: bool) {
    let cell = if raw { Cow::Borrowed(cell) } else { super::spreadsheet_safe(cell) };
    if cell.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        push_quoted(out, &cell);
    } else {
        out.push_str(&cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        // (cell, guarded, raw)
        let cases = [
            ("plain", "plain", "plain"),
            ("", "", ""),
            ("a,b", "\"a,b\"", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""),
            ("=1+1", "'=1+1", "=1+1"),
            ("+1 555", "'+1 555", "+1 555"),
            ("-2", "'-2", "-2"),
            ("@SUM(A1)", "'@SUM(A1)", "@SUM(A1)"),
            ("\tx", "'\tx", "\tx"),
            ("\rx", "\"'\rx\"", "\"\rx\""),
            ("\nx", "\"'\nx\"", "\"\nx\""),
            ("=a,\"b\"", "\"'=a,\"\"b\"\"\"", "\"=a,\"\"b\"\"\""),
            ("a=b", "a=b", "a=b"),
        ];
        for (cell, guarded, raw) in cases {
            let mut out = String::new();
            push_cell(&mut out, cell, false);
            assert_eq!(out, guarded, "{cell:?}");
            let mut out = String::new();
            push_cell(&mut out, cell, true);
            assert_eq!(out, raw, "{cell:?}");
        }
    }
}
