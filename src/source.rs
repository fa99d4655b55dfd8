//! Source text and byte spans: the one place that turns a byte offset into
//! `line:column`, so every diagnostic counts positions the same way.

use std::ops::Range;
use std::panic::Location;

/// Where something was written: a byte range in a [`SourceFile`] (the TOML
/// front end), or the line of Rust that called the builder (`origin`).
/// `Span::default()` (0..0, no origin) marks what has no position at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The builder call that wrote the value (`src/infra.rs:42:5`),
    /// recorded with `#[track_caller]`; `None` for TOML.
    pub origin: Option<&'static Location<'static>>,
}

impl Span {
    /// A span over `range`.
    pub(crate) fn new(range: Range<usize>) -> Self {
        Span {
            start: range.start,
            end: range.end,
            origin: None,
        }
    }

    /// The caller's line of Rust: a builder method marked
    /// `#[track_caller]` that calls this records its own caller.
    #[track_caller]
    pub(crate) fn caller() -> Self {
        Span {
            origin: Some(Location::caller()),
            ..Span::default()
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
///
/// A topology is not trusted with the machine it is compiled on: what it
/// names is published (a sorry page goes to a public web site, `--check`
/// prints a diff, diagnostics quote lines), so it may read only regular
/// files inside its own directory tree (after symbolic links are resolved),
/// of at most [`MAX_FILE_BYTES`]: no `/etc/passwd`, no `../..`, no
/// `/dev/zero` that fills the memory, no FIFO that blocks for ever.
#[derive(Clone, Debug)]
pub struct FilesIn(pub std::path::PathBuf);

/// The largest file a topology may name: room for a web page, a setup
/// script or a list of ten thousand clients.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

impl Files for FilesIn {
    fn read(&self, path: &str) -> Result<String, String> {
        use std::io::Read;
        let outside = || "it is outside the topology's directory".to_string();
        let relative = std::path::Path::new(path);
        if relative.is_absolute() {
            return Err(outside());
        }
        // `x.topo.toml`'s parent is the empty path: the current directory.
        let base = if self.0.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            self.0.as_path()
        };
        let root = std::fs::canonicalize(base).map_err(|e| e.to_string())?;
        let file = std::fs::canonicalize(root.join(relative)).map_err(|e| e.to_string())?;
        if !file.starts_with(&root) {
            return Err(outside());
        }
        let meta = std::fs::metadata(&file).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("it is not a regular file".to_string());
        }
        // The size is read, not trusted: a file can grow after metadata().
        let mut bytes = Vec::new();
        std::fs::File::open(&file)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("it is larger than {} KiB", MAX_FILE_BYTES / 1024));
        }
        String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
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

    /// The line and column of byte `offset` (clamped to the text). For
    /// many positions, build one `LineIndex`.
    pub fn line_col(&self, offset: usize) -> LineCol {
        LineIndex::new(&self.text).line_col(offset)
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        LineIndex::new(&self.text).line_text(line)
    }
}

/// Where each line of a text starts: every position is then one binary
/// search, however many diagnostics point into a large file.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// The index of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// Whether the text is empty (a diagnostic of the Rust builder, which
    /// has no text to point into).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The line and column of byte `offset`, clamped to the text and to
    /// the start of the character it falls in.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        LineCol {
            line,
            col: self.text[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based line `line`, without its newline ("" past the
    /// end).
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod files_tests {
    use super::{Files, FilesIn, MAX_FILE_BYTES};

    /// A fresh directory tree: `topo/` (the topology's directory, with
    /// `page.html` and `sub/setup.sh`) beside `secret`.
    fn tree(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("topoform-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("topo/sub")).unwrap();
        std::fs::write(d.join("topo/page.html"), "<p>sorry</p>").unwrap();
        std::fs::write(d.join("topo/sub/setup.sh"), "echo hi\n").unwrap();
        std::fs::write(d.join("secret"), "root:x:0:0").unwrap();
        d
    }

    #[test]
    fn files_inside_the_topology_tree_are_read() {
        let d = tree("inside");
        let files = FilesIn(d.join("topo"));
        assert_eq!(files.read("page.html").unwrap(), "<p>sorry</p>");
        assert_eq!(files.read("sub/setup.sh").unwrap(), "echo hi\n");
        assert_eq!(files.read("sub/../page.html").unwrap(), "<p>sorry</p>");
    }

    #[test]
    fn nothing_outside_it_nor_anything_but_a_bounded_regular_file() {
        let d = tree("outside");
        let files = FilesIn(d.join("topo"));
        let refused = |path: &str, why: &str| {
            let e = files.read(path).unwrap_err();
            assert!(e.contains(why), "{path}: {e}");
        };
        refused("../secret", "outside");
        refused(d.join("secret").to_str().unwrap(), "outside");
        refused("/etc/passwd", "outside");
        refused("../../../../../../etc/passwd", "outside");
        // A link inside the tree to a file outside it.
        std::os::unix::fs::symlink(d.join("secret"), d.join("topo/link")).unwrap();
        refused("link", "outside");
        // A device and a FIFO inside the tree: refused without reading.
        std::os::unix::fs::symlink("/dev/zero", d.join("topo/zero")).unwrap();
        refused("zero", "outside");
        let fifo = d.join("topo/fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        refused("fifo", "not a regular file");
        refused("sub", "not a regular file");
        let big = usize::try_from(MAX_FILE_BYTES).unwrap() + 1;
        std::fs::write(d.join("topo/big.html"), "x".repeat(big)).unwrap();
        refused("big.html", "larger than 1024 KiB");
        std::fs::write(d.join("topo/bin"), [0xff, 0xfe]).unwrap();
        refused("bin", "not UTF-8");
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
        // Lines without their newline (CRLF too), and nothing past the end.
        let lines = LineIndex::new("a\r\nbc\n\nd");
        let texts: Vec<&str> = (0..=5).map(|l| lines.line_text(l)).collect();
        assert_eq!(texts, ["", "a", "bc", "", "d", ""]);
        assert_eq!(f.line_text(2), "title = \"本日\" x");
    }
}
