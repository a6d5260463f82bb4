//! String similarity on the hot path: Jaro-Winkler and optimal-string-alignment distance over the
//! bytes of short ASCII values (what normalisation leaves almost always), without allocating.
//! Same results as `strsim`, which they fall back to for longer or non-ASCII values.

/// Longest value handled on the fast path (flags fit in a `u64`).
const FAST: usize = 64;

/// Jaro-Winkler similarity, as `strsim::jaro_winkler`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !a.is_ascii() || !b.is_ascii() || a.len() > FAST || b.len() > FAST {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sim = jaro(a, b);
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    sim + 0.1 * prefix as f64 * (1.0 - sim)
}

/// Jaro similarity of two ASCII strings of at most `FAST` bytes, bit-parallel: each byte of `b`
/// has a mask of its positions, so the first free match in the window is one `trailing_zeros`
/// instead of a scan (the same match strsim's scan finds).
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut positions = [0u64; 128];
    for (j, c) in b.iter().enumerate() {
        positions[(c & 127) as usize] |= 1 << j;
    }
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(range);
        let hi = (i + range + 1).min(b.len());
        if lo >= hi {
            continue;
        }
        let free = positions[(ca & 127) as usize] & !b_flags & below(hi) & !below(lo);
        if free != 0 {
            a_flags |= 1 << i;
            b_flags |= free & free.wrapping_neg();
        }
    }
    let matches = a_flags.count_ones() as usize;
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let (mut fa, mut fb) = (a_flags, b_flags);
    while fa != 0 {
        let (i, j) = (fa.trailing_zeros() as usize, fb.trailing_zeros() as usize);
        if a[i] != b[j] {
            transpositions += 1;
        }
        fa &= fa - 1;
        fb &= fb - 1;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// Jaro-Winkler similarity when it reaches `floor`, else `None`.
pub fn jaro_winkler_from(a: &str, b: &str, floor: f64) -> Option<f64> {
    let s = jaro_winkler(a, b);
    (s >= floor).then_some(s)
}

/// The optimal string alignment distance when it is at most `limit`, else `None` (known early
/// when the lengths or the letters alone differ by more).
pub fn osa_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    if a.is_ascii() && b.is_ascii() && a.len() <= FAST && b.len() <= FAST {
        let mut counts = [0i8; 128];
        for c in a.bytes() {
            counts[(c & 127) as usize] += 1;
        }
        for c in b.bytes() {
            counts[(c & 127) as usize] -= 1;
        }
        // Each edit changes the letter counts by at most two.
        let differ: u32 = counts.iter().map(|c| c.unsigned_abs() as u32).sum();
        if differ as usize > 2 * limit {
            return None;
        }
    }
    let d = osa_distance(a, b);
    (d <= limit).then_some(d)
}

/// Optimal string alignment distance (edits, adjacent transpositions), as `strsim::osa_distance`.
pub fn osa_distance(a: &str, b: &str) -> usize {
    if !a.is_ascii() || !b.is_ascii() || a.len() > FAST || b.len() > FAST {
        return strsim::osa_distance(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    let width = b.len() + 1;
    let mut prev2 = [0usize; FAST + 1];
    let mut prev: [usize; FAST + 1] = [0; FAST + 1];
    let mut cur = [0usize; FAST + 1];
    for (j, slot) in prev.iter_mut().enumerate().take(width) {
        *slot = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        prev2[..width].copy_from_slice(&prev[..width]);
        prev[..width].copy_from_slice(&cur[..width]);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_strsim_on_generated_strings_up_to_the_fast_length() {
        let mut state = 7u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..4000 {
            let (la, lb) = (next() % 66, next() % 66);
            let a: String = (0..la).map(|_| b"abcde"[next() % 5] as char).collect();
            let b: String = (0..lb).map(|_| b"abcde"[next() % 5] as char).collect();
            assert!((jaro_winkler(&a, &b) - strsim::jaro_winkler(&a, &b)).abs() < 1e-12, "jw {a} {b}");
            if la < 12 && lb < 12 {
                assert_eq!(osa_within(&a, &b, 2), Some(strsim::osa_distance(&a, &b)).filter(|d| *d <= 2));
            }
        }
    }

    #[test]
    fn agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "martha",
            "marhta",
            "dwayne",
            "duane",
            "dixon",
            "dicksonx",
            "jonathan",
            "jonathon",
            "smith",
            "smyth",
            "19720812",
            "19721208",
            "1451137",
            "1451173",
            "cheeseburger",
            "cheese fries",
            "josé",
            "jose",
            "aaaa",
            "aaab",
        ];
        for a in words {
            for b in words {
                assert!((jaro_winkler(a, b) - strsim::jaro_winkler(a, b)).abs() < 1e-12, "jw {a} {b}");
                assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b), "osa {a} {b}");
                for floor in [0.7, 0.8, 0.92] {
                    let want = strsim::jaro_winkler(a, b);
                    assert_eq!(
                        jaro_winkler_from(a, b, floor),
                        (want >= floor).then_some(want),
                        "jw≥{floor} {a} {b}"
                    );
                }
                for limit in [1, 2] {
                    let want = strsim::osa_distance(a, b);
                    assert_eq!(
                        osa_within(a, b, limit),
                        (want <= limit).then_some(want),
                        "osa≤{limit} {a} {b}"
                    );
                }
            }
        }
    }
}
