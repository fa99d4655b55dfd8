#!/usr/bin/env bash
# Runs every test: the project's own (fmt, clippy, unit, snapshot, CLI, DSL
# parity, docs) and the third-party validators (cfn-lint, checkov, cfn-guard,
# parliament, shellcheck, bash -n, check-jsonschema, pre-commit, moto deploys, user-data runs against moto,
# an IMDSv2 stub and an Auto Scaling stub) on
# every fixture in fixtures/ok and every conformance topology in
# ../shared/conformance. A validator that cannot run is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "install the pinned validators"
bash .ci/tools.sh

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --manifest-path examples/vendored/Cargo.toml --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "the library alone: cargo build and clippy --no-default-features (no CLI, no clap)"
cargo build --lib --no-default-features --locked --quiet
cargo clippy --lib --no-default-features --locked -- -D warnings

step "cargo test"
CI=true cargo test --all-targets --locked
CI=true cargo test --doc --locked

step "a repository that vendors the crate (examples/vendored): its tests, its compile errors, no clap"
# The target directory is shared: the vendored crate reuses the dependencies
# built above.
CARGO_TARGET_DIR="$PWD/target" CI=true cargo test --locked --manifest-path examples/vendored/Cargo.toml
# Captured first: a failing `cargo tree` must fail the step, not pass it.
tree=$(cargo tree --locked --edges normal --manifest-path examples/vendored/Cargo.toml)
if grep -E '\bclap' <<<"$tree"; then
  echo "a crate that vendors topoform without its CLI builds clap" >&2
  exit 1
fi

step "the public Rust API is docs/public-api.txt (tests/external/public_api.sh)"
# Every change to what a vendoring crate can name is a diff in review.
bash tests/external/public_api.sh

step "the package ships what the docs link to (cargo package --list)"
# (examples/vendored is a crate of its own: cargo never packages a nested
# package, and the docs name it as a path of the repository.)
cargo package --locked --allow-dirty --list >target/package-list.txt
for f in README.md ARCHITECTURE.md LICENSE-MIT LICENSE-APACHE docs/language.md docs/diagnostics.md \
  docs/public-api.txt data/create-only.json examples/redash.rs fixtures/ok/redash.toml; do
  if ! grep -qx "$f" target/package-list.txt; then
    echo "the package leaves out $f" >&2
    exit 1
  fi
done

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

step "synthesize 1,000 clients (bench/scale.py): a parent and nested stacks"
python3 bench/scale.py 1000 >target/scale-1000.topo.toml
./target/debug/topoform synth target/scale-1000.topo.toml -o "$out/scale-1000"
./target/debug/topoform synth target/scale-1000.topo.toml -o "$out/scale-1000" --check
if ! compgen -G "$out/scale-1000/nested/*.template.json" >/dev/null; then
  echo "1,000 clients did not split into nested stacks" >&2
  exit 1
fi

step "synthesize a fleet of 1,000 clients (bench/scale.py --fleet): clients in nested stacks"
python3 bench/scale.py 1000 --fleet >target/scale-fleet-1000.topo.toml
# Outside $out: validate.py deploys the instance scenario's sample; the fleet's
# wiring is tests/shard.rs's, and cfn-lint reads a sample below.
fleet=target/scale-fleet-1000
rm -rf "$fleet"
./target/debug/topoform synth target/scale-fleet-1000.topo.toml -o "$fleet"
./target/debug/topoform synth target/scale-fleet-1000.topo.toml -o "$fleet" --check
if ! compgen -G "$fleet/nested/*.template.json" >/dev/null; then
  echo "a fleet of 1,000 clients did not split into nested stacks" >&2
  exit 1
fi

step "compile every conformance topology (../shared/conformance)"
# Topologies that use only the documented keys of the language: each must
# compile with no error, and its output passes the same validators.
conformance=../shared/conformance
if ! compgen -G "$conformance/*.topo.toml" >/dev/null; then
  echo "no topologies in $conformance: CI runs with ../shared beside the clone" >&2
  exit 1
fi
for f in "$conformance"/*.topo.toml; do
  ./target/debug/topoform synth "$f" -o "$out/conformance-$(basename "$f" .topo.toml)"
done

step "the replacement table is cfn-lint's (data/create-only.json)"
# What replaces a resource comes from the resource schemas of the pinned
# cfn-lint; a new resource type or a cfn-lint upgrade must regenerate it.
.tools/venv/bin/python -B scripts/create_only.py --check

step "the instance types are cfn-lint's (data/instance-types.txt)"
# Which types exist, and where, is AWS's price list as the pinned cfn-lint
# ships it; a cfn-lint upgrade must regenerate the list.
.tools/venv/bin/python -B scripts/instance_types.py --check

step "diagnostics for machines: JSON and SARIF schemas, pre-commit manifest, completions (tests/external/formats.sh)"
bash tests/external/formats.sh target/debug/topoform

step "third-party validators"
export PATH="$PWD/.tools/venv/bin:$PATH"
.tools/venv/bin/python -B tests/external/validate.py --jobs "$(nproc)" "$out"/*

step "cfn-lint on the 1,000-client fleet: the parent, the first and the last nested stack"
children=("$fleet"/nested/*.template.json)
.tools/venv/bin/cfn-lint "$fleet/Scale.template.json" "${children[0]}" "${children[-1]}"

step "deploy.sh's change sets against moto (tests/external/changesets.py)"
# The whole deploy.sh, for a table of edits: create, no change, declined,
# accepted (its preview against moto's own change set and topoform plan),
# and the recovery of a stack that never completed.
.tools/venv/bin/python -B tests/external/changesets.py target/debug/topoform "$out"
step "done"
