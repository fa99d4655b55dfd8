//! The EC2 instance types that exist, and the regions that offer each, so
//! that `t3.48xlarge` is refused, and a type its stack's region does not
//! have is warned of, before EC2 refuses the launch at deploy time. The list is
//! `data/instance-types.txt`: AWS's price list as the pinned cfn-lint ships
//! it (its E3628 reads the same data), written by
//! `scripts/instance_types.py`, which the test command runs with `--check`.
//! A type AWS adds later is refused until the list is regenerated: the
//! diagnostic says so.

use std::sync::LazyLock;

const LIST: &str = include_str!("../../../data/instance-types.txt");

/// The list, read once: its regions, in column order, and each type (sorted)
/// with its column of `x` and `.`.
struct Table {
    regions: Vec<&'static str>,
    types: Vec<(&'static str, &'static [u8])>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut regions = Vec::new();
    let mut types = Vec::new();
    for line in LIST.lines() {
        if let Some(rest) = line.strip_prefix("# regions:") {
            regions = rest.split_whitespace().collect();
        } else if !line.starts_with('#') {
            let (name, mask) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("bug in topoform: data/instance-types.txt: {line}"));
            types.push((name, mask.trim_start().as_bytes()));
        }
    }
    assert!(
        types.windows(2).all(|w| w[0].0 < w[1].0)
            && types.iter().all(|(_, m)| m.len() == regions.len()),
        "bug in topoform: data/instance-types.txt is not sorted, or a line lacks a region"
    );
    Table { regions, types }
});

/// Whether `instance_type` exists in some region topoform accepts.
pub(super) fn exists(instance_type: &str) -> bool {
    mask(instance_type).is_some()
}

/// Whether `region` offers `instance_type`. `None`: the list has no column
/// for the region (it would be a bug: the list covers every region
/// topoform accepts).
pub(super) fn offered_in(instance_type: &str, region: &str) -> Option<bool> {
    let t = &*TABLE;
    let column = t.regions.iter().position(|r| *r == region)?;
    Some(mask(instance_type).is_some_and(|m| m[column] == b'x'))
}

fn mask(instance_type: &str) -> Option<&'static [u8]> {
    let types = &TABLE.types;
    types
        .binary_search_by(|(name, _)| (*name).cmp(instance_type))
        .ok()
        .map(|i| types[i].1)
}

/// Every family (the part before the dot), sorted, without repeats.
pub(super) fn families() -> Vec<&'static str> {
    let mut f: Vec<&str> = TABLE
        .types
        .iter()
        .filter_map(|(name, _)| name.split_once('.').map(|(family, _)| family))
        .collect();
    f.dedup();
    f
}

/// The sizes of `family`, smallest first (`nano` … `xlarge`, then
/// `2xlarge` … by number, then `metal`s).
pub(super) fn sizes(family: &str) -> Vec<&'static str> {
    let mut sizes: Vec<&str> = TABLE
        .types
        .iter()
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
