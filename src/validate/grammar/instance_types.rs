//! The EC2 instance types that exist, and the regions that offer each, so
//! that `t3.48xlarge` is refused, and a type its stack's region does not
//! have is warned of, before EC2 refuses the launch at deploy time. The list is
//! `data/instance-types.txt`: AWS's price list as the pinned cfn-lint ships
//! it (its E3628 reads the same data), written by
//! `scripts/instance_types.py`, which the test command runs with `--check`.
//! A type AWS adds later is refused until the list is regenerated: the
//! diagnostic says so.
//!
//! A lookup is a binary search over the lines of the embedded text, which
//! the script writes sorted by type and padded to one width: line `i` of
//! the body starts at `i` times that width, so a lookup reads a dozen lines
//! and scans none. Reading all 1,400 lines into a table first cost more
//! than the rest of a small synth's validation. The tests below check that
//! the file is sorted and of one width, which the search relies on.

use std::sync::LazyLock;

const LIST: &str = include_str!("../../../data/instance-types.txt");

/// The list's layout, read from its header alone.
struct Layout {
    /// The regions, in the order of the columns.
    regions: Vec<&'static str>,
    /// The body: one line per type, after the header's `#` lines.
    body: &'static str,
    /// The width of every line of the body, its line break included.
    width: usize,
}

static LAYOUT: LazyLock<Layout> = LazyLock::new(|| {
    let (header, body) = split();
    Layout {
        regions: header
            .lines()
            .filter_map(|line| line.strip_prefix("# regions:"))
            .flat_map(str::split_whitespace)
            .collect(),
        body,
        width: body.find('\n').map_or(body.len(), |i| i + 1),
    }
});

/// The list's header (its leading `#` lines, the `# regions:` line among
/// them) and its body.
fn split() -> (&'static str, &'static str) {
    let mut header = 0;
    while LIST[header..].starts_with('#') {
        header = LIST[header..]
            .find('\n')
            .map_or(LIST.len(), |i| header + i + 1);
    }
    LIST.split_at(header)
}

/// A line of the body: the type (up to the first space), and its column of
/// `x` and `.` (the line's last characters, one per region). Its line break
/// is dropped, `\r\n` as well as `\n`: a checkout that converts line
/// breaks makes every line one byte wider, not the column one byte later.
fn entry(line: &str) -> (&str, &str) {
    let line = line.trim_end_matches(['\n', '\r']);
    let name = line.find(' ').map_or(line, |end| &line[..end]);
    let column = line
        .len()
        .checked_sub(LAYOUT.regions.len())
        .unwrap_or_else(|| panic!("bug in topoform: data/instance-types.txt: {line}"));
    (name, &line[column..])
}

/// Every type, sorted, with its column of `x` and `.`.
fn types() -> impl Iterator<Item = (&'static str, &'static str)> {
    LAYOUT.body.lines().map(entry)
}

/// Whether `instance_type` exists in some region topoform accepts.
pub(super) fn exists(instance_type: &str) -> bool {
    mask(instance_type).is_some()
}

/// Whether `region` offers `instance_type`. `None`: the list has no column
/// for the region (it would be a bug: the list covers every region
/// topoform accepts).
pub(super) fn offered_in(instance_type: &str, region: &str) -> Option<bool> {
    let column = LAYOUT.regions.iter().position(|r| *r == region)?;
    Some(mask(instance_type).is_some_and(|m| m.as_bytes()[column] == b'x'))
}

/// The column of `instance_type`: a binary search over the body's lines,
/// each found by its number (they are all one width).
fn mask(instance_type: &str) -> Option<&'static str> {
    let Layout { body, width, .. } = &*LAYOUT;
    let line = |i: usize| entry(&body[i * width..(i + 1) * width]);
    let (mut lo, mut hi) = (0, body.len() / width);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (name, mask) = line(mid);
        match name.cmp(instance_type) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mask),
        }
    }
    None
}

/// Every family (the part before the dot), sorted, without repeats.
pub(super) fn families() -> Vec<&'static str> {
    let mut f: Vec<&str> = types()
        .filter_map(|(name, _)| name.split_once('.').map(|(family, _)| family))
        .collect();
    f.dedup();
    f
}

/// The sizes of `family`, smallest first (`nano` … `xlarge`, then
/// `2xlarge` … by number, then `metal`s).
pub(super) fn sizes(family: &str) -> Vec<&'static str> {
    let mut sizes: Vec<&str> = types()
        .filter_map(|(name, _)| name.strip_prefix(family)?.strip_prefix('.'))
        .collect();
    sizes.sort_by_key(|size| rank(size));
    sizes
}

/// Where a size sorts among sizes; unknown shapes last, by name.
fn rank(size: &str) -> (u8, u32, &str) {
    const NAMED: [&str; 6] = ["nano", "micro", "small", "medium", "large", "xlarge"];
    if let Some(i) = NAMED.iter().position(|n| *n == size) {
        return (0, u32::try_from(i).unwrap_or(0), size);
    }
    if let Some(n) = size.strip_suffix("xlarge").and_then(|n| n.parse().ok()) {
        return (1, n, size);
    }
    if size.starts_with("metal") {
        return (2, 0, size);
    }
    (3, 0, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the search relies on: after the header, every line is a type
    /// with a column per region, and the types are sorted without repeats.
    #[test]
    fn the_list_is_sorted_and_every_line_has_every_region() {
        let (header, body) = split();
        assert_eq!(
            header
                .lines()
                .filter(|l| l.starts_with("# regions:"))
                .count(),
            1
        );
        let regions = LAYOUT.regions.len();
        assert!(regions > 0);
        assert!(body.ends_with('\n'));
        // One width: the search finds line `i` at `i` times it.
        for line in body.split_inclusive('\n') {
            assert_eq!(line.len(), LAYOUT.width, "{line:?}");
        }
        let types: Vec<_> = types().collect();
        assert!(types.len() > 1000, "{}", types.len());
        // Each line is a type and a column, read apart from `entry`, which
        // reads the same.
        for (line, (name, mask)) in body.lines().zip(&types) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields, [*name, *mask], "{line:?}");
            assert!(!name.starts_with('#'), "{name}");
            assert_eq!(mask.len(), regions, "{name}");
            assert!(mask.bytes().all(|b| b == b'x' || b == b'.'), "{name}");
            // A checkout with `\r\n` line breaks reads the same.
            assert_eq!(entry(&format!("{line}\r\n")), (*name, *mask), "{line:?}");
        }
        for w in types.windows(2) {
            assert!(w[0].0 < w[1].0, "not sorted: {} then {}", w[0].0, w[1].0);
        }
    }

    /// The search finds every type, with its own column, and nothing else.
    #[test]
    fn the_search_finds_exactly_the_listed_types() {
        let types: Vec<_> = types().collect();
        for (name, mask) in &types {
            assert_eq!(super::mask(name), Some(*mask), "{name}");
            for near in [
                format!("{name}x"),
                name[..name.len() - 1].to_string(),
                format!(" {name}"),
            ] {
                assert_eq!(
                    super::mask(&near).is_some(),
                    types.iter().any(|(n, _)| *n == near),
                    "{near}"
                );
            }
        }
        for absent in ["", "a", "zzz.large", "0.large", "t3.48xlarge"] {
            assert!(!exists(absent), "{absent}");
        }
    }
}
