#!/usr/bin/env bash
# The machine formats, judged by tools topoform did not write:
# - `--format json` against docs/diagnostics.schema.json (check-jsonschema),
#   which itself passes the JSON Schema metaschema;
# - `--format sarif` against OASIS's SARIF 2.1.0 schema (vendored in
#   tests/external/sarif);
# - docs/topology.schema.json: valid topologies pass, key and type errors fail;
# - .pre-commit-hooks.yaml with `pre-commit validate-manifest`;
# - `topoform graph --format dot` rendered by Graphviz;
# - `topoform completions bash` with `bash -n`.
# Usage: tests/external/formats.sh TOPOFORM
set -euo pipefail
cd "$(dirname "$0")/../.."
topoform=$(realpath "$1")
tools=.tools/formats/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

expect() { # CODE COMMAND...: runs COMMAND, which must exit CODE
  local want=$1; shift
  local got=0
  "$@" || got=$?
  if [[ $got != "$want" ]]; then
    echo "expected exit $want, got $got: $*" >&2
    exit 1
  fi
}

"$tools/check-jsonschema" --check-metaschema docs/diagnostics.schema.json
# The published schema is open (a later version-1 document may add fields);
# the test closes every object, so that a field the schema does not
# document fails here.
mkdir -p "$work/s"
python3 - docs/diagnostics.schema.json "$work/s/closed.schema.json" <<'PY'
import json, sys
def close(v):
    if isinstance(v, dict):
        if v.get("type") == "object" and "properties" in v:
            v["additionalProperties"] = False
        for x in v.values():
            close(x)
    elif isinstance(v, list):
        for x in v:
            close(x)
schema = json.load(open(sys.argv[1]))
close(schema)
json.dump(schema, open(sys.argv[2], "w"))
PY
schema=$work/s/closed.schema.json

echo "json: one document per fixture, valid and invalid"
n=0
for f in fixtures/ok/*.toml fixtures/err/*.toml; do
  n=$((n + 1))
  case $f in fixtures/ok/*) want=0 ;; *) want=1 ;; esac
  expect "$want" "$topoform" validate --format json "$f" >"$work/$n.json"
done
"$tools/check-jsonschema" --schemafile "$schema" "$work"/*.json

echo "json: several files, one of them unreadable (exit 6)"
expect 6 "$topoform" validate --format json fixtures/ok/redash.toml fixtures/err/*.toml no/such.topo.toml >"$work/many.json"
"$tools/check-jsonschema" --schemafile "$schema" "$work/many.json"

echo "json: synth --check on a stale directory (exit 5)"
"$topoform" synth fixtures/ok/redash.toml -o "$work/out" 2>/dev/null
echo '{}' >"$work/out/redash.template.json"
rm "$work/out/deploy.sh"
expect 5 "$topoform" synth --check --format json fixtures/ok/redash.toml -o "$work/out" >"$work/stale.json" 2>/dev/null
"$tools/check-jsonschema" --schemafile "$schema" "$work/stale.json"
python3 - "$work/stale.json" "$work/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
stale = {(s["path"], s["reason"]) for s in doc["files"][0]["stale"]}
out = sys.argv[2]
want = {(f"{out}/redash.template.json", "changed"), (f"{out}/deploy.sh", "missing")}
assert stale == want, stale
PY

echo "json and sarif: an output directory that cannot be read is in the document (exit 6)"
touch "$work/not-a-dir"
expect 6 "$topoform" synth --check --format json fixtures/ok/redash.toml -o "$work/not-a-dir" >"$work/outerr.json"
"$tools/check-jsonschema" --schemafile "$schema" "$work/outerr.json"
python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert f["output_error"], f' "$work/outerr.json"
expect 6 "$topoform" synth --format sarif fixtures/ok/redash.toml -o "$work/not-a-dir" >"$work/outerr.sarif"

echo "sarif: every fixture in one log, and a stale directory"
expect 1 "$topoform" validate --format sarif fixtures/ok/*.toml fixtures/err/*.toml >"$work/all.sarif"
expect 5 "$topoform" synth --check --format sarif fixtures/ok/redash.toml -o "$work/out" >"$work/stale.sarif" 2>/dev/null
expect 6 "$topoform" validate --format sarif no/such.topo.toml >"$work/unreadable.sarif"
"$tools/check-jsonschema" --schemafile tests/external/sarif/sarif-schema-2.1.0.json \
  "$work/all.sarif" "$work/stale.sarif" "$work/unreadable.sarif" "$work/outerr.sarif"
python3 - "$work"/*.sarif <<'PY'
import json, sys
# What GitHub code scanning requires of each result and rule.
for path in sys.argv[1:]:
    run = json.load(open(path))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["fullDescription"]["text"] and r["shortDescription"]["text"] for r in rules), path
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"], (path, r)
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1, (path, r)
    if path.endswith(("unreadable.sarif", "outerr.sarif")):
        assert any(r["ruleId"] == "io-error" for r in run["results"]), path
run = json.load(open(sys.argv[1]))["runs"][0]
results = run["results"]
errs = sum(1 for r in results if r["level"] == "error")
print(f"{sys.argv[1]}: {len(results)} results, {errs} errors, {len(run['tool']['driver']['rules'])} rules")
PY

echo "topology schema: every valid topology passes, every key or type error fails"
"$tools/check-jsonschema" --check-metaschema docs/topology.schema.json
"$tools/check-jsonschema" --schemafile docs/topology.schema.json fixtures/ok/*.toml ../shared/conformance/*.topo.toml
rejected=0
for f in fixtures/err/*.toml; do
  codes=$("$topoform" validate --format json "$f" | python3 -c '
import json, sys
print(" ".join(sorted({d["code"] for d in json.load(sys.stdin)["files"][0]["diagnostics"]})))' || true)
  case " $codes " in *" toml-syntax "*) continue ;; esac
  case " $codes " in
    *" unknown-key "* | *" wrong-type "* | *" unknown-kind "*)
      if "$tools/check-jsonschema" --schemafile docs/topology.schema.json "$f" >/dev/null 2>&1; then
        echo "the schema accepts $f, which has a key or type error ($codes)" >&2
        exit 1
      fi
      rejected=$((rejected + 1))
      ;;
  esac
done
if [[ $rejected -lt 3 ]]; then
  echo "only $rejected error fixtures with key or type errors: the schema test checks too little" >&2
  exit 1
fi
echo "the schema rejects all $rejected error fixtures with a key or type error"

echo "graph: Graphviz renders every fixture's DOT; Mermaid labels stay within their quotes"
for f in fixtures/ok/*.toml; do
  "$topoform" graph --format dot "$f" 2>/dev/null >"$work/graph.dot"
  dot -Tsvg "$work/graph.dot" -o "$work/graph.svg"
  grep -q '<svg' "$work/graph.svg"
done
for f in fixtures/ok/*.toml; do
  "$topoform" graph "$f" 2>/dev/null
done | python3 -c '
import re, sys
node = re.compile(r"^  [a-z][a-z0-9_]*\[\"[^\"]*\"\]$")
edge = re.compile(r"^  [a-z][a-z0-9_]* (-->|-\.->)\|[^|\"]*\| [a-z][a-z0-9_]*$")
for line in sys.stdin.read().splitlines():
    if line.startswith("%%") or line == "flowchart LR":
        continue
    assert node.match(line) or edge.match(line), line
'
"$topoform" graph --format dot fixtures/ok/redash.toml 2>/dev/null | dot -Tsvg >"$work/redash.svg"
grep -q 'instance.redash' "$work/redash.svg"

echo "pre-commit: the hooks manifest"
"$tools/pre-commit" validate-manifest .pre-commit-hooks.yaml

echo "completions: bash parses"
"$topoform" completions bash >"$work/topoform.bash"
bash -n "$work/topoform.bash"
echo "formats: ok"
