#!/usr/bin/env python3
"""Writes data/instance-types.txt: every EC2 instance type, and the regions
(of the ones topoform accepts) that offer it, from the pinned cfn-lint's
`instancetype_enum.json` (AWS's price list; cfn-lint's E3628 reads the same
file). `topoform` refuses a type that is not in it, and warns of a type
that its stack's region does not offer, before EC2 refuses the launch at
deploy time. Retired families that the price list still has are left out.

`--check` fails, and writes nothing, when the file is not what this script
would write: the test command runs it, so a cfn-lint upgrade cannot leave
the list stale.

Usage: python3 scripts/instance_types.py [--check]
"""

import json
import sys
from pathlib import Path

import cfnlint  # the pinned one, from .tools/venv
from importlib.metadata import version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from create_only import accepted_regions  # noqa: E402  (the same region list)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "instance-types.txt"
# The widest type name has 20 characters (u7inh-32tb.480xlarge).
WIDTH = 24
# Families AWS has retired, which the price list still prices: EC2 no
# longer launches them.
RETIRED = {"cc2", "cr1", "g2", "hs1", "i3p"}


def text() -> str:
    path = (
        Path(cfnlint.__file__).parent
        / "data" / "schemas" / "extensions" / "aws_ec2_instance" / "instancetype_enum.json"
    )
    data = json.loads(path.read_text())
    regions = accepted_regions()
    offered = {r: set(data.get(r, {}).get("enum", [])) for r in regions}
    types = sorted(t for t in set().union(*offered.values()) if t.split(".")[0] not in RETIRED)
    too_wide = [t for t in types if len(t) >= WIDTH]
    if too_wide:
        sys.exit(f"instance_types.py: widen WIDTH for {too_wide}")
    lines = [
        "# EC2 instance types and the regions that offer them: AWS's price list, as",
        f"# the pinned cfn-lint {version('cfn-lint')} ships it (instancetype_enum.json).",
        "# Written by scripts/instance_types.py; do not edit. One line per type,",
        "# sorted: the type, then a column per region below, `x` where it is offered.",
        "# Retired families the price list still has are left out: " + ", ".join(sorted(RETIRED)) + ".",
        "# regions: " + " ".join(regions),
    ]
    for t in types:
        mask = "".join("x" if t in offered[r] else "." for r in regions)
        lines.append(f"{t:<{WIDTH}}{mask}")
    return "\n".join(lines) + "\n"


def main() -> int:
    new = text()
    if "--check" in sys.argv[1:]:
        old = OUT.read_text() if OUT.exists() else ""
        if old != new:
            print(f"{OUT.relative_to(ROOT)} is stale: run python3 scripts/instance_types.py", file=sys.stderr)
            return 1
        print(f"{OUT.relative_to(ROOT)} is current ({sum(1 for line in new.splitlines() if not line.startswith('#'))} types)")
        return 0
    OUT.write_text(new)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
