//! Source text and byte spans: the one place that turns a byte offset into
//! `line:column`, so every diagnostic counts positions the same way.

use std::ops::Range;

/// A byte range in a [`SourceFile`]. `Span::default()` (0..0) marks items that
/// have no source position, such as those built with the Rust builder API.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span over `range`.
    pub fn new(range: Range<usize>) -> Self {
        Span {
            start: range.start,
            end: range.end,
        }
    }
}

/// One input file: its name as the user gave it, and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Name shown in diagnostics (the path as given on the command line).
    pub name: String,
    /// The whole text.
    pub text: String,
}

/// Reads the files a topology names (`setup`, `page`, `clients_file`),
/// relative to the topology file. The library never touches the file system
/// itself: the CLI passes a reader rooted at the topology's directory, tests
/// pass an in-memory one.
pub trait Files {
    /// The UTF-8 text of `path`, or a one-line reason why it cannot be read.
    fn read(&self, path: &str) -> Result<String, String>;
}

/// [`Files`] read from a directory (the topology file's own, for the CLI).
#[derive(Clone, Debug)]
pub struct FilesIn(pub std::path::PathBuf);

impl Files for FilesIn {
    fn read(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(self.0.join(path)).map_err(|e| e.to_string())
    }
}

/// A 1-based position, counted in characters within the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl SourceFile {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The line and column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        LineCol { line, col }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        self.text
            .split('\n')
            .nth(line.saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let f = SourceFile::new("t.toml", "a = 1\ntitle = \"本日\" x\n");
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 2, col: 14 });
        assert_eq!(f.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(f.line_text(2), "title = \"本日\" x");
    }
}
