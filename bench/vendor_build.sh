#!/usr/bin/env bash
# Clean build time of a crate that vendors topoform, with and without the
# CLI: what a Rust infrastructure repository pays to depend on the builder.
#
# Usage: bash bench/vendor_build.sh [RUNS] [TOPOFORM_DIR...]
#   RUNS (default 3): hyperfine runs per variant, each a clean `cargo build`
#   (debug, as `cargo test` builds) of a one-file crate in its own target
#   directory. Dependencies come from ~/.cargo/registry (no download timed).
#   TOPOFORM_DIR: the checkouts to measure (default: this one). For each, the
#   crate depends on it with `default-features = false` (the library alone)
#   and with the default features (the CLI too); a checkout without a `cli`
#   feature builds the same either way.
# Prints hyperfine's table, then each variant's median wall time and mean
# user CPU time (hyperfine records user time per variant, not per run; it
# is the steadier one on a noisy machine).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shift || true
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$here")
hyperfine=$here/.tools/hyperfine/bin/hyperfine
command -v "$hyperfine" >/dev/null || hyperfine=hyperfine

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmds=()
names=()
i=0
for dir in "${dirs[@]}"; do
  for features in lib cli; do
    i=$((i + 1))
    crate=$work/v$i
    mkdir -p "$crate/src"
    if [ "$features" = lib ]; then
      dep="topoform = { path = \"$dir\", default-features = false }"
    else
      dep="topoform = { path = \"$dir\" }"
    fi
    cat >"$crate/Cargo.toml" <<TOML
[package]
name = "v$i"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$dep

[workspace]
TOML
    # An item every version has: the measure is the build, not the API.
    echo 'pub use topoform::Compilation;' >"$crate/src/lib.rs"
    # Resolve and fetch once, outside the timing.
    (cd "$crate" && cargo fetch --quiet)
    cmds+=("cd $crate && rm -rf target && cargo build --quiet --offline")
    names+=(-n "$(basename "$dir") $features")
  done
done
"$hyperfine" --runs "$runs" --style basic --export-json "$work/times.json" "${names[@]}" "${cmds[@]}"
python3 - "$work/times.json" <<'PY'
import json, statistics, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']:<24} median wall {statistics.median(r['times']):6.1f} s"
          f"   mean user {r['user']:6.1f} s")
PY
