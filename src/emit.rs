//! Emit: artifacts → an [`Output`] (relative path → bytes), and the two ways
//! to land it: [`write_to`] a directory atomically, or [`check`] a directory
//! against it.
//!
//! This is the only module that writes files.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::synth::Artifacts;

/// Every output file: relative path (always `/`-separated) → contents.
pub type Output = BTreeMap<String, String>;

/// Serializes artifacts: templates as [`Template::to_json`](crate::cfn::Template::to_json)
/// writes them (2-space pretty JSON with a final newline).
pub fn render(artifacts: &Artifacts) -> Output {
    let mut out = Output::new();
    for (name, template) in &artifacts.templates {
        out.insert(name.clone(), template.to_json());
    }
    for (path, text) in &artifacts.files {
        out.insert(path.clone(), text.clone());
    }
    out
}

/// Writes `output` to `dir`, all or nothing: everything is written to a fresh
/// directory beside `dir`, which then replaces `dir`. On error `dir` is left
/// as it was. Scripts are made executable.
pub fn write_to(output: &Output, dir: &Path) -> io::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a directory", dir.display()),
        ));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
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
    fs::create_dir_all(&parent)?;
    let staging = unique_sibling(&parent, &base, "new")?;
    let result = fill(&staging, output).and_then(|()| swap_in(&staging, dir, &parent, &base));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// Creates a new, empty directory `.BASE.TAG-N` in `parent` (N unique).
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

fn fill(root: &Path, output: &Output) -> io::Result<()> {
    for (rel, text) in output {
        let path = root.join(rel);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p)?;
        }
        fs::write(&path, text)?;
        #[cfg(unix)]
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

/// Replaces `dir` with `staging`: the old directory is moved aside first, so
/// readers see either the old or the new tree, never a mix.
fn swap_in(staging: &Path, dir: &Path, parent: &Path, base: &str) -> io::Result<()> {
    if !dir.exists() {
        return fs::rename(staging, dir);
    }
    let old = unique_sibling(parent, base, "old")?;
    fs::remove_dir(&old)?;
    fs::rename(dir, &old)?;
    if let Err(e) = fs::rename(staging, dir) {
        // Put the old tree back: the directory must stay as it was. If that
        // fails too, another synth has just put its whole tree in place:
        // the old one is obsolete either way.
        if fs::rename(&old, dir).is_err() {
            let _ = fs::remove_dir_all(&old);
        }
        return Err(e);
    }
    fs::remove_dir_all(&old)
}

/// One difference between `output` and a directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Drift {
    /// A file synth would write is missing.
    Missing(String),
    /// A file differs: its unified diff.
    Changed(String, String),
    /// A file is in the directory but synth would not write it.
    Extra(String),
}

/// Compares `output` with `dir` without writing anything.
pub fn check(output: &Output, dir: &Path) -> io::Result<Vec<Drift>> {
    let mut drift = Vec::new();
    for (rel, want) in output {
        match fs::read_to_string(dir.join(rel)) {
            Ok(have) if &have == want => {}
            Ok(have) => {
                let diff = similar::TextDiff::from_lines(&have, want)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{rel}"), &format!("b/{rel}"))
                    .to_string();
                drift.push(Drift::Changed(rel.clone(), diff));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(rel.clone()));
            }
            Err(e) => return Err(e),
        }
    }
    if dir.is_dir() {
        for rel in list_files(dir, dir)? {
            if !output.contains_key(&rel) {
                drift.push(Drift::Extra(rel));
            }
        }
    }
    Ok(drift)
}

fn list_files(root: &Path, dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(list_files(root, &path)?);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(parts.join("/"));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Output {
        let mut o = Output::new();
        o.insert("a.json".into(), "{}\n".into());
        o.insert("userdata/x.sh".into(), "#!/bin/bash\n".into());
        o
    }

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("topoform-emit-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn write_replaces_the_whole_directory_and_check_sees_drift() {
        let root = scratch("write");
        let out = root.join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("stale.txt"), "old").unwrap();
        write_to(&sample(), &out).unwrap();
        assert!(!out.join("stale.txt").exists());
        assert_eq!(check(&sample(), &out).unwrap(), vec![]);

        fs::write(out.join("a.json"), "{ }\n").unwrap();
        fs::write(out.join("extra"), "").unwrap();
        fs::remove_file(out.join("userdata/x.sh")).unwrap();
        let drift = check(&sample(), &out).unwrap();
        assert!(matches!(&drift[0], Drift::Changed(p, d) if p == "a.json" && d.contains("-{ }")));
        assert_eq!(drift[1], Drift::Missing("userdata/x.sh".into()));
        assert_eq!(drift[2], Drift::Extra("extra".into()));
        // Nothing but `out` is left beside it.
        let siblings: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(siblings, vec![std::ffi::OsString::from("out")]);
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
