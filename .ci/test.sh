#!/usr/bin/env bash
# Runs every test: the project's own (fmt, clippy, unit, snapshot, CLI, DSL
# parity, docs) and the third-party validators (cfn-lint, checkov, shellcheck,
# bash -n, moto deploys, user-data runs against moto and an IMDSv2 stub) on
# every fixture in fixtures/ok. A validator that cannot run is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "install the pinned validators"
bash .ci/tools.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test"
CI=true cargo test --all-targets --locked
CI=true cargo test --doc --locked

step "cargo doc"
RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps --locked --quiet

step "synthesize every fixture"
cargo build --locked --quiet
out=target/validate
rm -rf "$out"
for f in fixtures/ok/*.toml; do
  name=$(basename "$f" .toml)
  ./target/debug/topoform synth "$f" -o "$out/$name"
  ./target/debug/topoform synth "$f" -o "$out/$name" --check
done

step "third-party validators"
export PATH="$PWD/.tools/venv/bin:$PATH"
.tools/venv/bin/python -B tests/external/validate.py "$out"/*
