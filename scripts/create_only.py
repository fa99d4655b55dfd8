#!/usr/bin/env python3
"""Writes data/create-only.json: for every CloudFormation resource type that
topoform emits, the properties whose change replaces the resource, taken from
the resource schemas that cfn-lint ships (pinned in .ci/tools.sh).

  createOnly     a change always replaces the resource;
  properties     the top-level properties a template may set (read-only
                 ones left out): the builder's overrides name one of them;
  missingIn      the regions (of the ones topoform accepts) whose schemas
                 lack the type: CloudFormation does not offer it there
                 (`AWS::Budgets::Budget` goes to us-east-1 from them); the
                 regions cfn-lint has no schemas for are listed apart, in
                 regionsWithoutSchemas, and count as lacking every type;
  conditional    a change may replace it (CloudFormation decides at update
                 time: an instance's UserData replaces an instance-store
                 instance and only restarts an EBS-backed one; an Auto
                 Scaling group's LaunchTemplate replaces its instances under
                 a rolling-update policy).

The types are the ones topoform's typed CloudFormation structs name
(every resource type literal in src/cfn/*.rs). `--check` fails, and writes nothing, when the file is not
what this script would write: the test command runs it, so a new resource
type or a cfn-lint upgrade cannot leave the table stale.

Usage: python3 scripts/create_only.py [--check]
"""

import json
import re
import sys
from pathlib import Path

import cfnlint  # the pinned one, from .tools/venv

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "create-only.json"
# A resource type as a string literal (parameter types have a fourth part).
TYPE = re.compile(r'"(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)"')
# The schemas of us-east-1 (every type topoform emits exists there); they
# agree across regions on what is create-only.
REGION = "us-east-1"


def emitted_types() -> list[str]:
    found = set()
    for path in sorted((ROOT / "src" / "cfn").glob("*.rs")):
        found.update(TYPE.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


def accepted_regions() -> list[str]:
    """The region codes topoform accepts (`REGIONS` in its grammar)."""
    text = (ROOT / "src" / "validate" / "grammar" / "mod.rs").read_text(encoding="utf-8")
    block = text.split("const REGIONS: &[&str] = &[", 1)[1].split("];", 1)[0]
    return re.findall(r'"([a-z0-9-]+)"', block)


def table() -> dict:
    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    provider = json.loads((schemas / "providers" / f"{REGION}.json").read_text())
    # A region cfn-lint has no schemas for is listed apart: nobody here can
    # say which types CloudFormation offers there.
    regional, unknown = {}, []
    for r in accepted_regions():
        f = schemas / "providers" / f"{r}.json"
        if f.exists():
            regional[r] = json.loads(f.read_text())
        else:
            unknown.append(r)
    types = {}
    for kind in emitted_types():
        if kind not in provider:
            raise SystemExit(f"cfn-lint has no schema for {kind} in {REGION}")
        schema = json.loads((schemas / "resources" / f"{provider[kind]}.json").read_text())
        read_only = {p.removeprefix("/properties/") for p in schema.get("readOnlyProperties", [])}
        types[kind] = {
            "createOnly": sorted(schema.get("createOnlyProperties", [])),
            "conditional": sorted(schema.get("conditionalCreateOnlyProperties", [])),
            # The properties a template may set (the builder's overrides are
            # checked against them): the schema's, less the read-only ones.
            "properties": sorted(p for p in schema.get("properties", {}) if p not in read_only),
        }
        missing = sorted(r for r, types_there in regional.items() if kind not in types_there)
        if missing:
            types[kind]["missingIn"] = missing
    version = getattr(cfnlint, "__version__", None)
    if version is None:
        from cfnlint.version import __version__ as version
    return {
        "source": f"cfn-lint {version}, resource schemas of {REGION}",
        "generatedBy": "scripts/create_only.py",
        "regionsWithoutSchemas": unknown,
        "types": types,
    }


def main() -> int:
    text = json.dumps(table(), indent=2, sort_keys=False) + "\n"
    if sys.argv[1:] == ["--check"]:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 scripts/create_only.py",
                  file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is current ({len(json.loads(text)['types'])} types)")
        return 0
    if sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
