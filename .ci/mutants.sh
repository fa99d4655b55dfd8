#!/usr/bin/env bash
# Mutation testing of the checks users rely on most: validation (src/validate)
# and the user-data and IAM synthesis. Not part of CI (it takes hours on two
# cores); run it by hand and record the counts in docs/mutants.md.
#
#   bash .ci/mutants.sh            # every mutant
#   bash .ci/mutants.sh --list     # only list them
#
# The test set leaves out the slow runs (fuzz, hostile values, trybuild),
# whose properties the faster tests also pin down; a mutant they would catch
# and these do not is reported missed, never caught.
set -euo pipefail
cd "$(dirname "$0")/.."
MUTANTS=27.1.0
if [[ $(cargo mutants --version 2>/dev/null) != "cargo-mutants $MUTANTS" ]]; then
  cargo install --locked cargo-mutants --version "$MUTANTS"
fi
# No debug info: most of each mutant's time is building and linking.
export CARGO_PROFILE_DEV_DEBUG=false CARGO_PROFILE_TEST_DEBUG=false
exec cargo mutants \
  --file 'src/validate/**/*.rs' \
  --file src/userdata.rs \
  --file src/templates.rs \
  --file src/synth/shared.rs \
  --file src/synth/instance.rs \
  --file src/synth/fleet.rs \
  --jobs 1 \
  --timeout 300 \
  --output target/mutants-out \
  --cargo-arg=--lib \
  --cargo-arg=--test=snapshots \
  --cargo-arg=--test=invariants \
  --cargo-arg=--test=dsl_parity \
  --cargo-arg=--test=cli \
  "$@"
