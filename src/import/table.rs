//! Reading delimited files row by row with exact positions: every problem becomes an `InputError`
//! naming the file, the 1-based line and the column. Streams; never holds the whole file.

use super::InputError;
use crate::text::visible;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// A reader that hashes every byte it hands on, so an import knows its file's SHA-256 in one pass.
pub struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R) -> Self {
        Hashing { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// Reads what is left (so the hash covers the whole file) and returns the hex digest.
    pub fn finish(mut self) -> std::io::Result<String> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = self.inner.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.hasher.update(&buf[..n]);
        }
        Ok(crate::text::hex(&self.hasher.finalize()))
    }
}

/// How many bytes the csv reader reads ahead of the record it hands out (its buffer), and how many
/// recent bytes `Recent` keeps: enough to look at any record's first bytes after reading it.
const CSV_BUFFER: usize = 8 << 10;
const RECENT: usize = 64 << 10;

/// A reader that remembers the last `RECENT` bytes it handed on, so a record's true first line can
/// be found after the csv reader has returned it (see `Table::first_line`).
pub struct Recent<R> {
    inner: R,
    ring: Box<[u8]>,
    /// Bytes handed on so far: byte `i` of the file sits at `ring[i % RECENT]` while `i + RECENT > read`.
    read: u64,
}

impl<R: Read> Read for Recent<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // Copied in at most two slices: to the ring's end, then from its start.
        let skipped = n.saturating_sub(RECENT);
        let mut rest = &buf[skipped..n];
        let mut at = ((self.read + skipped as u64) % RECENT as u64) as usize;
        while !rest.is_empty() {
            let take = rest.len().min(RECENT - at);
            self.ring[at..at + take].copy_from_slice(&rest[..take]);
            rest = &rest[take..];
            at = 0;
        }
        self.read += n as u64;
        Ok(n)
    }
}

impl<R> Recent<R> {
    fn new(inner: R) -> Self {
        Recent { inner, ring: vec![0u8; RECENT].into_boxed_slice(), read: 0 }
    }

    /// The newlines in the run of line ends that starts at byte `start`; `None` when that run is
    /// no longer (or not yet) all in memory.
    fn newlines_from(&self, start: u64) -> Option<u64> {
        let mut newlines = 0;
        for at in start..self.read {
            if at + RECENT as u64 <= self.read {
                return None;
            }
            match self.ring[(at % RECENT as u64) as usize] {
                b'\n' => newlines += 1,
                b'\r' => {}
                _ => return Some(newlines),
            }
        }
        None
    }
}

/// One data row: its first line in the file and its cells.
#[derive(Debug, Default, Clone)]
pub struct Row {
    pub line: u64,
    pub cells: csv::StringRecord,
}

impl Row {
    /// The cell in column `i`, `None` when empty (empty cells are missing values).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.cells.get(i).filter(|s| !s.is_empty())
    }
}

/// A CSV file opened for reading: its header, then rows.
pub struct Table {
    pub file: String,
    path: std::path::PathBuf,
    pub headers: Vec<String>,
    reader: csv::Reader<Recent<Hashing<BufReader<File>>>>,
    raw: csv::ByteRecord,
    delimiter: u8,
    last_start: Option<(u64, u64)>,
}

impl Table {
    /// Opens `path` and reads its header: empty files, empty or repeated header names are errors.
    pub fn open(path: &Path, delimiter: u8) -> Result<Table, InputError> {
        let file = path.display().to_string();
        let handle = File::open(path).map_err(|e| InputError::file(&file, format!("cannot open: {e}")))?;
        // The last row is read again to tell an unterminated quote, and a long run of blank lines
        // to count them: that needs a file, not a pipe, which would fail half-way as "Illegal seek".
        if handle.metadata().is_ok_and(|m| !m.is_file()) {
            return Err(InputError::file(
                &file,
                "not a regular file (a pipe or a device): save it to a file and import that".to_string(),
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(CSV_BUFFER)
            .from_reader(Recent::new(Hashing::new(BufReader::with_capacity(1 << 16, handle))));
        let mut header = csv::ByteRecord::new();
        let got = reader.read_byte_record(&mut header).map_err(|e| csv_error(&file, e))?;
        if !got {
            return Err(InputError::at(&file, 1, None, "the file is empty: expected a header row"));
        }
        let line = header.position().map(|p| first_line(path, reader.get_ref(), p)).unwrap_or(1);
        let mut headers = Vec::with_capacity(header.len());
        for (i, cell) in header.iter().enumerate() {
            let name = std::str::from_utf8(cell).map_err(|_| {
                InputError::at(&file, line, Some((i + 1, String::new())), "invalid UTF-8 in the header")
            })?;
            let name = if i == 0 { name.trim_start_matches('\u{feff}') } else { name };
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(InputError::at(
                    &file,
                    line,
                    Some((i + 1, String::new())),
                    "empty column name in the header",
                ));
            }
            if let Some(first) = headers.iter().position(|h| h == &name) {
                return Err(InputError::at(
                    &file,
                    line,
                    Some((i + 1, name.clone())),
                    format!("column name `{}` repeats column {}", visible(&name), first + 1),
                ));
            }
            headers.push(name);
        }
        Ok(Table {
            file,
            path: path.to_path_buf(),
            headers,
            reader,
            raw: csv::ByteRecord::new(),
            delimiter,
            last_start: None,
        })
    }

    /// The index of the column named `name` (exactly), if present.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The index of the first column whose name matches `name` ignoring case, spaces and `_`.
    pub fn col_like(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| {
            let want = loose(n);
            self.headers.iter().position(|h| loose(h) == want)
        })
    }

    /// Reads the next data row into `row`; `false` at the end of the file.
    pub fn next_row(&mut self, row: &mut Row) -> Result<bool, InputError> {
        // The previous row's buffers are reused: no allocation per row.
        if self.raw.is_empty() {
            self.raw = std::mem::take(&mut row.cells).into_byte_record();
        }
        loop {
            if !self.reader.read_byte_record(&mut self.raw).map_err(|e| csv_error(&self.file, e))? {
                return Ok(false);
            }
            let (byte, line) = match self.raw.position() {
                Some(p) => (p.byte(), first_line(&self.path, self.reader.get_ref(), p)),
                None => (0, 0),
            };
            self.last_start = Some((byte, line));
            // A line with nothing on it is not a row.
            if self.raw.len() == 1 && self.raw.get(0).is_some_and(|c| c.is_empty()) {
                continue;
            }
            row.line = line;
            if self.raw.len() != self.headers.len() {
                // A quote left open swallows the rest of the file into this row: say so, not "ragged".
                check_quotes_closed(&self.path, &self.file, byte, line, self.delimiter, &self.headers)?;
                // The first column missing (a short row) or the first one too many (a long row).
                let col = self.raw.len().min(self.headers.len()) + 1;
                let name = self.headers.get(col - 1).cloned().unwrap_or_default();
                return Err(InputError::at(
                    &self.file,
                    row.line,
                    Some((col, name)),
                    format!("this row has {} columns, the header has {}", self.raw.len(), self.headers.len()),
                ));
            }
            let raw = std::mem::take(&mut self.raw);
            match csv::StringRecord::from_byte_record(raw) {
                Ok(cells) => {
                    row.cells = cells;
                    return Ok(true);
                }
                Err(e) => {
                    let (field, valid) = (e.utf8_error().field(), e.utf8_error().valid_up_to());
                    // A row can span lines (quoted line breaks): name the line the bad byte is on.
                    let raw = e.into_byte_record();
                    let before = raw.iter().take(field).chain(raw.get(field).map(|f| &f[..valid]));
                    let breaks =
                        before.map(|f| f.iter().filter(|b| **b == b'\n').count() as u64).sum::<u64>();
                    return Err(InputError::at(
                        &self.file,
                        row.line + breaks,
                        Some((field + 1, self.headers.get(field).cloned().unwrap_or_default())),
                        "invalid UTF-8",
                    ));
                }
            }
        }
    }

    /// Finishes reading: checks the last row was not swallowed by an unterminated quote, and
    /// returns the file's SHA-256.
    pub fn finish(self) -> Result<String, InputError> {
        if let Some((byte, line)) = self.last_start {
            check_quotes_closed(&self.path, &self.file, byte, line, self.delimiter, &self.headers)?;
        }
        self.reader
            .into_inner()
            .inner
            .finish()
            .map_err(|e| InputError::file(&self.file, format!("cannot read: {e}")))
    }

    /// A row-level error in column `i` of this table.
    pub fn error(&self, line: u64, col: usize, message: impl Into<String>) -> InputError {
        InputError::at(&self.file, line, Some((col + 1, self.headers[col].clone())), message)
    }
}

/// For a header read as a single column that holds another common delimiter (a spreadsheet's
/// `;`-separated CSV read with `,`): a hint naming the `--delimiter` that would read it, else "".
pub fn delimiter_hint(headers: &[String]) -> String {
    let [only] = headers else { return String::new() };
    match [(';', ";"), ('\t', "tab"), ('|', "|")].iter().find(|(c, _)| only.contains(*c)) {
        Some((_, name)) => format!(" (the header is one column holding `{name}`: give --delimiter '{name}')"),
        None => String::new(),
    }
}

fn loose(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).flat_map(char::to_lowercase).collect()
}

/// The line a record's first value is on. The csv reader gives the line where it started reading the
/// record, which is before any blank lines it skipped and, in a CRLF file, before the `\n` ending
/// the previous row (it stops after the `\r`): count the newlines in that run of line ends.
fn first_line<R>(path: &Path, recent: &Recent<R>, start: &csv::Position) -> u64 {
    let skipped = recent.newlines_from(start.byte()).unwrap_or_else(|| newlines_in_file(path, start.byte()));
    start.line() + skipped
}

/// `Recent::newlines_from` for a run too long to be in memory (thousands of blank lines): read the
/// file from `start`.
fn newlines_in_file(path: &Path, start: u64) -> u64 {
    let Ok(handle) = File::open(path) else { return 0 };
    let mut reader = BufReader::new(handle);
    if reader.seek(SeekFrom::Start(start)).is_err() {
        return 0;
    }
    let mut newlines = 0;
    for b in reader.bytes() {
        match b {
            Ok(b'\n') => newlines += 1,
            Ok(b'\r') => {}
            _ => break,
        }
    }
    newlines
}

fn csv_error(file: &str, e: csv::Error) -> InputError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Io(io) => InputError::file(file, format!("cannot read: {io}")),
        _ => InputError::at(file, line, None, e.to_string()),
    }
}

/// The csv crate reads an unterminated quote as a field running to the end of the file. Only the
/// last record can be affected, so scan it once more with a tiny quote state machine.
fn check_quotes_closed(
    path: &Path,
    file: &str,
    start: u64,
    line: u64,
    delimiter: u8,
    headers: &[String],
) -> Result<(), InputError> {
    let mut handle = File::open(path).map_err(|e| InputError::file(file, format!("cannot open: {e}")))?;
    handle.seek(SeekFrom::Start(start)).map_err(|e| InputError::file(file, e.to_string()))?;
    let mut tail = Vec::new();
    handle.read_to_end(&mut tail).map_err(|e| InputError::file(file, e.to_string()))?;
    let (mut in_quotes, mut field, mut open_field, mut at_field_start) = (false, 0usize, 0usize, true);
    for &b in &tail {
        if in_quotes {
            if b == b'"' {
                in_quotes = false;
            }
            continue;
        }
        match b {
            b'"' if at_field_start => {
                in_quotes = true;
                open_field = field;
            }
            b'"' => in_quotes = true,
            b'\n' => {
                field = 0;
                at_field_start = true;
                continue;
            }
            _ if b == delimiter => {
                field += 1;
                at_field_start = true;
                continue;
            }
            _ => {}
        }
        at_field_start = false;
    }
    if in_quotes {
        return Err(InputError::at(
            file,
            line,
            Some((open_field + 1, headers.get(open_field).cloned().unwrap_or_default())),
            "unterminated quote: the quoted value runs to the end of the file",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` through `Recent` in chunks of `chunk` bytes, then asks for the run at `start`.
    fn newlines(data: &[u8], chunk: usize, start: u64) -> Option<u64> {
        let mut recent = Recent::new(data);
        let mut buf = vec![0u8; chunk];
        while recent.read(&mut buf).unwrap() > 0 {}
        recent.newlines_from(start)
    }

    #[test]
    fn recent_counts_the_line_ends_before_a_row() {
        let crlf = b"a,b\r\n\r\n\r\nc,d\r\n";
        for chunk in [1, 3, 7, 1 << 10, RECENT + 5] {
            assert_eq!(newlines(crlf, chunk, 4), Some(3), "chunk {chunk}");
            assert_eq!(newlines(crlf, chunk, 0), Some(0), "chunk {chunk}");
        }
        // Past the ring (or the data), the caller reads the file instead.
        let mut long = vec![b'\n'; RECENT + 10];
        long.extend_from_slice(b"x,y\n");
        assert_eq!(newlines(&long, 1 << 12, 0), None);
        assert_eq!(newlines(&long, 1 << 12, 20), Some(RECENT as u64 - 10));
        assert_eq!(newlines(&long, RECENT * 2, 20), Some(RECENT as u64 - 10));
        assert_eq!(newlines(b"\r\n", 8, 0), None);
    }
}
