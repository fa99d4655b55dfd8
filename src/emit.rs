//! Emit: artifacts → an [`Output`] (relative path → bytes), and the two ways
//! to land it: [`write_to`] a directory atomically, or [`check`] a directory
//! against it.
//!
//! This is the only module that writes files. It never deletes or
//! overwrites a file that topoform did not write: the output carries a
//! manifest (`.topoform-files`), and a directory is replaced only when
//! everything in it is listed there (or, for a directory written before the
//! manifest existed, is a path topoform writes). It never follows a
//! symbolic link inside the output directory.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::cfn::Template;
use crate::diag::Diagnostic;
use crate::layout;
use crate::synth::Artifacts;

/// Every output file: relative path (always `/`-separated) → contents.
pub type Output = BTreeMap<String, String>;

/// The templates of a compilation, serialized once ([`render_templates`]).
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// Every template's size in bytes, by file name: what the quotas and
    /// the deploy plan read.
    pub(crate) sizes: BTreeMap<String, usize>,
    /// The texts kept for the output: every template's, or none when they
    /// went straight into a [`Staging`] tree or a [`Checking`], or were
    /// discarded.
    pub(crate) texts: BTreeMap<String, String>,
}

/// Where the templates go as they are serialized.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) enum Sink<'a> {
    /// Kept in the output (the library's compilations).
    Keep,
    /// Written into a staging tree (the command's synth).
    Stage(&'a Staging),
    /// Compared with the files of a directory (the command's `--check`).
    Check(&'a Checking),
    /// Only measured: the output will not be made (the topology has an
    /// error), and staging or comparing it would be work thrown away.
    Discard,
}

/// What makes the rest of a template before it is written
/// ([`render_templates`]).
pub(crate) type Fill<'a> = &'a (dyn Fn(&str, &mut Template) + Sync);

/// Serializes every template, with what `look` finds in each (template,
/// text) before the template is dropped. The templates are independent:
/// they are serialized, looked at and dropped on every core, so the typed
/// templates and their text are never all in memory at once. Staged or
/// checked, each text is written or compared as soon as it is made and
/// then dropped: the whole output (160 MB at 10,000 clients) is never held.
/// `fill` first makes what a template still lacks (`pending` resources in
/// all, [`crate::shard::Pending`]), on the same core.
pub(crate) fn render_templates(
    templates: BTreeMap<String, Template>,
    sink: Sink<'_>,
    (pending, fill): (usize, Fill<'_>),
    look: impl Fn(&str, &Template, &str) -> Vec<Diagnostic> + Sync + Send,
) -> (Rendered, Vec<Diagnostic>) {
    if let Sink::Stage(stage) = sink {
        stage.make_dirs(templates.keys());
    }
    let resources = pending + templates.values().map(|t| t.resources.len()).sum::<usize>();
    let mut found = Vec::new();
    let mut rendered = Rendered::default();
    let made = crate::par::map(
        templates.into_iter().collect(),
        resources,
        |(name, mut t)| {
            fill(&name, &mut t);
            let text = t.to_json();
            let seen = look(&name, &t, &text);
            drop(t);
            let size = text.len();
            let kept = match sink {
                Sink::Keep => Some(text),
                Sink::Stage(stage) => {
                    stage.put(&name, &text);
                    None
                }
                Sink::Check(checking) => {
                    checking.compare(&name, &text);
                    None
                }
                Sink::Discard => None,
            };
            (name, size, kept, seen)
        },
    );
    for (name, size, kept, seen) in made {
        found.extend(seen);
        if let Some(text) = kept {
            rendered.texts.insert(name.clone(), text);
        }
        rendered.sizes.insert(name, size);
    }
    (rendered, found)
}

/// The output: the templates serialized by [`render_templates`] (those it
/// kept), the text files of `artifacts`, and the manifest that lists every
/// file, the staged templates included.
pub(crate) fn render_with(artifacts: &Artifacts, rendered: Rendered) -> Output {
    let Rendered { sizes, texts } = rendered;
    let mut out: Output = texts;
    for (path, text) in &artifacts.files {
        out.insert(path.clone(), text.clone());
    }
    let mut manifest = String::from(
        "# Written by topoform: every file in this directory. `topoform synth`\n\
         # replaces the directory as a whole, and refuses it if it holds anything\n\
         # else: keep your own files elsewhere.\n",
    );
    let listed: BTreeSet<&String> = sizes.keys().chain(out.keys()).collect();
    for path in listed {
        manifest.push_str(path);
        manifest.push('\n');
    }
    out.insert(layout::MANIFEST.to_string(), manifest);
    out
}

/// What [`write_to`] did besides writing: the previous tree, when it could
/// not be removed after the new one was swapped in.
#[derive(Debug)]
pub struct Written {
    /// Where the previous tree was left, and why.
    pub leftover: Option<(PathBuf, io::Error)>,
}

/// Writes `output` to `dir`, all or nothing: everything is written to a fresh
/// directory beside `dir`, which then takes `dir`'s place in one atomic
/// exchange (where the platform has one). On error `dir` is left as it was.
/// Scripts are made executable. A `dir` that holds anything topoform did not
/// write is refused, and so is a symbolic link.
pub fn write_to(output: &Output, dir: &Path) -> io::Result<Written> {
    Staging::new(dir)?.finish(output)
}

/// A write of an output directory in progress: a fresh tree beside `dir`
/// that files are written into, then swapped in whole by
/// [`finish`](Staging::finish). The checks of [`write_to`] are made when
/// it is created; a staging tree that is dropped unfinished is removed, so
/// a compilation that fails after templates were staged leaves nothing.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    /// The directory that holds `dir`, and `dir`'s name in it.
    parent: PathBuf,
    base: String,
    root: PathBuf,
    /// Files written so far.
    files: std::sync::atomic::AtomicUsize,
    /// The first failure in path order, as the whole output was written
    /// before staging: a directory that could not be made (ordered first,
    /// by the empty path; no file is written after it), or a file.
    failed: std::sync::Mutex<Option<(String, io::Error)>>,
    /// Swapped in: the tree at `root` is no longer ours to remove.
    done: bool,
}

impl Staging {
    /// Refuses `dir` as [`write_to`] does, then makes the staging tree
    /// (and the directory it is in, when it is missing).
    pub(crate) fn new(dir: &Path) -> io::Result<Staging> {
        Staging::make(dir, true)
    }

    /// [`new`](Staging::new), in a directory that exists: one that is
    /// missing is an error, and nothing is made.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn beside(dir: &Path) -> io::Result<Staging> {
        Staging::make(dir, false)
    }

    /// Every check first: a refused `dir` makes nothing.
    fn make(dir: &Path, make_parent: bool) -> io::Result<Staging> {
        owned_by_topoform(dir)?;
        let base = dir
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the output directory has no name",
                )
            })?
            .to_string_lossy()
            .into_owned();
        let parent = parent_of(dir);
        if make_parent {
            fs::create_dir_all(&parent)?;
        }
        let root = unique_sibling(&parent, &base, "new")?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            parent,
            base,
            root,
            files: std::sync::atomic::AtomicUsize::new(0),
            failed: std::sync::Mutex::new(None),
            done: false,
        })
    }

    /// How many files were written so far.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn files(&self) -> usize {
        self.files.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps the failure that comes first in path order.
    fn fail(&self, path: &str, e: io::Error) {
        let mut failed = locked(&self.failed);
        if failed.as_ref().is_none_or(|(p, _)| path < p.as_str()) {
            *failed = Some((path.to_string(), e));
        }
    }

    /// Makes the directories that hold `paths`, before any file is written.
    fn make_dirs<'a>(&self, paths: impl Iterator<Item = &'a String>) {
        if self.dirs_failed() {
            return;
        }
        let dirs: BTreeSet<&Path> = paths.filter_map(|rel| Path::new(rel).parent()).collect();
        for d in dirs {
            if let Err(e) = fs::create_dir_all(self.root.join(d)) {
                return self.fail("", e);
            }
        }
    }

    /// Writes one file (its directory made already); scripts are made
    /// executable. A failure is kept for [`finish`](Staging::finish).
    fn put(&self, rel: &str, text: &str) {
        if self.dirs_failed() {
            return;
        }
        let path = self.root.join(rel);
        let written = fs::write(&path, text).and_then(|()| {
            #[cfg(unix)]
            if rel.ends_with(".sh") {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
            }
            Ok(())
        });
        match written {
            Ok(()) => {
                self.files
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => self.fail(rel, e),
        }
    }

    /// Writes the rest of the output (every file not staged yet) and swaps
    /// the tree in; on any failure so far or now, the staging tree is
    /// removed and `dir` is left as it was.
    pub(crate) fn finish(mut self, rest: &Output) -> io::Result<Written> {
        // Checked again: the compilation took a while, and a file put in
        // `dir` meanwhile would go with the tree that is swapped out.
        owned_by_topoform(&self.dir)?;
        self.make_dirs(rest.keys());
        // On every core: writing is the kernel copying each file into the
        // page cache, which two threads do in about half the time.
        let kilobytes = rest.values().map(|t| t.len() / 1024).sum();
        crate::par::map(rest.iter().collect(), kilobytes, |(rel, text)| {
            self.put(rel, text);
        });
        if let Some((_, e)) = locked(&self.failed).take() {
            return Err(e);
        }
        // Only a run that is about to succeed clears what killed runs left
        // beside `dir`: a failed one leaves everything as it was.
        remove_stale_siblings(&self.parent, &self.base);
        let written = swap_in(&self.root, &self.dir);
        // Swapped in, `root` holds the previous tree, which `swap_in` has
        // removed or reported; otherwise the staging tree goes on drop.
        self.done = written.is_ok();
        written
    }

    /// Whether a directory could not be made: then no file is written.
    fn dirs_failed(&self) -> bool {
        locked(&self.failed)
            .as_ref()
            .is_some_and(|(p, _)| p.is_empty())
    }
}

/// A lock that a panicking writer left poisoned still holds what was
/// written before it: the staging and checking keep reading it.
fn locked<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The directory that holds `dir` (`.` for a bare name).
fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.root);
        }
    }
}

/// Refuses `dir` unless it is absent, empty, or topoform's: every file in it
/// listed in its manifest, or (no manifest: an earlier version's output)
/// every file at a path topoform writes.
fn owned_by_topoform(dir: &Path) -> io::Result<()> {
    if !existing_dir(dir)? {
        return Ok(());
    }
    let listed: Option<BTreeSet<String>> = match fs::symlink_metadata(dir.join(layout::MANIFEST)) {
        Ok(m) if m.is_file() => Some(
            fs::read_to_string(dir.join(layout::MANIFEST))?
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    };
    let foreign: Vec<String> = walk(dir, dir)?
        .into_iter()
        .filter(|(rel, kind)| match kind {
            Kind::Dir => false,
            Kind::Other => true,
            Kind::File => {
                rel != layout::MANIFEST
                    && listed
                        .as_ref()
                        .map_or(!layout::is_generated_path(rel), |l| !l.contains(rel))
            }
        })
        .map(|(rel, _)| rel)
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
    let more = foreign.len().saturating_sub(shown.len());
    Err(io::Error::other(format!(
        "{} holds {} that topoform did not write ({}{}), which replacing it would delete: \
         write to a new or empty directory, or move them out",
        dir.display(),
        if foreign.len() == 1 {
            "a file"
        } else {
            "files"
        },
        shown.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        },
    )))
}

/// Whether the output directory `dir` exists: `false` when it does not, an
/// error when it is a symbolic link (never followed) or not a directory.
fn existing_dir(dir: &Path) -> io::Result<bool> {
    // `out/` names what a link `out` points to: the path without its
    // trailing separators is what is looked at, so a link is seen.
    let dir: PathBuf = dir.components().collect();
    let meta = match fs::symlink_metadata(&dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Err(io::Error::other(format!(
            "{} is a symbolic link: name the directory itself",
            dir.display()
        )));
    }
    if !meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a directory", dir.display()),
        ));
    }
    Ok(true)
}

/// What a path in the output directory is, without following links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    File,
    Dir,
    /// A symbolic link, a FIFO, a device, …: never something topoform writes.
    Other,
}

/// Every path below `dir` (relative to `root`, `/`-separated), sorted, with
/// its kind; directories are listed and entered, links never followed.
fn walk(root: &Path, dir: &Path) -> io::Result<Vec<(String, Kind)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        let rel = rel.join("/");
        if kind.is_dir() {
            out.push((rel, Kind::Dir));
            out.extend(walk(root, &path)?);
        } else if kind.is_file() {
            out.push((rel, Kind::File));
        } else {
            out.push((rel, Kind::Other));
        }
    }
    out.sort();
    Ok(out)
}

/// The staging and old trees of runs that were killed before they cleaned
/// up: `.BASE.new-PID-N` and `.BASE.old-PID-N` of a process that is gone.
/// Best effort: where the platform cannot tell (no /proc), they stay.
fn remove_stale_siblings(parent: &Path, base: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&format!(".{base}.new-"))
            .or_else(|| name.strip_prefix(&format!(".{base}.old-")))
        else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('-') else {
            continue;
        };
        let ours = pid == std::process::id().to_string();
        let numeric = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && n.bytes().all(|b| b.is_ascii_digit());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if numeric && is_dir && !ours && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Creates a new, empty directory `.BASE.TAG-PID-N` in `parent`.
fn unique_sibling(parent: &Path, base: &str, tag: &str) -> io::Result<PathBuf> {
    for n in 0..1000 {
        let candidate = parent.join(format!(".{base}.{tag}-{}-{n}", std::process::id()));
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("cannot create a staging directory"))
}

/// Puts `staging` in `dir`'s place. An existing `dir` is exchanged with it in
/// one step (Linux `renameat2(RENAME_EXCHANGE)`), so `dir` always exists and
/// readers see the old tree or the new one, never a mix or nothing; the old
/// tree, now at `staging`, is then removed. Where the exchange is not
/// supported, the old tree is moved aside and back on failure.
fn swap_in(staging: &Path, dir: &Path) -> io::Result<Written> {
    if matches!(fs::symlink_metadata(dir), Err(e) if e.kind() == io::ErrorKind::NotFound) {
        fs::rename(staging, dir)?;
        return Ok(Written { leftover: None });
    }
    match exchange(staging, dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::Unsupported => move_aside(staging, dir)?,
        Err(e) => return Err(e),
    }
    // `staging` now holds the previous tree.
    Ok(Written {
        leftover: fs::remove_dir_all(staging)
            .err()
            .map(|e| (staging.to_path_buf(), e)),
    })
}

/// Exchanges two directories atomically; `Unsupported` where the platform or
/// file system cannot.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Err(
            io::Error::new(io::ErrorKind::Unsupported, "no atomic exchange here"),
        ),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange here",
    ))
}

/// Without an atomic exchange: `dir` moves to a temporary name, `staging`
/// takes its place, and the previous tree ends at `staging`'s old name. If
/// the second step fails, the previous tree is put back.
fn move_aside(staging: &Path, dir: &Path) -> io::Result<()> {
    let aside = staging.with_extension("previous");
    fs::rename(dir, &aside)?;
    if let Err(e) = fs::rename(staging, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(e);
    }
    fs::rename(&aside, staging)
}

/// The output written in `dir` (the golden files a plan compares with):
/// every regular file below it, symbolic links and other special files left
/// out and never followed. A directory that does not exist is an empty
/// output: nothing is deployed yet. A file that is not UTF-8 is an error.
pub fn read(dir: &Path) -> io::Result<Output> {
    let mut out = Output::new();
    if !existing_dir(dir)? {
        return Ok(out);
    }
    for (rel, kind) in walk(dir, dir)? {
        if kind == Kind::File {
            let bytes = fs::read(dir.join(&rel))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{rel} in {} is not UTF-8 text", dir.display()),
                )
            })?;
            out.insert(rel, text);
        }
    }
    Ok(out)
}

/// What a new synth needs of the output in `dir`: its top-level templates
/// (a parent's metadata says which nested stack holds each block), without
/// the rest, which can be large. Links are not followed; a directory that
/// does not exist holds nothing.
pub fn read_previous(dir: &Path) -> io::Result<Output> {
    let mut out = Output::new();
    if !existing_dir(dir)? {
        return Ok(out);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.ends_with(".template.json") && entry.file_type()?.is_file() {
            let text = String::from_utf8(fs::read(entry.path())?).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{name} in {} is not UTF-8 text", dir.display()),
                )
            })?;
            out.insert(name.to_string(), text);
        }
    }
    Ok(out)
}

/// One difference between `output` and a directory.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    /// A file synth would write is missing.
    Missing(String),
    /// A file differs: its unified diff.
    Changed(String, String),
    /// A file or directory is in the directory but synth would not write it.
    Extra(String),
    /// Where synth writes a file there is something else: a symbolic link
    /// (never followed), a directory, a FIFO, …
    NotAFile(String),
    /// A script is not executable.
    NotExecutable(String),
}

/// One line per difference: `changed: PATH`, `missing: PATH`, … (the diff
/// of a changed file is in the value, not in the line).
impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "missing: {p}"),
            Drift::Changed(p, _) => write!(f, "changed: {p}"),
            Drift::Extra(p) => write!(f, "not generated by topoform: {p}"),
            Drift::NotAFile(p) => write!(f, "not a file (links are never followed): {p}"),
            Drift::NotExecutable(p) => write!(f, "not executable: {p}"),
        }
    }
}

impl std::error::Error for Drift {}

/// Compares `output` with `dir` without writing anything, and without
/// following a symbolic link anywhere in `dir`.
pub fn check(output: &Output, dir: &Path) -> io::Result<Vec<Drift>> {
    let exists = existing_dir(dir)?;
    let mut drift = Vec::new();
    for (rel, want) in output {
        drift.extend(check_file(dir, rel, want)?);
    }
    if exists {
        extras(dir, output.keys().map(String::as_str), &mut drift)?;
    }
    Ok(drift)
}

/// How the file `rel` in `dir` differs from `want`. A file below a link
/// (or anything else that is not a directory) is not in `dir`'s tree: it
/// is missing, and never read through the link.
fn check_file(dir: &Path, rel: &str, want: &str) -> io::Result<Vec<Drift>> {
    let mut drift = Vec::new();
    for (i, _) in rel.match_indices('/') {
        match fs::symlink_metadata(dir.join(&rel[..i])) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Ok(vec![Drift::Missing(rel.to_string())]),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(vec![Drift::Missing(rel.to_string())]);
            }
            Err(e) => return Err(e),
        }
    }
    let path = dir.join(rel);
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(vec![Drift::Missing(rel.to_string())]);
        }
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(vec![Drift::NotAFile(rel.to_string())]);
    }
    let have = fs::read_to_string(&path)?;
    if have != want {
        let diff = similar::TextDiff::from_lines(&have, want)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{rel}"), &format!("b/{rel}"))
            .to_string();
        drift.push(Drift::Changed(rel.to_string(), diff));
    }
    #[cfg(unix)]
    if rel.ends_with(".sh") {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 != 0o111 {
            drift.push(Drift::NotExecutable(rel.to_string()));
        }
    }
    Ok(drift)
}

/// What is in `dir` that an output of the files `paths` would not write.
fn extras<'a>(
    dir: &Path,
    paths: impl Iterator<Item = &'a str>,
    drift: &mut Vec<Drift>,
) -> io::Result<()> {
    let files: BTreeSet<&str> = paths.collect();
    // The directories synth makes: every parent of an output path.
    let dirs: BTreeSet<String> = files
        .iter()
        .flat_map(|rel| {
            let parts: Vec<&str> = rel.split('/').collect();
            (1..parts.len()).map(move |n| parts[..n].join("/"))
        })
        .collect();
    for (rel, kind) in walk(dir, dir)? {
        // Anything at an output file's path was reported with the file (a
        // directory there as not a file): it is not also extra.
        let expected = files.contains(rel.as_str())
            || match kind {
                Kind::Dir => dirs.contains(&rel),
                Kind::File | Kind::Other => false,
            };
        if !expected {
            let shown = if kind == Kind::Dir {
                format!("{rel}/")
            } else {
                rel
            };
            // A directory's contents are reported once, with it.
            let inside_extra = drift.iter().any(|d| {
                matches!(d, Drift::Extra(e) if e.ends_with('/') && shown.starts_with(e.as_str()))
            });
            if !inside_extra {
                drift.push(Drift::Extra(shown));
            }
        }
    }
    Ok(())
}

/// A [`check`] in progress: each template is compared with its file as
/// soon as it is serialized (on the core that serialized it), and
/// [`finish`](Checking::finish) compares the rest of the output and lists
/// what the directory holds besides. The drift is [`check`]'s, in its
/// order, and so is the error.
// The library alone only keeps its templates: staging and checking are the
// command's, and only they make a `Checking`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
#[derive(Debug)]
pub(crate) struct Checking {
    dir: PathBuf,
    /// Each compared file's drift, or the error reading it.
    found: std::sync::Mutex<Vec<(String, io::Result<Vec<Drift>>)>>,
}

impl Checking {
    /// A check of `dir`; an error where [`check`] fails before comparing
    /// (a symbolic link, or not a directory).
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn new(dir: &Path) -> io::Result<Checking> {
        existing_dir(dir)?;
        Ok(Checking {
            dir: dir.to_path_buf(),
            found: std::sync::Mutex::new(Vec::new()),
        })
    }

    fn compare(&self, rel: &str, want: &str) {
        let drift = check_file(&self.dir, rel, want);
        locked(&self.found).push((rel.to_string(), drift));
    }

    /// How many files were compared so far.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn files(&self) -> usize {
        locked(&self.found).len()
    }

    /// Compares the rest of the output, and returns every difference.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn finish(self, rest: &Output) -> io::Result<Vec<Drift>> {
        // Looked at again, as `check` looks after the compilation: the
        // directory may have gone, or come, while it ran.
        let exists = existing_dir(&self.dir)?;
        for (rel, want) in rest {
            self.compare(rel, want);
        }
        let mut found = self
            .found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        found.sort_by(|a, b| a.0.cmp(&b.0));
        let mut drift = Vec::new();
        let mut compared = Vec::with_capacity(found.len());
        for (rel, d) in found {
            drift.extend(d?);
            compared.push(rel);
        }
        if exists {
            extras(&self.dir, compared.iter().map(String::as_str), &mut drift)?;
        }
        Ok(drift)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drift_is_an_error_of_one_line() {
        let d = Drift::Changed("web.template.json".into(), "--- a\n+++ b\n".into());
        assert_eq!(d.to_string(), "changed: web.template.json");
        let boxed: Box<dyn std::error::Error> = Box::new(Drift::Missing("deploy.sh".into()));
        assert_eq!(boxed.to_string(), "missing: deploy.sh");
    }

    /// A small output, with its manifest as `render` writes one.
    fn sample() -> Output {
        let mut o = Output::new();
        o.insert("a.template.json".into(), "{}\n".into());
        o.insert("userdata/x.sh".into(), "#!/bin/bash\n".into());
        let manifest: String = o.keys().flat_map(|k| [k.as_str(), "\n"]).collect();
        o.insert(layout::MANIFEST.into(), manifest);
        o
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("topoform-emit-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn siblings(root: &Path) -> Vec<std::ffi::OsString> {
        let mut names: Vec<_> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn write_replaces_its_own_directory_and_check_sees_drift() {
        let root = scratch("write");
        let out = root.join("out");
        // A run that was killed left its staging tree behind.
        fs::create_dir_all(root.join(".out.new-4294967-0/userdata")).unwrap();
        write_to(&sample(), &out).unwrap();
        assert_eq!(check(&sample(), &out).unwrap(), vec![]);
        // Again, over its own output: a file no longer generated goes.
        fs::write(out.join("b.template.json"), "{}").unwrap();
        let manifest = fs::read_to_string(out.join(layout::MANIFEST)).unwrap();
        fs::write(out.join(layout::MANIFEST), manifest + "b.template.json\n").unwrap();
        write_to(&sample(), &out).unwrap();
        assert!(!out.join("b.template.json").exists());

        fs::write(out.join("a.template.json"), "{ }\n").unwrap();
        fs::write(out.join("extra"), "").unwrap();
        fs::remove_file(out.join("userdata/x.sh")).unwrap();
        let drift = check(&sample(), &out).unwrap();
        assert!(
            matches!(&drift[0], Drift::Changed(p, d) if p == "a.template.json" && d.contains("-{ }"))
        );
        assert_eq!(drift[1], Drift::Missing("userdata/x.sh".into()));
        assert_eq!(drift[2], Drift::Extra("extra".into()));
        // Nothing but `out` is left beside it: no staging or old tree.
        assert_eq!(siblings(&root), vec![std::ffi::OsString::from("out")]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_directory_with_files_topoform_did_not_write_is_refused_untouched() {
        let root = scratch("foreign");
        let out = root.join("out");
        fs::create_dir_all(out.join(".git")).unwrap();
        fs::write(out.join(".git/HEAD"), "ref").unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        let e = write_to(&sample(), &out).unwrap_err().to_string();
        assert!(e.contains(".git/HEAD") && e.contains("notes.md"), "{e}");
        assert_eq!(fs::read_to_string(out.join("notes.md")).unwrap(), "mine");
        assert_eq!(siblings(&root), vec![std::ffi::OsString::from("out")]);
        // Even in topoform's own directory, a file the manifest does not list.
        let ours = root.join("ours");
        write_to(&sample(), &ours).unwrap();
        fs::write(ours.join("deploy.sh"), "# mine").unwrap();
        assert!(write_to(&sample(), &ours).is_err());
        assert_eq!(
            fs::read_to_string(ours.join("deploy.sh")).unwrap(),
            "# mine"
        );
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn an_output_written_before_the_manifest_is_recognised() {
        let root = scratch("legacy");
        let out = root.join("out");
        for rel in [
            "x.template.json",
            "deploy.sh",
            "userdata/web.sh",
            "sorry/down/index.html",
        ] {
            let path = out.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "old").unwrap();
        }
        write_to(&sample(), &out).unwrap();
        assert_eq!(check(&sample(), &out).unwrap(), vec![]);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn links_are_refused_and_never_followed() {
        let root = scratch("links");
        let target = root.join("target");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("secret"), "do not print").unwrap();
        // -o a link: refused, for writing and for checking.
        let link = root.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_to(&sample(), &link).is_err());
        assert!(check(&sample(), &link).is_err());
        // Also when it is named with a trailing separator (`link/`), which
        // names what the link points to.
        let slashed = PathBuf::from(format!("{}/", link.display()));
        assert!(write_to(&sample(), &slashed).is_err());
        assert!(check(&sample(), &slashed).is_err());
        assert!(target.join("secret").exists());
        assert_eq!(fs::read_dir(&target).unwrap().count(), 1);

        let out = root.join("out");
        write_to(&sample(), &out).unwrap();
        // A link at a generated path is reported, its target never read.
        fs::remove_file(out.join("a.template.json")).unwrap();
        std::os::unix::fs::symlink(target.join("secret"), out.join("a.template.json")).unwrap();
        // A link to a directory is not walked; an empty directory is drift.
        std::os::unix::fs::symlink("/etc", out.join("etc")).unwrap();
        fs::create_dir(out.join("empty")).unwrap();
        let drift = check(&sample(), &out).unwrap();
        assert_eq!(
            drift,
            vec![
                Drift::NotAFile("a.template.json".into()),
                Drift::Extra("empty/".into()),
                Drift::Extra("etc".into()),
            ]
        );
        // And a later write refuses the directory that holds them.
        assert!(write_to(&sample(), &out).is_err());

        // A link where a directory of the output belongs: the files below
        // it are missing, never read through it, even when the link leads
        // to the very files synth writes. A directory where a file belongs
        // is reported once, as not a file.
        let out = root.join("out2");
        write_to(&sample(), &out).unwrap();
        let elsewhere = root.join("elsewhere");
        fs::rename(out.join("userdata"), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("userdata")).unwrap();
        fs::remove_file(out.join("a.template.json")).unwrap();
        fs::create_dir(out.join("a.template.json")).unwrap();
        assert_eq!(
            check(&sample(), &out).unwrap(),
            vec![
                Drift::NotAFile("a.template.json".into()),
                Drift::Missing("userdata/x.sh".into()),
                Drift::Extra("userdata".into()),
            ]
        );
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_script_that_lost_its_run_bit_is_stale() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch("mode");
        let out = root.join("out");
        write_to(&sample(), &out).unwrap();
        let script = out.join("userdata/x.sh");
        assert_eq!(
            fs::metadata(&script).unwrap().permissions().mode() & 0o777,
            0o755
        );
        fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            check(&sample(), &out).unwrap(),
            vec![Drift::NotExecutable("userdata/x.sh".into())]
        );
        fs::remove_dir_all(root).unwrap();
    }

    /// A staged file that cannot be written fails the whole write: the
    /// first failure in path order is the one reported, the previous tree
    /// stays, and the staging tree goes. A staging tree dropped unfinished
    /// (the compilation failed after templates were staged) goes too.
    #[test]
    fn a_failed_staged_write_leaves_the_previous_tree() {
        let root = scratch("staged");
        let out = root.join("out");
        write_to(&sample(), &out).unwrap();
        let stage = Staging::beside(&out).unwrap();
        stage.make_dirs([String::from("nested/A.template.json")].iter());
        stage.put("nested/A.template.json", "{}\n");
        // Two files that cannot be written, the later one in path order
        // first: its directory was never made; the earlier one's is a file.
        stage.put("z/late.template.json", "{}\n");
        fs::write(stage.root.join("m"), "").unwrap();
        stage.put("m/early.template.json", "{}\n");
        assert_eq!(stage.files(), 1);
        let e = stage.finish(&sample()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotADirectory, "{e}");
        assert_eq!(check(&sample(), &out).unwrap(), vec![]);
        assert_eq!(siblings(&root), vec![std::ffi::OsString::from("out")]);
        {
            let stage = Staging::beside(&out).unwrap();
            stage.put("a.template.json", "{}\n");
            assert_eq!(siblings(&root).len(), 2);
        }
        assert_eq!(siblings(&root), vec![std::ffi::OsString::from("out")]);
        // Without a parent, `beside` makes nothing; `new` makes the parent.
        let deep = root.join("a/b/out");
        assert!(Staging::beside(&deep).is_err());
        assert!(!root.join("a").exists());
        Staging::new(&deep).unwrap().finish(&sample()).unwrap();
        assert_eq!(check(&sample(), &deep).unwrap(), vec![]);
        fs::remove_dir_all(root).unwrap();
    }

    /// The checks are made again before the swap: a file someone put in
    /// the output directory while the templates were staged is refused,
    /// not deleted with the previous tree. Refused, `new` makes nothing,
    /// not even the missing directory it would be in.
    #[test]
    fn a_file_added_while_staging_is_refused_and_kept() {
        let root = scratch("added");
        let out = root.join("out");
        write_to(&sample(), &out).unwrap();
        let stage = Staging::beside(&out).unwrap();
        stage.make_dirs([String::from("a.template.json")].iter());
        stage.put("a.template.json", "{}\n");
        fs::write(out.join("NOTES.txt"), "mine").unwrap();
        let e = stage.finish(&sample()).unwrap_err().to_string();
        assert!(e.contains("NOTES.txt"), "{e}");
        assert_eq!(fs::read_to_string(out.join("NOTES.txt")).unwrap(), "mine");
        assert_eq!(siblings(&root), vec![std::ffi::OsString::from("out")]);
        let unnamed = root.join("new/sub/..");
        let e = Staging::new(&unnamed).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{e}");
        assert!(!root.join("new").exists());
        fs::remove_dir_all(root).unwrap();
    }

    /// A check whose templates are compared as they are serialized finds
    /// what [`check`] finds on the whole output, in the same order: a
    /// nested stack changed, another missing, a script that lost its run
    /// bit, a file and a directory topoform did not write, a link.
    /// A topology of 120 instances with records: a parent and nested
    /// stacks.
    fn split_topology() -> String {
        use std::fmt::Write as _;
        let mut text = String::from(
            "[stack]\nname = \"Scale\"\nregion = \"ap-northeast-1\"\n\n\
             [zone.main]\nid = \"Z0123456789ABCDEFGHIJ\"\ndomain = \"example.com\"\n",
        );
        for i in 0..120 {
            write!(
                text,
                "\n[instance.c{i:03}]\nami = \"ami-0123456789abcdef0\"\ntype = \"t3.small\"\n\
                 subnets = [\"subnet-0aaaaaaaaaaaaaaa1\"]\nsecurity_groups = [\"sg-0123456789abcdef0\"]\n\
                 dns = {{ zone = \"zone.main\", record = \"c{i:03}.example.com\" }}\n"
            )
            .unwrap();
        }
        text
    }

    #[test]
    fn a_streamed_check_finds_what_check_finds() {
        let text = split_topology();
        let files = crate::FilesIn(".".into());
        let whole = crate::compile_toml(&text, &files).into_result().unwrap();
        assert!(whole.keys().filter(|k| k.starts_with("nested/")).count() > 1);
        let root = scratch("streamed-check");
        let out = root.join("out");
        write_to(&whole, &out).unwrap();
        let streamed = |dir: &Path| {
            let checking = Checking::new(dir).unwrap();
            let (c, _) =
                crate::compile_toml_into(&text, &files, &Output::new(), Sink::Check(&checking));
            let rest = c.output.unwrap();
            assert!(!rest.contains_key("nested/Shard001.template.json"));
            let compared = checking.files();
            (compared + rest.len(), checking.finish(&rest).unwrap())
        };
        assert_eq!(streamed(&out), (whole.len(), vec![]));
        fs::write(out.join("nested/Shard001.template.json"), "{}\n").unwrap();
        fs::remove_file(out.join("nested/Shard002.template.json")).unwrap();
        let script = out.join(layout::DEPLOY_SCRIPT);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
        }
        fs::write(out.join("nested/mine.txt"), "").unwrap();
        fs::create_dir_all(out.join("extra/deep")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", out.join("userdata/link")).unwrap();
        let want = check(&whole, &out).unwrap();
        assert!(want.len() >= 5, "{want:?}");
        assert_eq!(streamed(&out).1, want);
        fs::remove_dir_all(root).unwrap();
    }

    /// A topology with an error is never written or compared: its sound
    /// part's templates are only measured, however many there are.
    #[test]
    fn a_topology_with_an_error_stages_and_compares_nothing() {
        let text = split_topology().replace(
            "[instance.c007]\nami = \"ami-0123456789abcdef0\"",
            "[instance.c007]\nami = \"ami-bad\"",
        );
        let files = crate::FilesIn(".".into());
        let root = scratch("doomed");
        let out = root.join("out");
        let checking = Checking::new(&out).unwrap();
        let (c, _) =
            crate::compile_toml_into(&text, &files, &Output::new(), Sink::Check(&checking));
        assert!(c.output.is_none() && c.diagnostics.iter().any(Diagnostic::is_error));
        assert_eq!(checking.files(), 0);
        let staging = Staging::beside(&out).unwrap();
        let (c, _) = crate::compile_toml_into(&text, &files, &Output::new(), Sink::Stage(&staging));
        assert!(c.output.is_none());
        assert_eq!(staging.files(), 0);
        drop(staging);
        assert!(siblings(&root).is_empty());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_file_in_the_way_is_an_error_and_is_left_alone() {
        let root = scratch("file");
        let out = root.join("out");
        fs::write(&out, "precious").unwrap();
        assert!(write_to(&sample(), &out).is_err());
        assert_eq!(fs::read_to_string(&out).unwrap(), "precious");
        fs::remove_dir_all(root).unwrap();
    }
}
