//! Interning without an allocation per value: distinct strings stored end to end in one buffer
//! (`Strings`, id → text), found again through a map from a 64-bit hash to the id (`Interner`).
//! A million records hold a few million distinct values: one `String` each would make reading and
//! normalising mostly `malloc` and `free`.

use rustc_hash::FxHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Strings end to end: `get(id)` is the id-th pushed string.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    text: String,
    /// End offset of each string in `text` (the start is the previous end).
    ends: Vec<usize>,
}

impl Strings {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, id: usize) -> &str {
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.text[start..self.ends[id]]
    }

    /// Appends a string and returns its id.
    pub fn push(&mut self, value: &str) -> u32 {
        self.text.push_str(value);
        self.ends.push(self.text.len());
        (self.ends.len() - 1) as u32
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|id| self.get(id))
    }
}

impl std::ops::Index<usize> for Strings {
    type Output = str;
    fn index(&self, id: usize) -> &str {
        self.get(id)
    }
}

/// A hasher that keeps the `u64` it is given: the keys are hashes already.
#[derive(Debug, Default, Clone, Copy)]
pub struct Passthrough(u64);

impl Hasher for Passthrough {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ *b as u64;
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Distinct strings with their ids; id 0 is the empty string (a missing value).
#[derive(Debug, Clone)]
pub struct Interner {
    pub strings: Strings,
    by_hash: HashMap<u64, u32, BuildHasherDefault<Passthrough>>,
    /// The rare value whose hash an earlier, different value already took.
    collided: HashMap<Box<str>, u32>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut strings = Strings::default();
        strings.push("");
        Interner { strings, by_hash: HashMap::default(), collided: HashMap::new() }
    }
}

impl Interner {
    /// The id of `value`, added if new (the flag says so).
    pub fn intern(&mut self, value: &str) -> (u32, bool) {
        let mut hasher = FxHasher::default();
        hasher.write(value.as_bytes());
        // Keeps prefixes apart ("ab" and "ab\0" would otherwise hash alike).
        hasher.write_usize(value.len());
        let hash = hasher.finish();
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                let id = self.strings.push(value);
                slot.insert(id);
                (id, true)
            }
            std::collections::hash_map::Entry::Occupied(slot) => {
                let id = *slot.get();
                if &self.strings[id as usize] == value {
                    return (id, false);
                }
                if let Some(id) = self.collided.get(value) {
                    return (*id, false);
                }
                let id = self.strings.push(value);
                self.collided.insert(value.into(), id);
                (id, true)
            }
        }
    }

    /// The distinct strings, the map dropped.
    pub fn into_strings(self) -> Strings {
        self.strings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_distinct_value_once() {
        let mut interner = Interner::default();
        assert_eq!(interner.intern("ann"), (1, true));
        assert_eq!(interner.intern("bob"), (2, true));
        assert_eq!(interner.intern("ann"), (1, false));
        assert_eq!(interner.intern(""), (3, true), "id 0 is reserved, not looked up");
        let strings = interner.into_strings();
        assert_eq!(strings.iter().collect::<Vec<_>>(), ["", "ann", "bob", ""]);
        assert_eq!(&strings[2], "bob");
    }

    #[test]
    fn a_hash_collision_still_gives_distinct_ids() {
        let mut interner = Interner::default();
        let (a, _) = interner.intern("first");
        // Force a collision: file a different value under the same hash.
        let hash = *interner.by_hash.iter().find(|(_, id)| **id == a).unwrap().0;
        let b = interner.strings.push("second");
        interner.by_hash.insert(hash ^ 1, b);
        let entry = interner.by_hash.remove(&(hash ^ 1)).unwrap();
        interner.by_hash.insert(hash, entry);
        // "first" now collides with the stored "second".
        let (again, new) = interner.intern("first");
        assert!(new && again != b && &interner.strings[again as usize] == "first");
        assert_eq!(interner.intern("first"), (again, false));
    }
}
