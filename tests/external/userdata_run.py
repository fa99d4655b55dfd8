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
"""

from __future__ import annotations

import os
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
    instance_id = sorted(m["InstanceId"] for m in launched)[0]
    reservations = moto.aws(region, "ec2", "describe-instances", "--instance-ids",
                            instance_id)["Reservations"]
    instance = reservations[0]["Instances"][0]
    tags = moto.aws(region, "ec2", "describe-tags", "--filters",
                    f"Name=resource-id,Values={instance_id}")["Tags"]
    return Instance(instance_id, instance["Placement"]["AvailabilityZone"],
                    instance["PrivateIpAddress"], instance.get("PublicIpAddress"),
                    {t["Key"]: t["Value"] for t in tags})


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
               work: Path) -> Run:
    """Runs the script as the instance would."""
    work.mkdir(parents=True, exist_ok=True)
    stubs, calls = stub_os_commands(work)
    calls.unlink(missing_ok=True)
    stub = ImdsStub(instance_id=instance.instance_id, region=region,
                    availability_zone=instance.availability_zone, private_ip=instance.private_ip,
                    public_ip=instance.public_ip, tags=tags)
    with stub:
        env = AWS_ENV | {
            "PATH": os.pathsep.join([str(stubs), str(VENV_BIN),
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
        try:
            results = effects(moto, stack.region, instance)
        except (AwsError, LookupError) as e:
            report.fail(fixture.name, f"{check} {boot} effects", str(e), run.output)
            return
        for result in results:
            report.expect(fixture.name, f"{check} {boot} {result.aspect}", result.problems,
                          run.output, result.note)
    if ALLOCATION_TAG in instance.tags:
        tags = {k: v for k, v in instance.tags.items() if k != ALLOCATION_TAG}
        run = run_script(moto, stack.region, script, instance, tags, work / "negative")
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} fails",
                      exit_problems(run.code, want_success=False), run.output)
        named = ALLOCATION_TAG in run.output
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} says so",
                      [] if named else [f"output does not name {ALLOCATION_TAG}"], run.output)
