#!/usr/bin/env bash
# Installs the third-party validators the test suite runs, pinned, into .tools/.
# Idempotent: a second run with everything in place only checks versions.
# cfn-lint, moto and awscli share one venv; checkov pins an old boto3 that breaks
# moto, so it gets a venv of its own, and so does parliament. cfn-guard is built
# from crates.io with cargo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

CFN_LINT=1.58.0
MOTO=5.2.5
AWSCLI=1.46.2
CHECKOV=3.3.30
PARLIAMENT=1.6.4
CFN_GUARD=3.2.1
CHECK_JSONSCHEMA=0.39.0
PRE_COMMIT=4.7.0

python=${PYTHON:-python3}

want_venv() { # DIR STAMP PACKAGES...
  local dir=$1 stamp=$2; shift 2
  if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" ]]; then return 0; fi
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$stamp" >"$dir/.stamp"
}

want_venv "$tools/venv" "cfn-lint=$CFN_LINT moto=$MOTO awscli=$AWSCLI" \
  "cfn-lint==$CFN_LINT" "moto[server]==$MOTO" "awscli==$AWSCLI"
want_venv "$tools/checkov" "checkov=$CHECKOV" "checkov==$CHECKOV"
# parliament audits IAM policy documents against AWS's IAM model.
want_venv "$tools/parliament" "parliament=$PARLIAMENT" "parliament==$PARLIAMENT"
# check-jsonschema validates the diagnostics formats (JSON, SARIF);
# pre-commit validates .pre-commit-hooks.yaml.
want_venv "$tools/formats" "check-jsonschema=$CHECK_JSONSCHEMA pre-commit=$PRE_COMMIT" \
  "check-jsonschema==$CHECK_JSONSCHEMA" "pre-commit==$PRE_COMMIT"

# cfn-guard runs the Guard rules vendored in tests/external/guard-rules.
guard_stamp="cfn-guard=$CFN_GUARD"
if [[ ! -x $tools/cfn-guard/bin/cfn-guard || ! -f $tools/cfn-guard/.stamp
      || $(cat "$tools/cfn-guard/.stamp") != "$guard_stamp" ]]; then
  rm -rf "$tools/cfn-guard"
  cargo install --locked --version "$CFN_GUARD" --root "$tools/cfn-guard" cfn-guard
  echo "$guard_stamp" >"$tools/cfn-guard/.stamp"
fi

# shellcheck, and Graphviz (which renders `topoform graph --format dot` in
# tests/external/formats.sh), from the distribution.
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v dot >/dev/null || missing+=(graphviz)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$tools/venv/bin/cfn-lint" --version
"$tools/venv/bin/moto_server" --version 2>/dev/null || "$tools/venv/bin/python" -c 'import moto; print("moto", moto.__version__)'
"$tools/venv/bin/aws" --version
"$tools/checkov/bin/checkov" --version
shellcheck --version | sed -n 2p
dot -V
"$tools/parliament/bin/pip" show parliament | sed -n 2p
"$tools/cfn-guard/bin/cfn-guard" --version
"$tools/formats/bin/check-jsonschema" --version
"$tools/formats/bin/pre-commit" --version
