"""External validation of topoform output directories with third-party tools.

The Rust test suite checks what topoform means to generate; this harness checks
the generated files against the tools that will consume them, so that a template
AWS would reject, a script that does not run, or a deploy plan with shell bugs is
caught before anyone deploys. Per output directory (one compiled fixture):

1. cfn-lint on every *.template.json: no errors, no warnings.
2. checkov on the templates: no failed check; every suppression in resource
   Metadata (checkov.skip) carries a non-empty comment.
3. shellcheck and `bash -n` on every *.sh (user-data scripts and deploy.sh).
4. Every LaunchTemplate's UserData is {"Fn::Base64": <text>} with <text>
   byte-identical to one of userdata/*.sh, and every userdata/*.sh is used.
5. Each template is deployed to a local moto server with create-stack. moto
   lacks CloudFormation models for some types (alarms, CloudFront, bucket
   policies, ...): those resources, and whatever references them, are removed
   from the deployable copy (and reported). Ids of things the template uses but
   does not create (subnets, security groups, hosted zones, Elastic IPs, AMIs)
   are created in moto and rewritten in the copy.
6. What moto modelled is described back and compared with the template, by
   resource type (Auto Scaling groups and their tags, EIPs, IAM, Route 53,
   scheduled actions, S3 buckets, launch templates); other types must at least
   have a physical id.
7. The user-data of every Auto Scaling group runs for real with bash against
   moto and a local IMDSv2 stub (imds_stub.py) serving the instance moto
   launched, twice (second boot must succeed too), and once without the
   allocation-id tag, which must fail and say so. The effects (EIP association,
   Route 53 records) are checked in moto.

Usage: .tools/venv/bin/python tests/external/validate.py OUT_DIR [OUT_DIR ...]

Prints `ok   <fixture> <check>` or `FAIL <fixture> <check>: <reason>` per check
(plus `note` lines that are neither), then `N passed, M failed`. Exits 1 if any
check failed or a tool is missing: a check that cannot run is a failure.
"""

from __future__ import annotations

import ast
import base64
import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from imds_stub import ImdsStub

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".tools" / "venv" / "bin"
AWS = VENV_BIN / "aws"
CFN_LINT = VENV_BIN / "cfn-lint"
MOTO_SERVER = VENV_BIN / "moto_server"
VENV_PYTHON = VENV_BIN / "python"
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
# curl is not run here, but the user-data scripts under test need it.
PATH_TOOLS = ("shellcheck", "bash", "curl")

DEFAULT_REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
LATEST_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
)
OWN_SSM_PREFIX = "/topoform-validate"
USERDATA_TIMEOUT_SECONDS = 120
STACK_TIMEOUT_SECONDS = 60
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}

ASG = "AWS::AutoScaling::AutoScalingGroup"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
EC2_ID = re.compile(r"\b(?:subnet|sg|vpc|eipalloc|ami)-[0-9a-f]{8,17}\b")
ZONE_ID = re.compile(r"Z[0-9A-Z]{8,32}")
SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")
CFN_LINT_FINDING = re.compile(r":\d+:\d+:\d+:\d+:([EWI])\d+:")
# For some of the described types, the properties moto's CloudFormation acts on
# (moto 5.2.5); others in a template are reported as unverifiable, not compared.
MOTO_APPLIES = {
    ASG: {
        "AutoScalingGroupName", "AvailabilityZones", "Cooldown", "DesiredCapacity",
        "HealthCheckGracePeriod", "HealthCheckType", "LaunchConfigurationName", "LaunchTemplate",
        "LoadBalancerNames", "MaxSize", "MinSize", "MixedInstancesPolicy",
        "NewInstancesProtectedFromScaleIn", "Tags", "TargetGroupARNs", "TerminationPolicies",
        "VPCZoneIdentifier",
    },
    "AWS::EC2::EIP": {"Domain", "InstanceId"},
    "AWS::IAM::Role": {
        "AssumeRolePolicyDocument", "Description", "MaxSessionDuration", "Path",
        "PermissionsBoundary", "Policies", "RoleName", "Tags",
    },
    "AWS::Route53::HealthCheck": {
        f"HealthCheckConfig.{key}" for key in (
            "FailureThreshold", "FullyQualifiedDomainName", "IPAddress", "Port",
            "RequestInterval", "ResourcePath", "SearchString", "Type",
        )
    },
    "AWS::S3::Bucket": {"BucketEncryption", "BucketName", "Tags"},
}
PSEUDO_PARAMETERS = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


# --------------------------------------------------------------------------- reporting


class Report:
    """Prints one line per check and counts the outcomes."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def ok(self, fixture: str, check: str, note: str = "") -> None:
        print(f"ok   {fixture} {check}" + (f" ({note})" if note else ""), flush=True)
        self.passed += 1

    def fail(self, fixture: str, check: str, reason: str, details: str = "") -> None:
        print(f"FAIL {fixture} {check}: {reason}", flush=True)
        for line in details.rstrip().splitlines():
            print(f"     | {line}")
        self.failed += 1

    def expect(
        self, fixture: str, check: str, problems: list[str], details: str = "", note: str = ""
    ) -> bool:
        if problems:
            self.fail(fixture, check, "; ".join(problems), details)
        else:
            self.ok(fixture, check, note)
        return not problems

    @staticmethod
    def note(fixture: str, text: str) -> None:
        print(f"note {fixture} {text}", flush=True)

    def summary(self) -> int:
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


class Result(NamedTuple):
    """One comparison of a deployed resource with its template."""

    aspect: str
    problems: list[str]
    note: str = ""


def same(what: str, expected: Any, actual: Any) -> list[str]:
    return [] if expected == actual else [f"{what}: template {expected!r}, moto {actual!r}"]


# --------------------------------------------------------------------------- processes


def run(cmd: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=False, **kwargs
    )


def run_bounded(
    cmd: list[str | Path], env: dict[str, str], cwd: Path, timeout: float
) -> tuple[int | None, str]:
    """Runs cmd in its own process group with stdout+stderr merged; None = timed out."""
    proc = subprocess.Popen(
        [str(c) for c in cmd],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
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


def missing_tools() -> list[str]:
    paths = [CFN_LINT, CHECKOV, MOTO_SERVER, AWS, VENV_PYTHON]
    missing = [str(p) for p in paths if not os.access(p, os.X_OK)]
    return missing + [tool for tool in PATH_TOOLS if shutil.which(tool) is None]


# --------------------------------------------------------------------------- moto


class AwsError(Exception):
    pass


class Moto:
    """A moto server for the whole run, and `aws` CLI calls against it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise AwsError(f"moto_server did not come up on port {self.port}")
                time.sleep(0.2)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> Moto:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Forgets every resource, so that each fixture starts from an empty account."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30).close()

    def env(self, region: str) -> dict[str, str]:
        """The process environment with no AWS settings but ours."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return clean | AWS_ENV | {"AWS_DEFAULT_REGION": region}

    def aws(self, region: str, service: str, operation: str, *args: str) -> dict[str, Any]:
        proc = run(
            [AWS, "--endpoint-url", self.endpoint, "--output", "json", service, operation, *args],
            env=self.env(region),
        )
        if proc.returncode != 0:
            raise AwsError(f"aws {service} {operation}: {proc.stderr.strip()}")
        return json.loads(proc.stdout) if proc.stdout.strip() else {}


def moto_modelled_types() -> set[str]:
    """Resource types moto's CloudFormation can create (it silently skips the others)."""
    code = "from moto.cloudformation.parsing import get_model_map; print(*get_model_map())"
    proc = run([VENV_PYTHON, "-W", "ignore", "-c", code])
    if proc.returncode != 0:
        raise AwsError(f"cannot list moto's CloudFormation models: {proc.stderr.strip()}")
    return set(proc.stdout.split())


# --------------------------------------------------------------------------- fixtures


@dataclass
class Fixture:
    name: str
    out_dir: Path
    templates: dict[Path, dict[str, Any]]
    scripts: list[Path]

    @property
    def userdata_scripts(self) -> list[Path]:
        return [s for s in self.scripts if s.parent == self.out_dir / "userdata"]


def load_fixture(report: Report, out_dir: Path) -> Fixture:
    fixture = Fixture(out_dir.name, out_dir, {}, sorted(out_dir.rglob("*.sh")))
    paths = sorted(out_dir.glob("*.template.json"))
    if not paths:
        report.fail(fixture.name, "templates", f"no *.template.json in {out_dir}")
    for path in paths:
        try:
            fixture.templates[path] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            report.fail(fixture.name, f"json {path.name}", str(e))
    return fixture


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
                target = value.split(".", 1)[0] if isinstance(value, str) else value[0]
                found.add(target)
                found |= references(value)
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                names = {v.split(".", 1)[0] for v in SUB_VARIABLE.findall(text)}
                found |= (names - set(variables)) | references(variables)
            else:
                found |= references(value)
    return found


def user_data_text(resource: dict[str, Any]) -> str | None:
    """The script of a LaunchTemplate written as {"Fn::Base64": "<text>"}, else None."""
    user_data = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("UserData")
    if isinstance(user_data, dict) and list(user_data) == ["Fn::Base64"]:
        text = user_data["Fn::Base64"]
        return text if isinstance(text, str) else None
    return None


def script_with_text(fixture: Fixture, text: str) -> Path | None:
    data = text.encode()
    return next((s for s in fixture.userdata_scripts if s.read_bytes() == data), None)


# --------------------------------------------------------------------------- checks 1-4


def check_cfn_lint(report: Report, fixture: Fixture, path: Path) -> None:
    proc = run([CFN_LINT, "--format", "parseable", "--", path])
    lines = (proc.stdout + proc.stderr).splitlines()
    findings = [line for line in lines if _finding_level(line) != "I"]
    problems = []
    if findings:
        problems.append(f"{len(findings)} finding(s)")
    if proc.returncode & ~8:  # bit 8 = informational findings only
        problems.append(f"exit {proc.returncode}")
    report.expect(fixture.name, f"cfn-lint {path.name}", problems, "\n".join(findings))


def _finding_level(line: str) -> str | None:
    match = CFN_LINT_FINDING.search(line)
    return match.group(1) if match else None


def check_checkov(report: Report, fixture: Fixture) -> None:
    """One checkov run over all templates; failed checks are attributed per file."""
    files = [arg for path in fixture.templates for arg in ("-f", str(path.resolve()))]
    proc = run(
        [CHECKOV, *files, "--framework", "cloudformation", "--skip-download", "--compact",
         "--quiet", "-o", "json"],
        env=os.environ | {"BC_SKIP_MAPPING": "TRUE"},
    )
    try:
        result = json.loads(proc.stdout)
        failed = result["results"]["failed_checks"]
        summary = result["summary"]
    except (ValueError, KeyError, TypeError):
        for path in fixture.templates:
            report.fail(fixture.name, f"checkov {path.name}", f"exit {proc.returncode}",
                        proc.stdout + proc.stderr)
        return
    expected_resources = sum(len(t.get("Resources", {})) for t in fixture.templates.values())
    for path in fixture.templates:
        mine = [c for c in failed if Path(c["file_abs_path"]) == path.resolve()]
        details = "\n".join(f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in mine)
        report.expect(fixture.name, f"checkov {path.name}",
                      [f"{len(mine)} failed check(s)"] if mine else [], details)
    problems = []
    if summary.get("parsing_errors"):
        problems.append(f"{summary['parsing_errors']} template(s) not parsed")
    if summary.get("resource_count") != expected_resources:
        problems.append(f"scanned {summary.get('resource_count')} of {expected_resources} resources")
    report.expect(fixture.name, "checkov coverage", problems, proc.stderr)


def check_suppressions(report: Report, fixture: Fixture, path: Path, template: dict) -> None:
    problems = []
    for name, resource in sorted(template.get("Resources", {}).items()):
        skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            if not str(skip.get("id", "")).strip() or not str(skip.get("comment", "")).strip():
                problems.append(f"{name}: suppression {skip.get('id')!r} needs an id and a comment")
    report.expect(fixture.name, f"checkov suppressions {path.name}", problems)


def check_shell(report: Report, fixture: Fixture, script: Path) -> None:
    label = script.relative_to(fixture.out_dir)
    lint = run(["shellcheck", script])
    report.expect(fixture.name, f"shellcheck {label}",
                  [f"exit {lint.returncode}"] if lint.returncode else [],
                  lint.stdout + lint.stderr)
    syntax = run(["bash", "-n", script])
    report.expect(fixture.name, f"bash -n {label}",
                  [f"exit {syntax.returncode}"] if syntax.returncode else [], syntax.stderr)


def check_user_data(report: Report, fixture: Fixture) -> None:
    used = set()
    for path, template in fixture.templates.items():
        for name, resource in sorted(template.get("Resources", {}).items()):
            if resource.get("Type") != LAUNCH_TEMPLATE:
                continue
            data = resource.get("Properties", {}).get("LaunchTemplateData", {})
            if "UserData" not in data:
                continue
            check = f"user-data {stack_name(path)}/{name}"
            text = user_data_text(resource)
            if text is None:
                report.fail(fixture.name, check, 'UserData is not {"Fn::Base64": "<script>"}',
                            json.dumps(data["UserData"])[:500])
                continue
            script = script_with_text(fixture, text)
            if script is None:
                report.fail(fixture.name, check, "matches no userdata/*.sh byte for byte")
            else:
                used.add(script)
                report.ok(fixture.name, check, f"= userdata/{script.name}")
    for script in fixture.userdata_scripts:
        report.expect(fixture.name, f"user-data userdata/{script.name} embedded",
                      [] if script in used else ["no LaunchTemplate carries it"])


# --------------------------------------------------------------------------- deployable copy


def strip_unmodelled(
    template: dict[str, Any], modelled: set[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy without resources moto cannot create, and without their dependants.

    A Ref to a resource moto skipped resolves to nothing and a GetAtt fails the
    stack, so every resource whose properties use a removed one goes too (to a
    fixed point). DependsOn entries only order creation: they are just dropped.
    Returns the copy and {removed resource or output: reason}.
    """
    body = copy.deepcopy(template)
    resources = body.get("Resources", {})
    removed = {
        name: f"{res['Type']} has no moto CloudFormation model"
        for name, res in resources.items()
        if res["Type"] not in modelled
    }
    changed = True
    while changed:
        changed = False
        for name, resource in sorted(resources.items()):
            if name in removed:
                continue
            used = {k: v for k, v in resource.items() if k not in ("DependsOn", "Metadata")}
            hits = sorted(references(used) & removed.keys())
            if hits:
                removed[name] = f"uses removed {', '.join(hits)}"
                changed = True
    for name in removed:
        del resources[name]
    for resource in resources.values():
        if "DependsOn" in resource:
            depends = resource["DependsOn"]
            kept = [d for d in ([depends] if isinstance(depends, str) else depends)
                    if d not in removed]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
    for name, output in sorted(body.get("Outputs", {}).items()):
        hits = sorted(references(output) & removed.keys())
        if hits:
            del body["Outputs"][name]
            removed[f"output {name}"] = f"uses removed {', '.join(hits)}"
    return body, removed


def zone_ids_used(template: dict[str, Any]) -> dict[str, str | None]:
    """Hosted zone ids the template uses but does not create, each with its domain if known.

    Taken from HostedZoneId properties (not AliasTarget ones: those name the
    alias target's zone), Metadata.topoform.zones and tag values.
    """
    zones: dict[str, str | None] = dict(template.get("Metadata", {}).get("topoform", {})
                                        .get("zones", {}))

    def walk(node: Any, record_name: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, record_name)
        elif isinstance(node, dict):
            zone = node.get("HostedZoneId")
            if isinstance(zone, str) and zone != CLOUDFRONT_ZONE_ID:
                name = node.get("Name", record_name)
                domain = name.rstrip(".").split(".", 1)[-1] if isinstance(name, str) else None
                zones[zone] = zones.get(zone) or domain
            if isinstance(node.get("Key"), str) and isinstance(node.get("Value"), str):
                if ZONE_ID.fullmatch(node["Value"]) and node["Value"] != CLOUDFRONT_ZONE_ID:
                    zones.setdefault(node["Value"], None)
            for key, value in node.items():
                if key != "AliasTarget":
                    walk(value, node.get("Name", record_name))

    walk(template.get("Resources", {}), None)
    return zones


class World:
    """What exists in the account before the stacks: created in moto on first use.

    moto only accepts ids it issued, so each distinct id a template uses but does
    not create is mapped to a fresh moto resource of the same kind.
    """

    def __init__(self, moto: Moto) -> None:
        self.moto = moto
        self.vpcs: dict[str, str] = {}
        self.subnets: dict[str, list[str]] = {}
        self.zones: dict[str, str] = {}  # domain -> moto zone id
        self.amis: dict[str, str] = {}
        self.mapping: dict[tuple[str, str], str] = {}  # (region, original id) -> moto id

    def vpc(self, region: str) -> str:
        if region not in self.vpcs:
            vpc = self.moto.aws(region, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")
            self.vpcs[region] = vpc["Vpc"]["VpcId"]
        return self.vpcs[region]

    def subnet(self, region: str, index: int) -> str:
        """The index-th subnet of the region's VPC, each in the next availability zone."""
        subnets = self.subnets.setdefault(region, [])
        while len(subnets) <= index:
            zones = self.moto.aws(region, "ec2", "describe-availability-zones")
            names = sorted(z["ZoneName"] for z in zones["AvailabilityZones"])
            n = len(subnets)
            subnet = self.moto.aws(
                region, "ec2", "create-subnet", "--vpc-id", self.vpc(region),
                "--cidr-block", f"10.0.{n}.0/24", "--availability-zone", names[n % len(names)],
            )["Subnet"]["SubnetId"]
            self.moto.aws(region, "ec2", "modify-subnet-attribute", "--subnet-id", subnet,
                          "--map-public-ip-on-launch")
            subnets.append(subnet)
        return subnets[index]

    def security_group(self, region: str, name: str) -> str:
        return self.moto.aws(
            region, "ec2", "create-security-group", "--group-name", name,
            "--description", "pre-existing group", "--vpc-id", self.vpc(region),
        )["GroupId"]

    def elastic_ip(self, region: str) -> str:
        return self.moto.aws(region, "ec2", "allocate-address", "--domain", "vpc")["AllocationId"]

    def ami(self, region: str) -> str:
        """The region's current Amazon Linux 2023 AMI, which moto knows."""
        if region not in self.amis:
            parameter = self.moto.aws(region, "ssm", "get-parameter", "--name",
                                      LATEST_AMI_PARAMETER)
            self.amis[region] = parameter["Parameter"]["Value"]
        return self.amis[region]

    def zone(self, domain: str) -> str:
        if domain not in self.zones:
            zone = self.moto.aws(DEFAULT_REGION, "route53", "create-hosted-zone", "--name",
                                 domain, "--caller-reference", f"topoform-validate-{domain}")
            self.zones[domain] = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
        return self.zones[domain]

    def key_pair(self, region: str) -> str:
        name = "topoform-validate"
        if (region, name) not in self.mapping:
            self.moto.aws(region, "ec2", "create-key-pair", "--key-name", name)
            self.mapping[region, name] = name
        return name

    def ssm_parameter(self, region: str, name: str, value: str) -> str:
        path = f"{OWN_SSM_PREFIX}/{name}"
        self.moto.aws(region, "ssm", "put-parameter", "--name", path, "--type", "String",
                      "--value", value, "--overwrite")
        return path

    def map_ids(self, region: str, template: dict[str, Any]) -> dict[str, str]:
        """{original id: moto id} for every external id in the template, creating them."""
        text = json.dumps(template)
        ids: dict[str, str] = {}
        for original in sorted(set(EC2_ID.findall(text))):
            key = (region, original)
            if key not in self.mapping:
                kind = original.split("-", 1)[0]
                self.mapping[key] = {
                    "vpc": lambda: self.vpc(region),
                    "subnet": lambda: self.subnet(region, len(self.subnets.get(region, []))),
                    "sg": lambda: self.security_group(region, original),
                    "eipalloc": lambda: self.elastic_ip(region),
                    "ami": lambda: self.ami(region),
                }[kind]()
            ids[original] = self.mapping[key]
        for original, domain in sorted(zone_ids_used(template).items()):
            ids[original] = self.zone(domain or "example.com")
        return ids


def rewrite_ids(template: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    if not ids:
        return template
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ids)) + r")\b")
    return json.loads(pattern.sub(lambda m: ids[m.group(1)], json.dumps(template)))


def plausible_value(world: World, region: str, name: str, spec: dict[str, Any]) -> str:
    """A value for a parameter without Default, by its Type."""
    kind = spec.get("Type", "String")
    if spec.get("AllowedValues"):
        return str(spec["AllowedValues"][0])
    by_type = {
        "AWS::EC2::Subnet::Id": lambda: world.subnet(region, 0),
        "List<AWS::EC2::Subnet::Id>": lambda: f"{world.subnet(region, 0)},{world.subnet(region, 1)}",
        "AWS::EC2::SecurityGroup::Id": lambda: world.security_group(region, name),
        "List<AWS::EC2::SecurityGroup::Id>": lambda: world.security_group(region, name),
        "AWS::EC2::VPC::Id": lambda: world.vpc(region),
        "AWS::EC2::Image::Id": lambda: world.ami(region),
        "AWS::EC2::KeyPair::KeyName": lambda: world.key_pair(region),
        "AWS::Route53::HostedZone::Id": lambda: world.zone("example.com"),
        "Number": lambda: str(spec.get("MinValue", 1)),
        "List<Number>": lambda: str(spec.get("MinValue", 1)),
    }
    if kind in by_type:
        return by_type[kind]()
    if name.endswith("CertificateArn"):
        return CERTIFICATE_ARN
    return "test"


def prepare_parameters(
    world: World, region: str, body: dict[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """Fills parameters without Default; returns (values to pass, notes).

    moto resolves an SSM-typed parameter's Default even when a value is passed,
    so an SSM path moto does not know (it refuses to store /aws/... names) is
    replaced by a path of ours in the deployable copy's Default.
    """
    values, notes = {}, []
    for name, spec in sorted(body.get("Parameters", {}).items()):
        kind = spec.get("Type", "String")
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            default = spec.get("Default")
            if default is not None and _ssm_known(world.moto, region, default):
                continue
            inner = {"Type": kind.removeprefix("AWS::SSM::Parameter::Value<").removesuffix(">")}
            spec["Default"] = world.ssm_parameter(region, name,
                                                  plausible_value(world, region, name, inner))
            notes.append(f"parameter {name}: SSM {default!r} -> {spec['Default']}")
        elif "Default" not in spec:
            values[name] = plausible_value(world, region, name, spec)
            notes.append(f"parameter {name} = {values[name]}")
    return values, notes


def _ssm_known(moto: Moto, region: str, name: str) -> bool:
    try:
        moto.aws(region, "ssm", "get-parameter", "--name", name)
        return True
    except AwsError:
        return False


# --------------------------------------------------------------------------- check 5: deploy


@dataclass
class Stack:
    """A template deployed to moto."""

    name: str
    path: Path
    region: str
    original: dict[str, Any]
    body: dict[str, Any]  # what was deployed: stripped and with moto's ids
    parameters: dict[str, str]
    physical: dict[str, str]  # logical id -> physical id

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body.get("Resources", {})


def deploy(report: Report, fixture: Fixture, moto: Moto, world: World, modelled: set[str],
           path: Path, work: Path) -> Stack | None:
    template = fixture.templates[path]
    name, region = stack_name(path), template_region(template)
    check = f"moto deploy {path.name}"
    body, removed = strip_unmodelled(template, modelled)
    for what, why in sorted(removed.items()):
        report.note(fixture.name, f"{path.name}: not deployed: {what} ({why})")
    try:
        ids = world.map_ids(region, body)
        body = rewrite_ids(body, ids)
        for original, new in sorted(ids.items()):
            report.note(fixture.name, f"{path.name}: {original} -> moto {new}")
        values, notes = prepare_parameters(world, region, body)
        for note in notes:
            report.note(fixture.name, f"{path.name}: {note}")
        body_file = work / f"{name}.deploy.json"
        body_file.write_text(json.dumps(body, indent=1), encoding="utf-8")
        args = ["--stack-name", name, "--template-body", f"file://{body_file}",
                "--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
        if values:
            params_file = work / f"{name}.parameters.json"
            params_file.write_text(json.dumps(
                [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]))
            args += ["--parameters", f"file://{params_file}"]
        moto.aws(region, "cloudformation", "create-stack", *args)
        status, details = wait_for_stack(moto, region, name)
    except AwsError as e:
        report.fail(fixture.name, check, "create-stack failed", str(e))
        return None
    if status != "CREATE_COMPLETE":
        report.fail(fixture.name, check, status, details)
        return None
    report.ok(fixture.name, check, f"{region}, stack {name}")
    listed = moto.aws(region, "cloudformation", "describe-stack-resources", "--stack-name", name)
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
                for r in listed["StackResources"]}
    parameters = {k: str(v.get("Default", "")) for k, v in body.get("Parameters", {}).items()}
    return Stack(name, path, region, template, body, parameters | values, physical)


def wait_for_stack(moto: Moto, region: str, name: str) -> tuple[str, str]:
    """The stack's final status, and its events unless it is CREATE_COMPLETE."""
    deadline = time.monotonic() + STACK_TIMEOUT_SECONDS
    while True:
        stack = moto.aws(region, "cloudformation", "describe-stacks", "--stack-name", name)
        status = stack["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if status == "CREATE_COMPLETE":
        return status, ""
    events = moto.aws(region, "cloudformation", "describe-stack-events", "--stack-name", name)
    return status, "\n".join(
        f"{e.get('LogicalResourceId')} {e.get('ResourceStatus')} {e.get('ResourceStatusReason', '')}"
        for e in reversed(events["StackEvents"])
    )


def check_outputs(report: Report, fixture: Fixture, moto: Moto, stack: Stack) -> None:
    described = moto.aws(stack.region, "cloudformation", "describe-stacks", "--stack-name",
                         stack.name)["Stacks"][0]
    actual = sorted(o["OutputKey"] for o in described.get("Outputs", []))
    expected = sorted(stack.body.get("Outputs", {}))
    report.expect(fixture.name, f"moto {stack.name} outputs", same("output keys", expected, actual))


# --------------------------------------------------------------------------- check 6: describe back


class Unresolved(Exception):
    """A template value whose deployed value this harness cannot work out."""


class Describe:
    """Resolves template values of one deployed stack and queries moto about it."""

    def __init__(self, moto: Moto, stack: Stack) -> None:
        self.moto = moto
        self.stack = stack

    def aws(self, service: str, operation: str, *args: str) -> dict[str, Any]:
        return self.moto.aws(self.stack.region, service, operation, *args)

    def physical(self, name: str) -> str:
        return self.stack.physical[name]

    def value(self, node: Any) -> Any:
        """The deployed value of a template value (Ref, GetAtt of some, Sub, Join)."""
        if isinstance(node, list):
            return [self.value(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {key: self.value(value) for key, value in node.items()}
        (function, argument), = node.items()
        if function == "Ref":
            return self.ref(argument)
        if function == "Fn::GetAtt":
            target, attribute = (argument.split(".", 1) if isinstance(argument, str)
                                 else argument)
            return self.get_att(target, attribute)
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            values = {k: str(self.value(v)) for k, v in variables.items()}

            def substitute(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in values:
                    return values[name]
                if "." in name:
                    return str(self.get_att(*name.split(".", 1)))
                return str(self.ref(name))

            return SUB_VARIABLE.sub(substitute, text).replace("${!", "${")
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(str(p) for p in self.value(parts))
        if function.startswith("Fn::") or function == "Condition":
            raise Unresolved(json.dumps(node))
        return {function: self.value(argument)}

    def ref(self, name: str) -> Any:
        pseudo = PSEUDO_PARAMETERS | {"AWS::Region": self.stack.region,
                                      "AWS::StackName": self.stack.name}
        if name in pseudo:
            return pseudo[name]
        if name in self.stack.parameters:
            spec = self.stack.body["Parameters"][name]
            if spec.get("Type", "").startswith("AWS::SSM::"):
                raise Unresolved(f"Ref {name}")
            return self.stack.parameters[name]
        if name in self.stack.physical:
            return self.stack.physical[name]
        raise Unresolved(f"Ref {name}")

    def get_att(self, name: str, attribute: str) -> Any:
        kind = self.stack.resources.get(name, {}).get("Type")
        if kind == "AWS::EC2::EIP" and attribute == "PublicIp":
            return self.physical(name)
        if kind == "AWS::EC2::EIP" and attribute == "AllocationId":
            return self.address(self.physical(name))["AllocationId"]
        raise Unresolved(f"GetAtt {name}.{attribute}")

    def address(self, public_ip: str) -> dict[str, Any]:
        return self.aws("ec2", "describe-addresses", "--public-ips", public_ip)["Addresses"][0]

    def compare(self, what: str, template_value: Any, actual: Any,
                convert: type = str) -> Result:
        """Compares a template value with moto's, after resolving and converting both."""
        try:
            expected = convert(self.value(template_value))
        except Unresolved as e:
            present = actual not in (None, "", [])
            return Result(what, [] if present else [f"missing in moto (template: {e})"],
                          f"{e} not resolved here: only presence checked")
        converted = convert(actual) if actual is not None else None
        return Result(what, same(what, expected, converted))


def actions(document: Any) -> list[str]:
    """The sorted Action names of a policy document (a dict or its text).

    moto returns the inline policies of a role created by CloudFormation as a
    Python repr rather than JSON, hence literal_eval.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            document = ast.literal_eval(document)
    statements = document.get("Statement", [])
    found: set[str] = set()
    for statement in [statements] if isinstance(statements, dict) else statements:
        names = statement.get("Action", [])
        found.update([names] if isinstance(names, str) else names)
    return sorted(found)


def as_bool(value: Any) -> bool:
    return str(value).lower() == "true"


def moto_ignored(kind: str, props: dict[str, Any]) -> list[str]:
    """Template properties (KEY or KEY.SUBKEY) that moto does not apply for this type."""
    applies = MOTO_APPLIES.get(kind)
    if applies is None:
        return []
    ignored = []
    for key, value in sorted(props.items()):
        nested = {a.split(".", 1)[1] for a in applies if a.startswith(f"{key}.")}
        if nested and isinstance(value, dict):
            ignored += [f"{key}.{k}" for k in sorted(value) if k not in nested]
        elif key not in applies:
            ignored.append(key)
    return ignored


def describe_auto_scaling_group(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    groups = ctx.aws("autoscaling", "describe-auto-scaling-groups",
                     "--auto-scaling-group-names", ctx.physical(name))["AutoScalingGroups"]
    yield Result("exists", [] if groups else ["not in describe-auto-scaling-groups"])
    if not groups:
        return
    group = groups[0]
    for key in ("MinSize", "MaxSize", "DesiredCapacity"):
        if key in props:
            yield ctx.compare(key, props[key], group.get(key), int)
    actual_tags = {t["Key"]: t for t in group.get("Tags", [])}
    allocations = None
    for tag in props.get("Tags", []):
        key, actual = tag["Key"], actual_tags.get(tag["Key"])
        if actual is None:
            yield Result(f"tag {key}", ["missing"])
            continue
        result = ctx.compare(f"tag {key}", tag["Value"], actual["Value"])
        problems = result.problems + same("PropagateAtLaunch", as_bool(tag.get("PropagateAtLaunch")),
                                          actual.get("PropagateAtLaunch"))
        if str(actual["Value"]).startswith("eipalloc-"):
            if allocations is None:
                addresses = ctx.aws("ec2", "describe-addresses")["Addresses"]
                allocations = {a["AllocationId"] for a in addresses}
            if actual["Value"] not in allocations:
                problems.append(f"{actual['Value']} is no allocation in describe-addresses")
        yield Result(result.aspect, problems, result.note or f"= {actual['Value']}")


def describe_eip(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    addresses = ctx.aws("ec2", "describe-addresses")["Addresses"]
    found = [a for a in addresses if a.get("PublicIp") == ctx.physical(name)]
    yield Result("exists", [] if found else [f"{ctx.physical(name)} not in describe-addresses"],
                 found[0]["AllocationId"] if found else "")
    if found and "Domain" in props:
        yield ctx.compare("Domain", props["Domain"], found[0].get("Domain"))


def describe_role(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    role = ctx.physical(name)
    ctx.aws("iam", "get-role", "--role-name", role)
    yield Result("exists", [], role)
    for policy in props.get("Policies", []):
        document = ctx.aws("iam", "get-role-policy", "--role-name", role, "--policy-name",
                           policy["PolicyName"])["PolicyDocument"]
        yield Result(f"policy {policy['PolicyName']} actions",
                     same("actions", actions(policy["PolicyDocument"]), actions(document)))


def describe_policy(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    for role in props.get("Roles", []):
        try:
            role_name = ctx.value(role)
        except Unresolved as e:
            yield Result(f"role {json.dumps(role)}", [f"cannot resolve: {e}"])
            continue
        document = ctx.aws("iam", "get-role-policy", "--role-name", role_name, "--policy-name",
                           props["PolicyName"])["PolicyDocument"]
        yield Result(f"on role {role_name} actions",
                     same("actions", actions(props["PolicyDocument"]), actions(document)))


def describe_instance_profile(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    profile = ctx.aws("iam", "get-instance-profile", "--instance-profile-name",
                      ctx.physical(name))["InstanceProfile"]
    yield ctx.compare("Roles", props.get("Roles", []),
                      [r["RoleName"] for r in profile["Roles"]], sorted)


def normal_name(name: str) -> str:
    return name.rstrip(".").lower()


def describe_record_set(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    zone = ctx.value(props.get("HostedZoneId")) if "HostedZoneId" in props else None
    if zone is None:
        zones = ctx.aws("route53", "list-hosted-zones-by-name", "--dns-name",
                        ctx.value(props["HostedZoneName"]))["HostedZones"]
        zone = zones[0]["Id"].rsplit("/", 1)[-1]
    records = ctx.aws("route53", "list-resource-record-sets", "--hosted-zone-id",
                      zone)["ResourceRecordSets"]
    record_name = normal_name(ctx.value(props["Name"]))
    found = [r for r in records
             if normal_name(r["Name"]) == record_name and r["Type"] == props["Type"]
             and r.get("SetIdentifier") == props.get("SetIdentifier")]
    label = f"{props['Type']} {record_name}" + (
        f" [{props['SetIdentifier']}]" if "SetIdentifier" in props else "")
    yield Result(f"record {label}", [] if found else ["not in list-resource-record-sets"])
    if not found:
        return
    record = found[0]
    if "Failover" in props:
        yield ctx.compare("Failover", props["Failover"], record.get("Failover"))
    if "HealthCheckId" in props:
        yield ctx.compare("HealthCheckId", props["HealthCheckId"], record.get("HealthCheckId"))
    if "ResourceRecords" in props:
        yield ctx.compare("ResourceRecords", props["ResourceRecords"],
                          [r["Value"] for r in record.get("ResourceRecords", [])], sorted)
    if "AliasTarget" in props:
        yield ctx.compare("AliasTarget.DNSName", props["AliasTarget"]["DNSName"],
                          record.get("AliasTarget", {}).get("DNSName"), normal_name)


def describe_health_check(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    config = ctx.aws("route53", "get-health-check", "--health-check-id",
                     ctx.physical(name))["HealthCheck"]["HealthCheckConfig"]
    for key, value in sorted(props.get("HealthCheckConfig", {}).items()):
        if f"HealthCheckConfig.{key}" in MOTO_APPLIES["AWS::Route53::HealthCheck"]:
            yield ctx.compare(key, value, config.get(key))


def describe_scheduled_action(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    group = ctx.value(props["AutoScalingGroupName"])
    scheduled = ctx.aws("autoscaling", "describe-scheduled-actions", "--auto-scaling-group-name",
                        group)["ScheduledUpdateGroupActions"]
    # moto names the action after its logical id and reports no physical id
    wanted = ctx.physical(name) or name
    found = [a for a in scheduled if a["ScheduledActionName"] == wanted]
    yield Result("exists", [] if found else [f"not scheduled on {group}"])
    if not found:
        return
    for key, convert in (("Recurrence", str), ("MinSize", int), ("MaxSize", int),
                         ("DesiredCapacity", int), ("TimeZone", str)):
        if key in props and key in found[0]:
            yield ctx.compare(key, props[key], found[0][key], convert)


def describe_bucket(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    bucket = ctx.physical(name)
    ctx.aws("s3api", "head-bucket", "--bucket", bucket)
    yield Result("exists", [], bucket)
    if "BucketEncryption" in props:
        rules = ctx.aws("s3api", "get-bucket-encryption", "--bucket", bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"]
        expected = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        yield ctx.compare(
            "SSEAlgorithm",
            [r["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in expected],
            [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules], sorted)


def describe_launch_template(ctx: Describe, name: str, props: dict) -> Iterator[Result]:
    versions = ctx.aws("ec2", "describe-launch-template-versions", "--launch-template-id",
                       ctx.physical(name), "--versions", "$Latest")["LaunchTemplateVersions"]
    data = versions[0]["LaunchTemplateData"]
    expected = props.get("LaunchTemplateData", {})
    for key in ("HttpTokens", "InstanceMetadataTags"):
        if key in expected.get("MetadataOptions", {}):
            yield ctx.compare(f"MetadataOptions.{key}", expected["MetadataOptions"][key],
                              data.get("MetadataOptions", {}).get(key))
    if "UserData" in expected:
        actual = base64.b64decode(data.get("UserData", "")).decode(errors="replace")
        yield ctx.compare("UserData", expected["UserData"].get("Fn::Base64"), actual)


DESCRIBERS = {
    ASG: describe_auto_scaling_group,
    "AWS::EC2::EIP": describe_eip,
    "AWS::IAM::Role": describe_role,
    "AWS::IAM::Policy": describe_policy,
    "AWS::IAM::InstanceProfile": describe_instance_profile,
    "AWS::Route53::RecordSet": describe_record_set,
    "AWS::Route53::HealthCheck": describe_health_check,
    "AWS::AutoScaling::ScheduledAction": describe_scheduled_action,
    "AWS::S3::Bucket": describe_bucket,
    LAUNCH_TEMPLATE: describe_launch_template,
}


def check_described(report: Report, fixture: Fixture, moto: Moto, stack: Stack) -> None:
    ctx = Describe(moto, stack)
    for name, resource in sorted(stack.resources.items()):
        check = f"moto {stack.name}/{name}"
        if "Condition" in resource and name not in stack.physical:
            report.note(fixture.name, f"{check}: not created (Condition {resource['Condition']})")
            continue
        props = resource.get("Properties", {})
        ignored = moto_ignored(resource["Type"], props)
        if ignored:
            report.note(fixture.name, f"{check}: moto ignores {', '.join(ignored)}: unverified")
        describer = DESCRIBERS.get(resource["Type"])
        if describer is None or name not in stack.physical:
            report.expect(fixture.name, f"{check} exists",
                          [] if stack.physical.get(name) else
                          ["no physical id in describe-stack-resources"],
                          note=stack.physical.get(name, ""))
            continue
        try:
            for result in describer(ctx, name, props):
                report.expect(fixture.name, f"{check} {result.aspect}", result.problems,
                              note=result.note)
        except (AwsError, Unresolved, LookupError, ValueError) as e:
            report.fail(fixture.name, f"{check} describe", f"{type(e).__name__}: {e}")


# --------------------------------------------------------------------------- check 7: user-data


@dataclass
class Instance:
    instance_id: str
    availability_zone: str
    private_ip: str
    public_ip: str | None
    tags: dict[str, str]


def group_instance(moto: Moto, region: str, group: str) -> Instance | None:
    """An instance moto launched for the group (asking for one if there is none)."""
    def described() -> list[dict[str, Any]]:
        return moto.aws(region, "autoscaling", "describe-auto-scaling-groups",
                        "--auto-scaling-group-names", group)["AutoScalingGroups"][0]["Instances"]

    members = described()
    if not members:
        moto.aws(region, "autoscaling", "set-desired-capacity", "--auto-scaling-group-name",
                 group, "--desired-capacity", "1")
        members = described()
    if not members:
        return None
    instance_id = sorted(m["InstanceId"] for m in members)[0]
    found = moto.aws(region, "ec2", "describe-instances", "--instance-ids", instance_id)
    instance = found["Reservations"][0]["Instances"][0]
    tags = moto.aws(region, "ec2", "describe-tags", "--filters",
                    f"Name=resource-id,Values={instance_id}")["Tags"]
    return Instance(instance_id, instance["Placement"]["AvailabilityZone"],
                    instance["PrivateIpAddress"], instance.get("PublicIpAddress"),
                    {t["Key"]: t["Value"] for t in tags})


def run_user_data(moto: Moto, region: str, script: Path, instance: Instance,
                  tags: dict[str, str], work: Path) -> tuple[int | None, str]:
    """Runs the script with bash as on first boot; work keeps state between runs."""
    work.mkdir(parents=True, exist_ok=True)
    stub = ImdsStub(instance_id=instance.instance_id, region=region,
                    availability_zone=instance.availability_zone,
                    private_ip=instance.private_ip, public_ip=instance.public_ip, tags=tags)
    with stub:
        env = {
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
            "HOME": str(work),
            **AWS_ENV,
            "AWS_DEFAULT_REGION": region,
            "TOPOFORM_IMDS_ENDPOINT": stub.endpoint,
            "TOPOFORM_AWS_ENDPOINT": moto.endpoint,
            "TOPOFORM_STATE_DIR": str(work / "state"),
            "TOPOFORM_LOG": str(work / "topoform.log"),
            "TOPOFORM_PER_BOOT_DIR": str(work / "per-boot"),
            "TOPOFORM_RETRY_PAUSE": "0",
        }
        code, output = run_bounded(["bash", script], env, work, USERDATA_TIMEOUT_SECONDS)
    log = work / "topoform.log"
    if log.exists():
        output += f"\n--- {log}\n" + log.read_text(errors="replace")
    return code, output


def user_data_effects(moto: Moto, region: str, instance: Instance) -> list[Result]:
    """What the script must have done in AWS, as told by the instance's tags."""
    results = []
    tags = instance.tags
    public_ips = {instance.public_ip} - {None}
    if "allocation-id" in tags:
        address = moto.aws(region, "ec2", "describe-addresses", "--allocation-ids",
                           tags["allocation-id"])["Addresses"][0]
        public_ips.add(address.get("PublicIp"))
        results.append(Result(f"EIP {tags['allocation-id']} associated",
                              same("InstanceId", instance.instance_id, address.get("InstanceId"))))
    if "topoform:dns-zone-id" in tags and "topoform:dns-record" in tags:
        wanted = {"private": {instance.private_ip}, "public": public_ips}.get(
            tags.get("topoform:dns-ip", ""), public_ips | {instance.private_ip})
        record = find_record(moto, tags["topoform:dns-record"], "A",
                             zone=tags["topoform:dns-zone-id"])
        results.append(record_result(f"DNS A {tags['topoform:dns-record']}", record, wanted))
    if "topoform:failover-record" in tags:
        record = find_record(moto, tags["topoform:failover-record"], "A",
                             set_identifier=tags.get("topoform:failover-set-id"))
        problems = [] if record is None else same("Failover", "PRIMARY", record.get("Failover"))
        result = record_result(f"failover A {tags['topoform:failover-record']}", record, public_ips)
        results.append(Result(result.aspect, result.problems + problems, result.note))
    return results


def find_record(moto: Moto, name: str, kind: str, zone: str | None = None,
                set_identifier: str | None = None) -> dict[str, Any] | None:
    """A record set by name and type, in the given zone or in any zone."""
    if zone is None:
        listed = moto.aws(DEFAULT_REGION, "route53", "list-hosted-zones")["HostedZones"]
        zones = [z["Id"].rsplit("/", 1)[-1] for z in listed]
    else:
        zones = [zone]
    for zone_id in zones:
        records = moto.aws(DEFAULT_REGION, "route53", "list-resource-record-sets",
                           "--hosted-zone-id", zone_id)["ResourceRecordSets"]
        for record in records:
            if (normal_name(record["Name"]) == normal_name(name) and record["Type"] == kind
                    and (set_identifier is None or record.get("SetIdentifier") == set_identifier)):
                return record
    return None


def record_result(aspect: str, record: dict[str, Any] | None, wanted: set[str]) -> Result:
    if record is None:
        return Result(aspect, ["no such record"])
    values = sorted(r["Value"] for r in record.get("ResourceRecords", []))
    ok = len(values) == 1 and values[0] in wanted
    return Result(aspect, [] if ok else [f"values {values}, wanted one of {sorted(wanted)}"],
                  values[0] if ok else "")


def check_user_data_runs(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                         work: Path) -> None:
    for group_name, group in sorted(stack.resources.items()):
        if group["Type"] != ASG or group_name not in stack.physical:
            continue
        templates = sorted(n for n in references(group.get("Properties", {}))
                           if stack.resources.get(n, {}).get("Type") == LAUNCH_TEMPLATE)
        for template_name in templates:
            text = user_data_text(stack.original["Resources"][template_name])
            script = script_with_text(fixture, text) if text is not None else None
            if script is not None:
                run_group_user_data(report, fixture, moto, stack, group_name, script,
                                    work / group_name)


def run_group_user_data(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                        group_name: str, script: Path, work: Path) -> None:
    check = f"user-data run {stack.name}/{group_name}"
    try:
        instance = group_instance(moto, stack.region, stack.physical[group_name])
    except (AwsError, LookupError) as e:
        report.fail(fixture.name, f"{check} instance", str(e))
        return
    if instance is None:
        report.fail(fixture.name, f"{check} instance", "moto launched no instance")
        return
    report.ok(fixture.name, f"{check} instance",
              f"{instance.instance_id} runs userdata/{script.name}")
    for attempt in ("boot", "reboot"):  # the same state dir: a second run must succeed too
        code, output = run_user_data(moto, stack.region, script, instance, instance.tags,
                                     work / "positive")
        if not report.expect(fixture.name, f"{check} {attempt} exit 0",
                             [] if code == 0 else [f"exit {code}"], output):
            return
        try:
            effects = user_data_effects(moto, stack.region, instance)
        except (AwsError, LookupError) as e:
            report.fail(fixture.name, f"{check} {attempt} effects", str(e), output)
            return
        for result in effects:
            report.expect(fixture.name, f"{check} {attempt} {result.aspect}", result.problems,
                          output, result.note)
    if "allocation-id" in instance.tags:
        tags = {k: v for k, v in instance.tags.items() if k != "allocation-id"}
        code, output = run_user_data(moto, stack.region, script, instance, tags, work / "negative")
        report.expect(fixture.name, f"{check} without allocation-id fails",
                      [] if code not in (0, None) else [f"exit {code}"], output)
        report.expect(fixture.name, f"{check} without allocation-id says so",
                      [] if "allocation-id" in output else ["output does not mention allocation-id"],
                      output)


# --------------------------------------------------------------------------- driver


def validate(report: Report, fixture: Fixture, moto: Moto, modelled: set[str], work: Path) -> None:
    for path, template in fixture.templates.items():
        check_cfn_lint(report, fixture, path)
        check_suppressions(report, fixture, path, template)
    if fixture.templates:
        check_checkov(report, fixture)
    for script in fixture.scripts:
        check_shell(report, fixture, script)
    check_user_data(report, fixture)
    moto.reset()
    world = World(moto)
    for path in fixture.templates:
        stack = deploy(report, fixture, moto, world, modelled, path, work)
        if stack is None:
            continue
        try:
            check_outputs(report, fixture, moto, stack)
        except (AwsError, LookupError) as e:
            report.fail(fixture.name, f"moto {stack.name} outputs", str(e))
        check_described(report, fixture, moto, stack)
        check_user_data_runs(report, fixture, moto, stack, work / stack.name)


def main(argv: list[str]) -> int:
    if not argv or any(a.startswith("-") for a in argv):
        print("usage: validate.py OUT_DIR [OUT_DIR ...]", file=sys.stderr)
        return 2
    report = Report()
    missing = missing_tools()
    if missing:
        report.fail("-", "tools", "missing (run .ci/tools.sh): " + ", ".join(missing))
        return report.summary()
    fixtures = [load_fixture(report, Path(arg)) for arg in sorted(argv)]
    try:
        modelled = moto_modelled_types()
        moto = Moto()
    except AwsError as e:
        report.fail("-", "moto", str(e))
        return report.summary()
    with moto, tempfile.TemporaryDirectory(prefix="topoform-validate-") as tmp:
        for index, fixture in enumerate(fixtures):
            work = Path(tmp) / f"{index}-{fixture.name}"
            work.mkdir()
            validate(report, fixture, moto, modelled, work)
    return report.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
