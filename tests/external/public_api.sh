#!/usr/bin/env bash
# The crate's public Rust API against the committed snapshot
# docs/public-api.txt: any change to the API is a diff in review.
#
# The listing comes from rustdoc's JSON output, which the stable toolchain
# writes when RUSTC_BOOTSTRAP=1 unlocks `-Z unstable-options` (no nightly
# needed), walked by tests/external/public_api.py (Python stdlib only).
# It documents the library as a vendoring crate builds it (FEATURES below),
# `#[doc(hidden)]` items included and marked.
#
# Usage: bash tests/external/public_api.sh [--bless]
#   without --bless: prints a unified diff and exits 1 if the API differs
#   --bless:         rewrites docs/public-api.txt
# Counts of public items per kind go to stderr either way.
#
# Builds in its own target directory (${CARGO_TARGET_DIR:-target}/public-api):
# RUSTC_BOOTSTRAP is part of cargo's fingerprint, so sharing the main one
# would make the next ordinary build recompile every dependency.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The feature set whose API is the supported library. Switch here if the
# library's features change (e.g. to (--features some-feature)).
FEATURES=(--no-default-features)
crate=topoform
snapshot=docs/public-api.txt

bless=0
case "${1-}" in
  --bless) bless=1 ;;
  "") ;;
  *)
    echo "usage: bash tests/external/public_api.sh [--bless]" >&2
    exit 2
    ;;
esac

target=${CARGO_TARGET_DIR:-target}/public-api
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -f "$target/doc/$crate.json"
if ! RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$target \
  cargo rustdoc --lib --locked "${FEATURES[@]}" -- \
  -Z unstable-options --output-format json --document-hidden-items \
  >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "public_api.sh: cargo rustdoc failed" >&2
  exit 1
fi

{
  echo "# The public Rust API of the $crate library (cargo rustdoc --lib ${FEATURES[*]})."
  echo "# Generated: bash tests/external/public_api.sh --bless. Do not edit by hand."
  python3 tests/external/public_api.py "$target/doc/$crate.json"
} >"$work/public-api.txt"

if ((bless)); then
  cp "$work/public-api.txt" "$snapshot"
  echo "public_api.sh: wrote $snapshot" >&2
  exit 0
fi

if [[ ! -f $snapshot ]]; then
  echo "public_api.sh: $snapshot is missing; create it with: bash tests/external/public_api.sh --bless" >&2
  exit 1
fi
if ! diff -u --label "$snapshot (committed)" --label "$snapshot (this tree)" \
  "$snapshot" "$work/public-api.txt"; then
  echo "public_api.sh: the public API changed; if that is intended, run" \
    "bash tests/external/public_api.sh --bless and commit $snapshot" >&2
  exit 1
fi
echo "public_api.sh: $snapshot is current" >&2
