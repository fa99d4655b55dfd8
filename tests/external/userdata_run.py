"""Running user-data scripts for real against moto (check 7 of validate.py).

For every Auto Scaling group of a deployed stack whose launch template carries
one of the fixture's userdata/*.sh, the instance moto launched for the group
(moto is asked for one if the group is empty) is served by a local IMDSv2 stub
with its id, region, AZ, IPs and tags, and the script runs with bash under the
environment contract the generator writes the scripts against:

    TOPOFORM_IMDS_ENDPOINT  the stub, instead of 169.254.169.254
    TOPOFORM_AWS_ENDPOINT   moto, for `aws --endpoint-url`
    TOPOFORM_STATE_DIR, TOPOFORM_PER_BOOT_DIR, TOPOFORM_LOG   under a temp dir
    TOPOFORM_RETRY_PAUSE=0  no sleeping between retries

Commands that would change the machine running the checks rather than an
instance (package and service managers, reboot) are stubs that only record
their calls, which are reported.

It must exit 0 twice in a row (the second run is the next boot, same state
dir), leaving what the instance's tags ask for: the `allocation-id` Elastic IP
associated with the instance, the `topoform:dns-record` A record in
`topoform:dns-zone-id` pointing at its `topoform:dns-ip` (public|private)
address, the `topoform:failover-record` PRIMARY failover A record (set id
`topoform:failover-set-id`, in `topoform:failover-zone-id` if given, with health
check `topoform:failover-health-check-id` if given) at its public address.
Without the allocation-id tag it must fail and say so.

The same goes for every AWS::EC2::Instance launched from a launch template that
carries one of the userdata/*.sh (a fleet's clients), with what a fleet's
script must do besides: before it runs, each SSM parameter the instance's IAM
policy lets it read (ssm:GetParameter on parameter/FLEET/CLIENT/NAME) is put
into moto as a SecureString with a value full of shell metacharacters. The
bootstrap command (the script's BOOTSTRAP words) decides what success means,
since the command itself lives in the AMI:

* a bare command name gets a recording stub first on PATH: both boots exit 0,
  the stub ran exactly once (first boot only), with each parameter exported
  byte for byte and TOPOFORM_CLIENT_ID set;
* an absolute path cannot be stubbed without writing outside the temp dir: the
  script must fail naming the missing command, after having read every
  parameter (logged) and UPSERTed its record.

Either way the private A record must point at the instance, and without the
client-id tag the script must fail and say so.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    ASG, AWS_ENV, DEFAULT_REGION, LAUNCH_TEMPLATE, VENV_BIN, Fixture, Report, Result, dns_name,
    references, run_bounded, same, user_data_text,
)
from imds_stub import ImdsStub
from moto_deploy import AwsError, Moto, Stack

TIMEOUT_SECONDS = 120
ALLOCATION_TAG = "allocation-id"
STUBBED_COMMANDS = ("dnf", "yum", "rpm", "systemctl", "service", "reboot", "shutdown",
                    "hostnamectl")


@dataclass
class Instance:
    instance_id: str
    availability_zone: str
    private_ip: str
    public_ip: str | None
    tags: dict[str, str]


def describe_instance(moto: Moto, region: str, instance_id: str) -> Instance:
    reservations = moto.aws(region, "ec2", "describe-instances", "--instance-ids",
                            instance_id)["Reservations"]
    instance = reservations[0]["Instances"][0]
    tags = moto.aws(region, "ec2", "describe-tags", "--filters",
                    f"Name=resource-id,Values={instance_id}")["Tags"]
    return Instance(instance_id, instance["Placement"]["AvailabilityZone"],
                    instance["PrivateIpAddress"], instance.get("PublicIpAddress"),
                    {t["Key"]: t["Value"] for t in tags})


def group_instance(moto: Moto, region: str, group: str) -> Instance | None:
    """An instance moto launched for the group, asking for one if there is none."""

    def members() -> list[dict[str, Any]]:
        return moto.aws(region, "autoscaling", "describe-auto-scaling-groups",
                        "--auto-scaling-group-names", group)["AutoScalingGroups"][0]["Instances"]

    launched = members()
    if not launched:
        moto.aws(region, "autoscaling", "set-desired-capacity", "--auto-scaling-group-name", group,
                 "--desired-capacity", "1")
        launched = members()
    if not launched:
        return None
    return describe_instance(moto, region, sorted(m["InstanceId"] for m in launched)[0])


@dataclass
class Run:
    code: int | None  # None: timed out
    output: str  # stdout and stderr, then the log
    os_calls: list[str]  # calls of the stubbed commands


def stub_os_commands(work: Path) -> tuple[Path, Path]:
    """A directory of recording stand-ins for STUBBED_COMMANDS, and the file they write."""
    stubs, calls = work / "os-stubs", work / "os-calls"
    stubs.mkdir(exist_ok=True)
    for command in STUBBED_COMMANDS:
        stub = stubs / command
        stub.write_text(f'#!/bin/sh\necho "{command} $*" >>{shlex.quote(str(calls))}\n')
        stub.chmod(0o755)
    return stubs, calls


def run_script(moto: Moto, region: str, script: Path, instance: Instance, tags: dict[str, str],
               work: Path, first_on_path: tuple[Path, ...] = ()) -> Run:
    """Runs the script as the instance would (first_on_path: more stubs)."""
    work.mkdir(parents=True, exist_ok=True)
    stubs, calls = stub_os_commands(work)
    calls.unlink(missing_ok=True)
    stub = ImdsStub(instance_id=instance.instance_id, region=region,
                    availability_zone=instance.availability_zone, private_ip=instance.private_ip,
                    public_ip=instance.public_ip, tags=tags)
    with stub:
        env = AWS_ENV | {
            "PATH": os.pathsep.join([*map(str, first_on_path), str(stubs), str(VENV_BIN),
                                     os.environ.get("PATH", os.defpath)]),
            "HOME": str(work),
            "AWS_DEFAULT_REGION": region,
            "TOPOFORM_IMDS_ENDPOINT": stub.endpoint,
            "TOPOFORM_AWS_ENDPOINT": moto.endpoint,
            "TOPOFORM_STATE_DIR": str(work / "state"),
            "TOPOFORM_LOG": str(work / "topoform.log"),
            "TOPOFORM_PER_BOOT_DIR": str(work / "per-boot"),
            "TOPOFORM_RETRY_PAUSE": "0",
        }
        code, output = run_bounded(["bash", script], env, work, TIMEOUT_SECONDS)
    log = work / "topoform.log"
    if log.exists():
        output += f"\n--- {log.name}:\n" + log.read_text(errors="replace")
    os_calls = calls.read_text().splitlines() if calls.exists() else []
    return Run(code, output, os_calls)


def exit_problems(code: int | None, want_success: bool) -> list[str]:
    if code is None:
        return [f"timed out after {TIMEOUT_SECONDS} s"]
    return [] if (code == 0) == want_success else [f"exit {code}"]


def find_record(moto: Moto, name: str, zone: str | None = None,
                set_identifier: str | None = None) -> dict[str, Any] | None:
    """An A record by name (and set identifier), in the given zone or in any."""
    if zone is None:
        listed = moto.aws(DEFAULT_REGION, "route53", "list-hosted-zones")["HostedZones"]
        zones = [z["Id"].rsplit("/", 1)[-1] for z in listed]
    else:
        zones = [zone]
    for zone_id in zones:
        records = moto.aws(DEFAULT_REGION, "route53", "list-resource-record-sets",
                           "--hosted-zone-id", zone_id)["ResourceRecordSets"]
        for record in records:
            if (dns_name(record["Name"]) == dns_name(name) and record["Type"] == "A"
                    and set_identifier in (None, record.get("SetIdentifier"))):
                return record
    return None


def record_result(aspect: str, record: dict[str, Any] | None, wanted: set[str],
                  **expected: str) -> Result:
    """Whether the record exists with a single value among wanted (and the expected fields)."""
    if record is None:
        return Result(aspect, ["no such record"])
    values = sorted(r["Value"] for r in record.get("ResourceRecords", []))
    problems = [] if len(values) == 1 and values[0] in wanted else [
        f"values {values}, wanted one of {sorted(wanted)}"]
    for key, value in expected.items():
        problems += same(key, value, record.get(key))
    return Result(aspect, problems, ", ".join(values))


def effects(moto: Moto, region: str, instance: Instance) -> list[Result]:
    """What the script must have done in AWS, as told by the instance's tags."""
    tags = instance.tags
    results = []
    # Before the association the public address is moto's; after it, the EIP's.
    public_ips = {instance.public_ip} - {None}
    if ALLOCATION_TAG in tags:
        address = moto.aws(region, "ec2", "describe-addresses", "--allocation-ids",
                           tags[ALLOCATION_TAG])["Addresses"][0]
        public_ips.add(address["PublicIp"])
        results.append(Result(f"EIP {tags[ALLOCATION_TAG]} associated",
                              same("InstanceId", instance.instance_id, address.get("InstanceId"))))
    if "topoform:dns-zone-id" in tags and "topoform:dns-record" in tags:
        wanted = {"private": {instance.private_ip}, "public": public_ips}.get(
            tags.get("topoform:dns-ip", ""), public_ips | {instance.private_ip})
        name = tags["topoform:dns-record"]
        record = find_record(moto, name, zone=tags["topoform:dns-zone-id"])
        results.append(record_result(f"DNS A {name}", record, wanted))
    if "topoform:failover-record" in tags:
        name = tags["topoform:failover-record"]
        record = find_record(moto, name, zone=tags.get("topoform:failover-zone-id"),
                             set_identifier=tags.get("topoform:failover-set-id"))
        expected = {"Failover": "PRIMARY"}
        if "topoform:failover-health-check-id" in tags:
            expected["HealthCheckId"] = tags["topoform:failover-health-check-id"]
        results.append(record_result(f"failover A {name}", record, public_ips, **expected))
    return results


def check_user_data_runs(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                         work: Path) -> None:
    """Check 7 for one deployed stack."""
    for group_name, group in sorted(stack.resources.items()):
        if group["Type"] != ASG or not stack.physical.get(group_name):
            continue
        templates = sorted(n for n in references(group.get("Properties", {}))
                           if stack.resources.get(n, {}).get("Type") == LAUNCH_TEMPLATE)
        for template_name in templates:
            text = user_data_text(stack.original["Resources"][template_name])
            script = fixture.script_with_text(text) if text is not None else None
            if script is not None:
                run_group_user_data(report, fixture, moto, stack, group_name, script,
                                    work / group_name)
    check_instance_user_data_runs(report, fixture, moto, stack, work)


def check_effects(report: Report, fixture: Fixture, moto: Moto, region: str,
                  instance: Instance, label: str, output: str) -> bool:
    """Reports what a run did in moto (EIP, records); False if it cannot be read."""
    try:
        results = effects(moto, region, instance)
    except (AwsError, LookupError) as e:
        report.fail(fixture.name, f"{label} effects", str(e), output)
        return False
    for result in results:
        report.expect(fixture.name, f"{label} {result.aspect}", result.problems, output,
                      result.note)
    return True


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
    for boot in ("boot", "reboot"):
        run = run_script(moto, stack.region, script, instance, instance.tags, work / "positive")
        if run.os_calls:
            report.note(fixture.name, f"{check} {boot}: stubbed: {'; '.join(run.os_calls)}")
        if not report.expect(fixture.name, f"{check} {boot} exit 0",
                             exit_problems(run.code, want_success=True), run.output):
            return
        if not check_effects(report, fixture, moto, stack.region, instance, f"{check} {boot}",
                             run.output):
            return
    if ALLOCATION_TAG in instance.tags:
        tags = {k: v for k, v in instance.tags.items() if k != ALLOCATION_TAG}
        run = run_script(moto, stack.region, script, instance, tags, work / "negative")
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} fails",
                      exit_problems(run.code, want_success=False), run.output)
        named = ALLOCATION_TAG in run.output
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} says so",
                      [] if named else [f"output does not name {ALLOCATION_TAG}"], run.output)
    check_hostile_tags(report, fixture, moto, stack.region, check, script, instance, work)


def check_hostile_tags(report: Report, fixture: Fixture, moto: Moto, region: str, check: str,
                       script: Path, instance: Instance, work: Path) -> None:
    """Each tag the script reads, set in turn to a command substitution: the
    script must refuse the value (exit non-zero) and run nothing."""
    text = script.read_text()
    for key in sorted(k for k in instance.tags if f" {k} " in text):
        marker = work / "hostile" / f"pwned-{key.replace(':', '_')}"
        hostile = f"$(touch {marker})`touch {marker}`;touch {marker}"
        tags = instance.tags | {key: hostile}
        run = run_script(moto, region, script, instance, tags, work / "hostile")
        problems = exit_problems(run.code, want_success=False)
        if marker.exists():
            problems.append(f"the value of {key} was executed")
        report.expect(fixture.name, f"{check} hostile {key} refused", problems, run.output)


# Fleets: instances launched from a launch template with user-data.

PARAMETER_ARN = re.compile(r":parameter(/[^\s\"*]+)$")
BOOTSTRAP_LINE = re.compile(r"^readonly BOOTSTRAP=\((.*)\)$", re.MULTILINE)
CLIENT_TAG_LINE = re.compile(r"^\s*CLIENT=\$\(required_tag (\S+) ", re.MULTILINE)
# Shell metacharacters: a parameter value must reach the bootstrap as is.
TRICKY_VALUE = "v'a\"l $(exit 3) `exit 4`; * {a,b} \\n"


def check_instance_user_data_runs(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                                  work: Path) -> None:
    """Check 7 for the stack's instances launched from a launch template with a script."""
    resources = stack.original["Resources"]
    for name, resource in sorted(stack.resources.items()):
        if resource["Type"] != "AWS::EC2::Instance" or not stack.physical.get(name):
            continue
        spec = resource.get("Properties", {}).get("LaunchTemplate", {}).get("LaunchTemplateId")
        template_name = spec.get("Ref") if isinstance(spec, dict) else None
        text = user_data_text(resources.get(template_name, {}))
        script = fixture.script_with_text(text) if text is not None else None
        if script is not None:
            run_instance_user_data(report, fixture, moto, stack, name, script, work / name)


def parameter_paths(stack: Stack, instance_name: str) -> list[str]:
    """The SSM parameters the instance may read: the ssm:GetParameter resources of the
    policies attached to the role of its instance profile, as parameter names."""
    resources = stack.original["Resources"]
    profile = resources[instance_name]["Properties"]["IamInstanceProfile"]["Ref"]
    roles = [{"Ref": role["Ref"]} for role in resources[profile]["Properties"]["Roles"]]
    paths = []
    for _, policy in sorted(resources.items()):
        props = policy.get("Properties", {})
        if policy["Type"] != "AWS::IAM::Policy" or not any(r in props["Roles"] for r in roles):
            continue
        for statement in props["PolicyDocument"]["Statement"]:
            if "ssm:GetParameter" not in statement["Action"]:
                continue
            for arn in statement.get("Resource", []):
                match = PARAMETER_ARN.search(arn["Fn::Sub"] if isinstance(arn, dict) else arn)
                if match:
                    paths.append(match[1])
    return paths


def bootstrap_stub(directory: Path, command: str, names: list[str], record: Path) -> Path:
    """An executable `command` in directory that appends its arguments and the
    environment variables `names` (plus TOPOFORM_CLIENT_ID) to record, as JSON."""
    directory.mkdir(parents=True, exist_ok=True)
    keys = [*names, "TOPOFORM_CLIENT_ID"]
    stub = directory / command
    stub.write_text(
        f"#!{VENV_BIN / 'python'}\n"
        "import json, os, sys\n"
        f"with open({str(record)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'args': sys.argv[1:], "
        f"'env': {{k: os.environ.get(k) for k in {keys!r}}}}}) + '\\n')\n")
    stub.chmod(0o755)
    return directory


def run_instance_user_data(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                           name: str, script: Path, work: Path) -> None:
    check = f"user-data run {stack.name}/{name}"
    try:
        instance = describe_instance(moto, stack.region, stack.physical[name])
        values = {path: f"{TRICKY_VALUE} {path}" for path in parameter_paths(stack, name)}
        for path, value in values.items():
            moto.aws(stack.region, "ssm", "put-parameter", "--name", path, "--type",
                     "SecureString", "--value", value, "--overwrite")
    except (AwsError, LookupError, TypeError) as e:
        report.fail(fixture.name, f"{check} instance", f"{type(e).__name__}: {e}")
        return
    report.ok(fixture.name, f"{check} instance",
              f"{instance.instance_id} runs userdata/{script.name}; "
              f"SSM parameters {', '.join(values) or 'none'}")
    text = script.read_text()
    line = BOOTSTRAP_LINE.search(text)
    words = shlex.split(line[1]) if line else []
    bare = bool(words) and "/" not in words[0]
    record = work / "bootstrap-calls"
    names = [path.rsplit("/", 1)[-1] for path in values]
    first_on_path = (bootstrap_stub(work / "bootstrap-stub", words[0], names, record),) if bare \
        else ()
    boots = ("boot", "reboot") if bare or not words else ("boot",)
    first_output = ""
    for boot in boots:
        run = run_script(moto, stack.region, script, instance, instance.tags, work / "positive",
                         first_on_path)
        first_output = first_output or run.output
        if run.os_calls:
            report.note(fixture.name, f"{check} {boot}: stubbed: {'; '.join(run.os_calls)}")
        if words and not bare:
            report.expect(fixture.name, f"{check} {boot} fails for want of {words[0]}",
                          exit_problems(run.code, want_success=False), run.output)
            report.expect(fixture.name, f"{check} {boot} names {words[0]}",
                          [] if words[0] in run.output else ["output does not name it"],
                          run.output)
        elif not report.expect(fixture.name, f"{check} {boot} exit 0",
                               exit_problems(run.code, want_success=True), run.output):
            return
        if not check_effects(report, fixture, moto, stack.region, instance, f"{check} {boot}",
                             run.output):
            return
    for path in values:
        report.expect(fixture.name, f"{check} read {path}",
                      [] if f"read {path}" in first_output else ["not logged as read"],
                      first_output)
    if bare:
        calls = [json.loads(c) for c in record.read_text().splitlines()] \
            if record.exists() else []
        problems = [] if len(calls) == 1 else [f"ran {len(calls)} times, want once"]
        if calls:
            expected = {n: v for n, v in zip(names, values.values())}
            match = CLIENT_TAG_LINE.search(text)
            client_tag = shlex.split(match[1])[0] if match else None
            expected["TOPOFORM_CLIENT_ID"] = instance.tags.get(client_tag or "")
            problems += same("arguments", words[1:], calls[0]["args"])
            problems += [f"{k}: want {v!r}, got {calls[0]['env'].get(k)!r}"
                         for k, v in expected.items() if calls[0]["env"].get(k) != v]
        report.expect(fixture.name, f"{check} bootstrap {words[0]} ran with the parameters",
                      problems, first_output)
    client = CLIENT_TAG_LINE.search(text)
    if client is not None:
        client_tag = shlex.split(client[1])[0]
        tags = {k: v for k, v in instance.tags.items() if k != client_tag}
        run = run_script(moto, stack.region, script, instance, tags, work / "negative",
                         first_on_path)
        report.expect(fixture.name, f"{check} without {client_tag} fails",
                      exit_problems(run.code, want_success=False), run.output)
        report.expect(fixture.name, f"{check} without {client_tag} says so",
                      [] if client_tag in run.output else [f"output does not name {client_tag}"],
                      run.output)
    check_hostile_tags(report, fixture, moto, stack.region, check, script, instance, work)
