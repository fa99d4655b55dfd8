"""Shared pieces of the external validation: reporting, processes, fixtures, template walking."""

from __future__ import annotations

import base64
import functools
import gzip
import os
import re
import signal
import socket
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".tools" / "venv" / "bin"
AWS = VENV_BIN / "aws"
MOTO_SERVER = VENV_BIN / "moto_server"
VENV_PYTHON = VENV_BIN / "python"

DEFAULT_REGION = "us-east-1"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
ASG = "AWS::AutoScaling::AutoScalingGroup"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")  # ${Name} or ${Name.Attr}, not ${!literal}


class Report:
    """Prints one line per check and counts the outcomes: passed, failed, not verified.

    Something not verified (a resource moto cannot deploy, a property moto
    ignores or this harness cannot compare, a value that would only be the
    harness's own stand-in) is never a pass: it is printed as `n/v` with its
    reason, counted apart and listed by reason in the summary. It does not fail
    the run.
    """

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.unverified: dict[tuple[str, str], int] = {}  # (reason, unit) -> count

    def ok(self, fixture: str, check: str, note: str = "") -> None:
        print(f"ok   {fixture} {check}" + (f" ({note})" if note else ""), flush=True)
        self.passed += 1

    def fail(self, fixture: str, check: str, reason: str, details: str = "") -> None:
        print(f"FAIL {fixture} {check}: {reason}", flush=True)
        for line in details.rstrip().splitlines():
            print(f"     | {line}", flush=True)
        self.failed += 1

    def not_verified(self, fixture: str, check: str, reason: str, unit: str = "check",
                     detail: str = "") -> None:
        """One thing (a resource, a property, a check) that is neither passed nor failed.

        reason groups it in the summary (so keep instance-specific text in detail);
        unit is what is counted, singular ("resource", "property", "check").
        """
        print(f"n/v  {fixture} {check}: {reason}" + (f" ({detail})" if detail else ""),
              flush=True)
        key = (reason, unit)
        self.unverified[key] = self.unverified.get(key, 0) + 1

    @property
    def not_verified_total(self) -> int:
        return sum(self.unverified.values())

    def expect(self, fixture: str, check: str, problems: list[str], details: str = "",
               note: str = "") -> bool:
        """ok if there are no problems, else FAIL with them (and the details)."""
        if problems:
            self.fail(fixture, check, "; ".join(problems), details)
        else:
            self.ok(fixture, check, note)
        return not problems

    def result(self, fixture: str, check: str, result: Result, details: str = "") -> None:
        """Reports a Result: not verified if it says so, else ok or FAIL."""
        if result.unverified is not None:
            self.not_verified(fixture, check, result.unverified, result.unit, result.note)
        else:
            self.expect(fixture, check, result.problems, details, result.note)

    @staticmethod
    def note(fixture: str, text: str) -> None:
        """Context that is neither a pass nor a failure (what was adapted for moto)."""
        print(f"note {fixture} {text}", flush=True)

    def summary(self) -> int:
        """The totals; the last line keeps the `N passed, M failed` form CI reads."""
        if self.unverified:
            print("not verified, by reason:", flush=True)
            for (reason, unit), count in sorted(self.unverified.items(),
                                                key=lambda item: (-item[1], item[0])):
                print(f"  {reason}: {count} {plural(unit, count)}", flush=True)
        print(f"{self.not_verified_total} not verified", flush=True)
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed else 0


def plural(unit: str, count: int) -> str:
    if count == 1:
        return unit
    return unit[:-1] + "ies" if unit.endswith("y") else unit + "s"


class Result(NamedTuple):
    """The outcome of one comparison, reported as one check line.

    covers: the template properties (paths like "Tags" or
    "LaunchTemplateData.ImageId") it accounts for; unverified: the reason, when
    the comparison could not be made (then problems is empty and it is no pass).
    """

    aspect: str
    problems: list[str]
    note: str = ""
    covers: tuple[str, ...] = ()
    unverified: str | None = None
    unit: str = "property"


def not_verified(aspect: str, reason: str, covers: tuple[str, ...] = (), detail: str = "",
                 unit: str = "property") -> Result:
    return Result(aspect, [], detail, covers, reason, unit)


def same(what: str, expected: Any, actual: Any) -> list[str]:
    return [] if expected == actual else [f"{what}: want {expected!r}, moto has {actual!r}"]


def run(cmd: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False,
                          **kwargs)


def run_bounded(cmd: list[str | Path], env: dict[str, str], cwd: Path,
                timeout: float) -> tuple[int | None, str]:
    """Runs cmd in its own process group, stdout and stderr merged; exit code None = timed out."""
    proc = subprocess.Popen([str(c) for c in cmd], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
        return proc.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return None, output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Fixture:
    """One compiled output directory."""

    name: str
    out_dir: Path
    # Parsed templates the tools run on, sorted by path: every top-level
    # *.template.json, and the sample of nested/*.template.json.
    templates: dict[Path, dict[str, Any]]
    scripts: list[Path]  # every *.sh below out_dir, sorted
    # The nested templates left out of the sample (parsed: check 4 reads them).
    unsampled: dict[Path, dict[str, Any]] = field(default_factory=dict)

    @property
    def userdata_scripts(self) -> list[Path]:
        return [s for s in self.scripts if s.parent == self.out_dir / "userdata"]

    @functools.cached_property
    def _scripts_by_bytes(self) -> dict[bytes, Path]:
        # First one wins, as a scan in order would find it.
        found: dict[bytes, Path] = {}
        for s in self.userdata_scripts:
            found.setdefault(s.read_bytes(), s)
        return found

    def script_with_text(self, text: str) -> Path | None:
        """The userdata/*.sh whose bytes are exactly text."""
        return self._scripts_by_bytes.get(text.encode())


def topology_path(fixture: Fixture) -> Path:
    """The topology the output directory was synthesized from: .ci/test.sh names
    target/validate/NAME after fixtures/ok/NAME.toml, conformance-NAME after
    ../shared/conformance/NAME.topo.toml, and scale-N after the topology
    bench/scale.py wrote to target/scale-N.topo.toml."""
    if fixture.name.startswith("scale-"):
        return ROOT / "target" / f"{fixture.name}.topo.toml"
    if fixture.name.startswith("conformance-"):
        name = fixture.name.removeprefix("conformance-")
        return ROOT.parent / "shared" / "conformance" / f"{name}.topo.toml"
    return ROOT / "fixtures" / "ok" / f"{fixture.name}.toml"


def given_addresses(fixture: Fixture) -> dict[str, str]:
    """{allocation: address} of every instance whose elastic_ip gives both."""
    try:
        with open(topology_path(fixture), "rb") as f:
            topology = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    pairs = {}
    for spec in topology.get("instance", {}).values():
        eip = spec.get("elastic_ip") if isinstance(spec, dict) else None
        if isinstance(eip, dict) and "allocation" in eip and "address" in eip:
            pairs[str(eip["allocation"])] = str(eip["address"])
    return pairs


def stack_name(path: Path) -> str:
    return path.name.removesuffix(".template.json")


def template_region(template: dict[str, Any]) -> str:
    return template.get("Metadata", {}).get("topoform", {}).get("region", DEFAULT_REGION)


def references(node: Any) -> set[str]:
    """Logical names used by Ref, Fn::GetAtt and Fn::Sub anywhere inside node."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value.split(".", 1)[0] if isinstance(value, str) else value[0])
                found |= references(value)
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                names = {v.split(".", 1)[0] for v in SUB_VARIABLE.findall(text)}
                found |= (names - set(variables)) | references(variables)
            else:
                found |= references(value)
    return found


def user_data_text(resource: dict[str, Any]) -> str | None:
    """The script of a LaunchTemplate whose UserData is a literal string: base64
    of the gzip-compressed script, as cloud-init inflates it. None otherwise."""
    user_data = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("UserData")
    return decode_user_data(user_data) if isinstance(user_data, str) else None


def decode_user_data(user_data: str) -> str | None:
    """base64, then gzip, then UTF-8: what an instance runs. None if any step fails."""
    try:
        return gzip.decompress(base64.b64decode(user_data, validate=True)).decode()
    except (ValueError, OSError, EOFError):
        return None


def encode_user_data(script: str) -> str:
    """The inverse of decode_user_data (not byte-identical to topoform's)."""
    return base64.b64encode(gzip.compress(script.encode(), mtime=0)).decode()


def dns_name(name: str) -> str:
    """A DNS name in the form to compare: lower case, no trailing dot."""
    return name.rstrip(".").lower()
