//! The one-line text input of the console's prompts (edit, note, search, go-to): the text, a
//! cursor counted in characters, and a selection that typing replaces.

/// A one-line text input with a cursor (in characters).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineEdit {
    pub text: String,
    pub cursor: usize,
    /// The whole text is selected: typing replaces it, a deletion empties it, a cursor key keeps
    /// it (the search prompt opens so, to make a new search as easy as keeping the last).
    pub selected: bool,
}

impl LineEdit {
    pub fn new(text: &str) -> LineEdit {
        LineEdit { text: text.to_string(), cursor: text.chars().count(), selected: false }
    }

    /// `new`, with the text selected.
    pub fn selected(text: &str) -> LineEdit {
        LineEdit { selected: !text.is_empty(), ..LineEdit::new(text) }
    }

    /// Empties a selected text (for typing or deleting over it); true when it did.
    fn replace_selection(&mut self) -> bool {
        let was = std::mem::take(&mut self.selected);
        if was {
            self.text.clear();
            self.cursor = 0;
        }
        was
    }

    fn byte_at(&self, char_index: usize) -> usize {
        self.text.char_indices().nth(char_index).map(|(i, _)| i).unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, c: char) {
        self.replace_selection();
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.replace_selection() {
            return;
        }
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.replace_selection() {
            return;
        }
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.selected = false;
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.selected = false;
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    /// Deletes everything before the cursor (the terminal's Ctrl-U).
    pub fn delete_to_start(&mut self) {
        if self.replace_selection() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.replace_range(..at, "");
        self.cursor = 0;
    }

    pub fn home(&mut self) {
        self.selected = false;
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.selected = false;
        self.cursor = self.text.chars().count();
    }
}
