"""Running user-data scripts for real against moto (check 7 of validate.py).

For every Auto Scaling group of a deployed stack whose launch template carries
one of the fixture's userdata/*.sh, the instance moto launched for the group
(moto is asked for one if the group is empty) is served by a local IMDSv2 stub
with its id, region, AZ, IPs and tags, and the script runs with bash under the
environment contract the generator writes the scripts against:

    TOPOFORM_IMDS_ENDPOINT  the stub, instead of 169.254.169.254
    AWS_ENDPOINT_URL        moto, read by the AWS CLI itself: the script runs aws
                            as on an instance, without --endpoint-url (its
                            TOPOFORM_AWS_ENDPOINT is left unset)
    AWS_ENDPOINT_URL_AUTO_SCALING   an Auto Scaling stub (autoscaling_stub.py),
                            which the AWS CLI prefers for `aws autoscaling`: no
                            Auto Scaling call of a script reaches moto
    TOPOFORM_STATE_DIR, TOPOFORM_PER_BOOT_DIR, TOPOFORM_LOG   under a temp dir
    TOPOFORM_RETRY_PAUSE=0  no sleeping between retries

Commands that would change the machine running the checks rather than an
instance (package and service managers, reboot) are stubs that only record
their calls, which are reported.

What to test comes from the contract, not from the script under test: the
tags the template puts on the group (propagated) or the instance that belong
to the user-data tag vocabulary (CONTRACT_TAGS, as src/userdata.rs defines
it), and for a fleet the topology's own [fleet.NAME] (parameters, bootstrap
words, client tag, clients). The script is then checked to agree with the
contract (the tags it reads; a fleet's tags carry the topology's bootstrap
words and parameter names), and a disagreement fails.

A script must exit 0 at first boot and again at the next boot, which runs the
per-boot copy the first boot installed (as cloud-init would), leaving what the
instance's tags ask for: the `allocation-id` Elastic IP associated with the
instance, the `topoform:dns-record` A record in `topoform:dns-zone-id` pointing
at its `topoform:dns-ip` (public|private) address, the `topoform:failover-record`
PRIMARY failover A record.

moto has no CompleteLifecycleAction and ignores a group's lifecycle hooks, so
the Auto Scaling stub plays that part: for a group whose template has an
EC2_INSTANCE_LAUNCHING hook in LifecycleHookSpecificationList, the launch
lifecycle action of (the group, the hook, the instance) is pending at first
boot, and the first boot must complete it exactly once, with CONTINUE, naming
the group its `topoform:group` tag carries (which must be the group's
AutoScalingGroupName, as the template's tag and moto's group say) and the
instance id from IMDS. At the moment the stub receives that call, moto must
already hold every effect above, and, if the topology gives the instance a
setup script, no stubbed command may have run yet (the setup runs once the
instance is in service). The reboot completes nothing (nothing is pending: the
stub refuses it, as Auto Scaling would), nor does either boot of a group
without the hook or of a fleet's client. A boot that fails must never complete
its launch with CONTINUE.

Without the allocation-id tag it must fail and say so; with each contract tag
in turn set to a command substitution it must fail because it refuses that
value (its error names the tag, the stub was asked for it) and run nothing.

A fleet's client (an AWS::EC2::Instance launched from a launch template with a
script) must besides run its bootstrap command, a real recorder script placed
where the user-data calls it: first on PATH for a bare command, and for an
absolute path at that path inside a private mount namespace
(`unshare -m --propagation private`; an overlay whose writable layer is a
tmpfs mounted there, so nothing is created outside the temp dir; if the
namespace cannot be set up that is a failure, not a skip). Each parameter the
fleet declares is put in moto as a SecureString at /FLEET/CLIENT/NAME with a
value of quotes, spaces, `$`, backquotes, newlines, a tab and Unicode
(TRICKY_VALUE), and must reach the bootstrap byte for byte; across boot and
reboot the bootstrap runs exactly once, with the topology's arguments and
TOPOFORM_CLIENT_ID = the client's tag. A missing parameter must fail the boot
naming it, and without its topoform:client tag the boot must fail naming the
tag; in neither case may the bootstrap run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autoscaling_stub import ACTION as COMPLETE_LIFECYCLE_ACTION
from autoscaling_stub import AutoScalingStub
from describe_back import Describe, Unresolved
from harness import (
    ASG, AWS_ENV, DEFAULT_REGION, LAUNCH_TEMPLATE, VENV_BIN, Fixture, Report, Result,
    dns_name, references, run_bounded, same, topology_path, user_data_text,
)
from harness import run as run_command
from imds_stub import TAGS_PATH, ImdsStub
from moto_deploy import AwsError, Moto, Stack

TIMEOUT_SECONDS = 120
ALLOCATION_TAG = "allocation-id"
GROUP_TAG = "topoform:group"
LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
# The AWS CLI's endpoint variable for Auto Scaling: AWS_ENDPOINT_URL_ and the
# service id ("Auto Scaling") upper-cased, spaces as underscores. (botocore
# ignores AWS_ENDPOINT_URL_AUTOSCALING.)
AUTOSCALING_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_AUTO_SCALING"
# The instance-tag keys that carry deploy-time values to a user-data script
# (src/userdata.rs, TAGS). topoform:instance, which backups and tasks select
# by, is also the instance's name to the script that instances share; not
# topoform:fleet, which a fleet's script has written in. A fleet's client tag
# comes from its topology.
INSTANCE_TAG = "topoform:instance"
CLIENT_TAG = "topoform:client"
BOOTSTRAP_TAG = "topoform:bootstrap"
PARAMETERS_TAG = "topoform:parameters"
CONTRACT_TAGS = (
    ALLOCATION_TAG, "topoform:dns-zone-id", "topoform:dns-record", "topoform:dns-ip",
    "topoform:failover-zone-id", "topoform:failover-record", "topoform:failover-set-id",
    "topoform:failover-health-check-id", "topoform:failover-ttl", GROUP_TAG, INSTANCE_TAG,
    # A fleet's: the client id, and the first-boot steps as words.
    CLIENT_TAG, BOOTSTRAP_TAG, PARAMETERS_TAG,
)
# Word lists past 256 characters continue in KEY-2, KEY-3, ...
CONTINUED_TAG = re.compile(r"^(topoform:(?:bootstrap|parameters))-([2-9]|[1-9][0-9]+)$")
DEFAULT_CLIENT_TAG = "ClientId"
STUBBED_COMMANDS = ("dnf", "yum", "rpm", "systemctl", "service", "reboot", "shutdown",
                    "hostnamectl")
# Only to compare the script with the contract, never to choose what to test.
SCRIPT_REQUIRED_TAG = re.compile(r"\brequired_tag ([^\s'\"$]+)")
# Every tag a script reads: required, optional (`tag KEY`) or as words.
SCRIPT_READ_TAG = re.compile(r"\b(?:required_tag|tag_words|tag) ([a-zA-Z][^\s'\"$)]+)")
# Shell metacharacters, quotes, spaces, `$`, newlines, a tab, Unicode: a
# parameter value must reach the bootstrap byte for byte. (No trailing newline:
# command substitution would strip it; no leading dash: the CLI would parse it.)
TRICKY_VALUE = ("v'a\"l $(exit 3) `exit 4`; * {a,b} $HOME ${X} \\n\\\\ \"\n"
                "second line\twith tab\n\u00fcn\u00efc\u00f8d\u00e9 \u2713 \u65e5\u672c\u8a9e")
NAMESPACE_FAILED = "topoform-validate: mount namespace setup failed"
# Run under `unshare -m --propagation private`: an overlay over the nearest
# existing ancestor of the bootstrap's directory, its writable layer a tmpfs
# mounted on a directory of ours, then the recorder copied to the bootstrap's
# path in it. Nothing of this is visible outside the namespace.
NAMESPACE_SETUP = f"""
fail() {{ echo "{NAMESPACE_FAILED}: $*" >&2; exit 97; }}
lower=$1 path=$2 recorder=$3 layer=$4
shift 4
mount -t tmpfs topoform-validate "$layer" || fail "tmpfs on $layer"
mkdir "$layer/upper" "$layer/work" || fail "mkdir in $layer"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$layer/upper,workdir=$layer/work" \\
  "$lower" || fail "overlay on $lower"
mkdir -p "$(dirname "$path")" && cp "$recorder" "$path" && chmod 0755 "$path" ||
  fail "recorder at $path"
exec "$@"
"""


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


# The bootstrap command: a recorder, placed where the script calls it.

@dataclass
class Bootstrap:
    """A recorder standing in for the bootstrap command `path` (bare or absolute)."""

    path: str
    recorder: Path  # the recording script
    record: Path  # where each call appends a JSON line
    lower: Path | None = None  # absolute path: the directory the overlay covers

    @property
    def bare(self) -> bool:
        return "/" not in self.path

    def calls(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def reset(self) -> None:
        self.record.unlink(missing_ok=True)


def make_bootstrap(work: Path, path: str, names: list[str]) -> Bootstrap:
    """A recorder of its arguments, its working directory and the environment
    variables names plus TOPOFORM_CLIENT_ID, all as hex bytes (exact)."""
    work.mkdir(parents=True, exist_ok=True)
    record = work / "bootstrap-calls"
    keys = [*names, "TOPOFORM_CLIENT_ID"]
    directory = work / "bootstrap-bin"
    directory.mkdir(exist_ok=True)
    recorder = directory / (path if "/" not in path else "bootstrap-recorder")
    recorder.write_text(
        f"#!{VENV_BIN / 'python'}\n"
        "import json, os, sys\n"
        "env = {k.decode(): v.hex() for k, v in os.environb.items()}\n"
        f"call = {{'args': [os.fsencode(a).hex() for a in sys.argv[1:]],\n"
        f"        'env': {{k: env.get(k) for k in {keys!r}}}}}\n"
        f"with open({str(record)!r}, 'a') as f:\n"
        "    f.write(json.dumps(call) + '\\n')\n")
    recorder.chmod(0o755)
    lower = None
    if "/" in path:
        lower = Path(path).parent
        while not lower.is_dir():
            lower = lower.parent
    return Bootstrap(path, recorder, record, lower)


def hex_text(value: str) -> str:
    return value.encode().hex()


def unhex(value: str | None) -> str | None:
    return None if value is None else bytes.fromhex(value).decode(errors="backslashreplace")


# Running a script.

@dataclass
class Run:
    code: int | None  # None: timed out
    output: str  # stdout and stderr, then the log
    os_calls: list[str]  # calls of the stubbed commands
    imds_requests: list[str] = field(default_factory=list)
    # Every request the Auto Scaling stub got, in order (autoscaling_stub.py)
    autoscaling_calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def namespace_failed(self) -> bool:
        return NAMESPACE_FAILED in self.output

    @property
    def completions(self) -> list[dict[str, Any]]:
        """The CompleteLifecycleAction calls, accepted or not."""
        return [c for c in self.autoscaling_calls
                if c["params"].get("Action") == COMPLETE_LIFECYCLE_ACTION]

    @property
    def continued(self) -> list[dict[str, Any]]:
        """The accepted completions that put the instance in service (CONTINUE)."""
        return [c for c in self.completions
                if c["status"] == 200 and c["params"].get("LifecycleActionResult") == "CONTINUE"]


@dataclass
class Launch:
    """The launch lifecycle action(s) Auto Scaling holds an instance of the group for."""

    group: str  # the group's name (moto's, = its AutoScalingGroupName)
    hooks: list[str]  # the template's EC2_INSTANCE_LAUNCHING hooks
    instance_id: str
    warm: bool = False  # the group has a warm pool: every start passes the hooks

    @property
    def pending(self) -> list[tuple[str, str, str]]:
        return [(self.group, hook, self.instance_id) for hook in self.hooks]


def stub_os_commands(work: Path) -> tuple[Path, Path]:
    """A directory of recording stand-ins for STUBBED_COMMANDS, and the file they write."""
    stubs, calls = work / "os-stubs", work / "os-calls"
    stubs.mkdir(exist_ok=True)
    for command in STUBBED_COMMANDS:
        stub = stubs / command
        stub.write_text(f'#!/bin/sh\necho "{command} $*" >>{shlex.quote(str(calls))}\n')
        stub.chmod(0o755)
    return stubs, calls


def namespaced(command: list[str | Path], bootstrap: Bootstrap, work: Path) -> list[str | Path]:
    """command, run in a private mount namespace with the recorder at bootstrap.path."""
    layer = work / "namespace-layer"
    layer.mkdir(exist_ok=True)
    return ["unshare", "-m", "--propagation", "private", "--", "bash", "-c", NAMESPACE_SETUP,
            "namespace-setup", str(bootstrap.lower), bootstrap.path, bootstrap.recorder, layer,
            *command]


def run_script(moto: Moto, region: str, script: Path, instance: Instance, tags: dict[str, str],
               work: Path, bootstrap: Bootstrap | None = None, with_aws: bool = True,
               launch: Launch | None = None,
               on_complete: Callable[[dict[str, str]], Any] | None = None,
               lifecycle_state: str | None = None) -> Run:
    """Runs the script as the instance would, with the bootstrap recorder in place;
    with_aws=False: on a PATH without the AWS CLI (the venv's is the only one).
    Auto Scaling calls go to a stub (never to moto) where launch's lifecycle
    actions are pending; on_complete runs when one is completed (autoscaling_stub)."""
    work.mkdir(parents=True, exist_ok=True)
    stubs, calls = stub_os_commands(work)
    calls.unlink(missing_ok=True)
    first_on_path = [str(bootstrap.recorder.parent)] if bootstrap and bootstrap.bare else []
    command: list[str | Path] = ["bash", script]
    if bootstrap is not None and not bootstrap.bare:
        command = namespaced(command, bootstrap, work)
    stub = ImdsStub(instance_id=instance.instance_id, region=region,
                    availability_zone=instance.availability_zone, private_ip=instance.private_ip,
                    public_ip=instance.public_ip, tags=tags,
                    target_lifecycle_state=lifecycle_state)
    autoscaling = AutoScalingStub(pending=launch.pending if launch else (),
                                  on_complete=on_complete)
    with stub, autoscaling:
        env = AWS_ENV | {
            "PATH": os.pathsep.join([*first_on_path, str(stubs),
                                     *([str(VENV_BIN)] if with_aws else []),
                                     system_path(with_aws)]),
            "HOME": str(work),
            "AWS_DEFAULT_REGION": region,
            "TOPOFORM_IMDS_ENDPOINT": stub.endpoint,
            # Not TOPOFORM_AWS_ENDPOINT: the script would pass it as
            # --endpoint-url, which outranks the Auto Scaling variable.
            "AWS_ENDPOINT_URL": moto.endpoint,
            AUTOSCALING_ENDPOINT_VARIABLE: autoscaling.endpoint,
            "TOPOFORM_STATE_DIR": str(work / "state"),
            "TOPOFORM_LOG": str(work / "topoform.log"),
            "TOPOFORM_PER_BOOT_DIR": str(work / "per-boot"),
            "TOPOFORM_RETRY_PAUSE": "0",
        }
        code, output = run_bounded(command, env, work, TIMEOUT_SECONDS)
    log = work / "topoform.log"
    if log.exists():
        output += f"\n--- {log.name}:\n" + log.read_text(errors="replace")
    os_calls = calls.read_text().splitlines() if calls.exists() else []
    return Run(code, output, os_calls, list(stub.requests), list(autoscaling.calls))


def exit_problems(code: int | None, want_success: bool) -> list[str]:
    if code is None:
        return [f"timed out after {TIMEOUT_SECONDS} s"]
    return [] if (code == 0) == want_success else [f"exit {code}"]


def boot_twice(report: Report, fixture: Fixture, moto: Moto, region: str, check: str,
               script: Path, instance: Instance, work: Path, per_boot: bool,
               bootstrap: Bootstrap | None = None, launch: Launch | None = None,
               setup: bool = False) -> str | None:
    """First boot runs the user-data; the reboot runs the per-boot copy it installed
    (per_boot: the contract says there is one) or else the user-data again. Both
    must exit 0 and leave the effects. The first boot must complete launch's
    lifecycle action(s) once, after the effects and before the setup (if any); the
    reboot, or without a launch either boot, completes none. The first boot's
    output, or None on failure."""
    first_output = None
    per_boot_dir = work / "per-boot"
    for boot in ("boot", "reboot"):
        target = script
        if boot == "reboot" and per_boot:
            installed = sorted(per_boot_dir.glob("*")) if per_boot_dir.is_dir() else []
            same_bytes = [p for p in installed if p.read_bytes() == script.read_bytes()]
            if not report.expect(fixture.name, f"{check} boot installed its per-boot copy",
                                 [] if len(installed) == 1 and same_bytes else
                                 [f"per-boot dir holds {[p.name for p in installed]}, want one "
                                  "byte-identical copy of the script"], first_output or ""):
                return None
            target = installed[0]
        pending = launch if boot == "boot" else None

        def observe(_params: dict[str, str]) -> dict[str, Any]:
            return observe_at_completion(moto, region, instance, work / "os-calls")

        run = run_script(moto, region, target, instance, instance.tags, work, bootstrap,
                         launch=pending, on_complete=observe if pending else None)
        first_output = first_output if first_output is not None else run.output
        if run.namespace_failed:
            report.fail(fixture.name, f"{check} {boot} mount namespace",
                        "could not place the bootstrap recorder", run.output)
            return None
        if run.os_calls:
            report.note(fixture.name, f"{check} {boot}: stubbed: {'; '.join(run.os_calls)}")
        if pending is not None:
            check_launch_completed(report, fixture, f"{check} {boot}", run, pending, setup)
        elif launch is not None and launch.warm:
            check_refused_only(report, fixture, f"{check} {boot}", run)
        else:
            check_no_completion(report, fixture, f"{check} {boot}", run,
                                "the launch again" if launch else "no launch lifecycle action")
        if not report.expect(fixture.name, f"{check} {boot} exit 0",
                             exit_problems(run.code, want_success=True), run.output):
            return None
        if not check_effects(report, fixture, moto, region, instance, f"{check} {boot}",
                             run.output):
            return None
    if launch is not None and launch.warm and per_boot:
        if not warm_runs(report, fixture, moto, region, check, script, instance, work, launch):
            return None
    return first_output


def warm_runs(report: Report, fixture: Fixture, moto: Moto, region: str, check: str,
              script: Path, instance: Instance, work: Path, launch: Launch) -> bool:
    """A group with a warm pool: each morning's start from the pool runs the
    per-boot copy with the launch action pending again, which it must complete
    after its effects; and an instance launched into the pool (target state
    Warmed:Stopped) must complete its action without taking the address or
    writing a record, which the live instance holds."""
    installed = sorted((work / "per-boot").glob("*"))
    if len(installed) != 1:
        report.fail(fixture.name, f"{check} warm start", "no per-boot copy to start with")
        return False

    def observe(_params: dict[str, str]) -> dict[str, Any]:
        return observe_at_completion(moto, region, instance, work / "os-calls")

    run = run_script(moto, region, installed[0], instance, instance.tags, work, launch=launch,
                     on_complete=observe, lifecycle_state="InService")
    check_launch_completed(report, fixture, f"{check} warm start", run, launch, False)
    if not report.expect(fixture.name, f"{check} warm start exit 0",
                         exit_problems(run.code, want_success=True), run.output):
        return False
    fresh = work.parent / f"{work.name}-warm-launch"
    run = run_script(moto, region, script, instance, instance.tags, fresh, launch=launch,
                     lifecycle_state="Warmed:Stopped")
    # Into the pool: nothing to wait for, and the setup runs first (the
    # instance is stopped once the action is complete).
    check_launch_completed(report, fixture, f"{check} warm launch", run, launch, False,
                           after_effects=False)
    took = [line for line in run.output.splitlines()
            if "associating Elastic IP" in line or "UPSERT " in line]
    report.expect(fixture.name, f"{check} warm launch takes no address and writes no record",
                  [f"it did: {took}"] if took else [], run.output)
    return report.expect(fixture.name, f"{check} warm launch exit 0",
                         exit_problems(run.code, want_success=True), run.output)


def check_refused_only(report: Report, fixture: Fixture, label: str, run: Run) -> None:
    """A warm group's per-boot copy tries to complete the launch at every boot;
    at a plain reboot nothing is pending, and Auto Scaling's refusal ("No active
    Lifecycle Action") is all it may get: no call accepted, none other."""
    calls = run.autoscaling_calls
    wrong = [call_text(c) for c in calls
             if c["status"] == 200 or "No active Lifecycle Action" not in str(c.get("message"))]
    report.expect(fixture.name, f"{label} completes nothing (a refused call is tolerated)",
                  [f"Auto Scaling calls: {wrong}"] if wrong else [], run.output,
                  note=f"{len(calls)} refused call(s)")


# The launch lifecycle action.

def observe_at_completion(moto: Moto, region: str, instance: Instance,
                          os_calls: Path) -> dict[str, Any]:
    """What holds when the script completes the launch: its effects in moto (or
    why they cannot be read) and the stubbed commands called so far."""
    try:
        found: list[Result] | str = effects(moto, region, instance)
    except (AwsError, LookupError) as e:
        found = f"{type(e).__name__}: {e}"
    return {"effects": found,
            "os_calls": os_calls.read_text().splitlines() if os_calls.exists() else []}


def call_text(call: dict[str, Any]) -> str:
    params = call["params"]
    outcome = "accepted" if call["status"] == 200 else f"{call['error']}: {call.get('message')}"
    return (f"#{call['seq']} {params.get('Action')} hook={params.get('LifecycleHookName')} "
            f"group={params.get('AutoScalingGroupName')} instance={params.get('InstanceId')} "
            f"result={params.get('LifecycleActionResult')} ({outcome})")


def check_launch_completed(report: Report, fixture: Fixture, label: str, run: Run,
                           launch: Launch, setup: bool, after_effects: bool = True) -> None:
    """The first boot completed each pending lifecycle action exactly once, with
    CONTINUE, for its group and instance; when it did, its effects held already
    and (setup) no stubbed command of the setup had run yet."""
    calls = "\n".join(call_text(c) for c in run.autoscaling_calls)
    details = f"Auto Scaling stub calls:\n{calls or '(none)'}\n{run.output}"
    completions = run.completions
    problems = []
    others = [c for c in run.autoscaling_calls if c not in completions]
    if others:
        problems.append(f"other Auto Scaling calls: {[call_text(c) for c in others]}")
    if len(completions) != len(launch.hooks):
        problems.append(f"{len(completions)} CompleteLifecycleAction calls, want "
                        f"{len(launch.hooks)} (one per launch hook: {', '.join(launch.hooks)})")
    expected = {"AutoScalingGroupName": launch.group, "InstanceId": launch.instance_id,
                "LifecycleActionResult": "CONTINUE"}
    for call in completions:
        params = call["params"]
        wrong = [f"{key} {params.get(key)!r}, want {value!r}" for key, value in expected.items()
                 if params.get(key) != value]
        if params.get("LifecycleHookName") not in launch.hooks:
            wrong.append(f"LifecycleHookName {params.get('LifecycleHookName')!r}, want one of "
                         f"{launch.hooks}")
        if call["status"] != 200:
            wrong.append(f"refused: {call['error']}: {call.get('message')}")
        if wrong:
            problems.append(f"call #{call['seq']}: {'; '.join(wrong)}")
    accepted = [c for c in completions if c["status"] == 200]
    left = sorted({h for g, h, i in launch.pending} -
                  {c["params"].get("LifecycleHookName") for c in accepted})
    if left:
        problems.append(f"left pending: {', '.join(left)}")
    report.expect(fixture.name, f"{label} completes its launch", problems, details,
                  note=f"{', '.join(launch.hooks)} of {launch.group} for {launch.instance_id}: "
                       "CONTINUE")
    if not accepted:
        return  # nothing to compare the order with: the check above failed
    for call in accepted if after_effects else []:
        observed = call.get("observed") or {}
        found = observed.get("effects", "not observed")
        if isinstance(found, str):
            problems = [f"could not read moto at the completion: {found}"]
        else:
            problems = [f"at the completion, {r.aspect}: {'; '.join(r.problems)}"
                        for r in found if r.problems]
        report.expect(fixture.name, f"{label} completes its launch after its effects",
                      problems, details,
                      note="; ".join(r.aspect for r in found) if not isinstance(found, str)
                      and found else "no effect to wait for")
        if not setup:
            continue
        before = observed.get("os_calls", [])
        name = f"{label} completes its launch before its setup"
        if before:
            report.fail(fixture.name, name, f"the setup had already run: {'; '.join(before)}",
                        details)
        elif not run.os_calls:
            report.not_verified(fixture.name, name, "the setup calls no stubbed command: its "
                                "order cannot be observed")
        else:
            report.ok(fixture.name, name, f"then: {'; '.join(run.os_calls)}")


def check_no_completion(report: Report, fixture: Fixture, label: str, run: Run,
                        what: str) -> None:
    """No Auto Scaling call at all (nothing is pending: any would fail on AWS)."""
    calls = [call_text(c) for c in run.autoscaling_calls]
    report.expect(fixture.name, f"{label} completes {what}" if what.startswith("no ") else
                  f"{label} does not complete {what}",
                  [f"Auto Scaling calls: {calls}"] if calls else [], run.output)


def continued_problems(run: Run) -> list[str]:
    """A failed boot must not put the instance in service."""
    return [f"it completed its launch although the boot failed: {call_text(c)}"
            for c in run.continued]


def system_path(with_aws: bool = True) -> str:
    """This process's PATH without the venv (which CI puts first); with_aws=False:
    without any directory that holds an `aws` (a pyenv shim, say), either."""
    entries = [e for e in os.environ.get("PATH", os.defpath).split(os.pathsep)
               if e and Path(e).resolve() != VENV_BIN.resolve()]
    if not with_aws:
        entries = [e for e in entries if not shutil.which("aws", path=e)]
    return os.pathsep.join(entries)


def check_missing_cli(report: Report, fixture: Fixture, moto: Moto, region: str, check: str,
                      script: Path, instance: Instance, work: Path,
                      bootstrap: Bootstrap | None = None, launch: Launch | None = None) -> None:
    """On an image without the AWS CLI the boot stops at once, naming it."""
    name = f"{check} without the AWS CLI"
    lacking = [c for c in ("bash", "curl") if not shutil.which(c, path=system_path(False))]
    if lacking:
        report.not_verified(fixture.name, name, "no PATH without the AWS CLI has bash and curl",
                            "check", ", ".join(lacking))
        return
    if bootstrap is not None:
        bootstrap.reset()
    run = run_script(moto, region, script, instance, instance.tags, work, bootstrap,
                     with_aws=False, launch=launch)
    problems = exit_problems(run.code, want_success=False) + continued_problems(run)
    if not any("not installed" in line and "aws" in line for line in run.output.splitlines()):
        problems.append("no error says the AWS CLI (aws) is not installed")
    if bootstrap is not None and bootstrap.calls():
        problems.append("the bootstrap ran")
    report.expect(fixture.name, f"{name} stops and says so", problems, run.output)


def error_names(output: str, name: str) -> bool:
    """Whether an error line of the output names name."""
    return any(name in line for line in output.splitlines() if "error" in line.lower())


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


# The contract, and the script's agreement with it.

def contract_tags(tags: dict[str, str]) -> list[str]:
    """The tags of the template's instance (or group) that the user-data must read."""
    return sorted(k for k in tags if k in CONTRACT_TAGS or CONTINUED_TAG.match(k))


def tag_words(tags: dict[str, str], key: str) -> list[str]:
    """The words of a word-list tag and its continuations, as the script joins them."""
    values = [tags.get(key, "")]
    n = 2
    while f"{key}-{n}" in tags:
        values.append(tags[f"{key}-{n}"])
        n += 1
    return " ".join(v for v in values if v).split()


def check_script_agrees(report: Report, fixture: Fixture, check: str, script: Path,
                        tags: list[str], exact: bool = True) -> bool:
    """The script reads every tag the contract gives it; exact: it requires exactly
    those (an instance's script is written for its instance). A fleet's script is
    the same for every fleet: it reads tags the template may not set (an optional
    record, the first-boot words), and must only read all those it does set."""
    text = script.read_text()
    given = sorted({CONTINUED_TAG.sub(r"\1", t) for t in tags})
    problems = []
    if exact:
        read = sorted(set(SCRIPT_REQUIRED_TAG.findall(text)))
        if given != read:
            problems.append(f"the template sets tags {given} for it, the script requires "
                            f"{read}")
    else:
        read = sorted(set(SCRIPT_READ_TAG.findall(text)))
        unread = [t for t in given if t not in read]
        if unread:
            problems.append(f"the template sets tags {unread} for it, which the script never "
                            f"reads (it reads {read})")
    return report.expect(fixture.name, f"{check} script agrees with the contract", problems,
                         note=f"tags {', '.join(tags) or 'none'}")


def check_hostile_tags(report: Report, fixture: Fixture, moto: Moto, region: str, check: str,
                       script: Path, instance: Instance, tags: list[str], work: Path,
                       bootstrap: Bootstrap | None = None, launch: Launch | None = None) -> None:
    """Each contract tag in turn set to a command substitution, everything else as in
    the positive runs (IMDS stub, parameters, bootstrap): the script must refuse the
    value (fail, the error naming the tag, which it asked the stub for), execute
    nothing of it, run no bootstrap and not complete its launch."""
    for n, key in enumerate(tags):
        slug = key.replace(":", "_")
        # The marker's name must not contain the key: an error quoting the value
        # would then seem to name the tag.
        marker = work / "hostile" / f"pwned-{n}"
        hostile = f"$(touch {marker})`touch {marker}`;touch {marker}"
        if bootstrap is not None:
            bootstrap.reset()
        run = run_script(moto, region, script, instance, instance.tags | {key: hostile},
                         work / "hostile" / slug, bootstrap, launch=launch)
        problems = exit_problems(run.code, want_success=False) + continued_problems(run)
        if run.namespace_failed:
            problems.append("the mount namespace could not be set up")
        if marker.exists():
            problems.append(f"the value of {key} was executed")
        if f"GET {TAGS_PATH}/{key}" not in run.imds_requests:
            problems.append(f"the script never asked the IMDS stub for tag {key}")
        if not error_names(run.output, key):
            problems.append(f"no error names {key}: it failed for another reason")
        if bootstrap is not None and bootstrap.calls():
            problems.append("the bootstrap ran")
        report.expect(fixture.name, f"{check} hostile {key} refused", problems, run.output)


# Auto Scaling groups.

def check_user_data_runs(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                         work: Path, groups: int | None = None) -> None:
    """Check 7 for one deployed stack; with `groups`, for that many of its
    Auto Scaling groups (the first by name) and not the others."""
    ran = 0
    for group_name, group in sorted(stack.resources.items()):
        if group["Type"] != ASG or not stack.physical.get(group_name):
            continue
        if groups is not None and ran >= groups:
            report.not_verified(fixture.name, f"user-data run {stack.name}/{group_name}",
                                f"sampled out: {groups} group(s) per nested stack run their "
                                "user-data (the scripts differ only in the block's name)", "group")
            continue
        ran += 1
        templates = sorted(n for n in references(group.get("Properties", {}))
                           if stack.resources.get(n, {}).get("Type") == LAUNCH_TEMPLATE)
        for template_name in templates:
            text = user_data_text(stack.original["Resources"][template_name])
            script = fixture.script_with_text(text) if text is not None else None
            if script is not None:
                run_group_user_data(report, fixture, moto, stack, group_name, script,
                                    work / group_name)
    check_instance_user_data_runs(report, fixture, moto, stack, work)


def run_group_user_data(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                        group_name: str, script: Path, work: Path) -> None:
    check = f"user-data run {stack.name}/{group_name}"
    original = stack.original["Resources"][group_name].get("Properties", {})
    propagated = {t["Key"]: t["Value"] for t in original.get("Tags", [])
                  if str(t.get("PropagateAtLaunch")).lower() == "true"}
    tags = contract_tags(propagated)
    check_script_agrees(report, fixture, check, script, tags)
    try:
        instance = group_instance(moto, stack.region, stack.physical[group_name])
    except (AwsError, LookupError) as e:
        report.fail(fixture.name, f"{check} instance", str(e))
        return
    if instance is None:
        report.fail(fixture.name, f"{check} instance", "moto launched no instance")
        return
    missing = [k for k in tags if k not in instance.tags]
    if not report.expect(fixture.name, f"{check} instance",
                         [f"moto's instance lacks tags {missing}"] if missing else [],
                         note=f"{instance.instance_id} runs userdata/{script.name}"):
        return
    launch = launch_contract(report, fixture, moto, stack, group_name, check, instance)
    setup = launch is not None and instance_setup(report, fixture, check,
                                                  str(propagated.get(INSTANCE_TAG, "")))
    # Every instance's script reads its name; any other tag is a step that
    # calls AWS (an Elastic IP, records, the launch hook), run at every boot.
    steps = [t for t in tags if t != INSTANCE_TAG]
    if boot_twice(report, fixture, moto, stack.region, check, script, instance,
                  work / "positive", per_boot=bool(steps), launch=launch, setup=setup) is None:
        return
    if ALLOCATION_TAG in tags:
        without = {k: v for k, v in instance.tags.items() if k != ALLOCATION_TAG}
        run = run_script(moto, stack.region, script, instance, without, work / "negative",
                         launch=launch)
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} fails",
                      exit_problems(run.code, want_success=False) + continued_problems(run),
                      run.output)
        report.expect(fixture.name, f"{check} without {ALLOCATION_TAG} says so",
                      [] if error_names(run.output, ALLOCATION_TAG) else
                      [f"no error names {ALLOCATION_TAG}"], run.output)
    if steps:  # it calls AWS: an Elastic IP, DNS or failover records
        check_missing_cli(report, fixture, moto, stack.region, check, script, instance,
                          work / "no-aws", launch=launch)
    check_hostile_tags(report, fixture, moto, stack.region, check, script, instance, tags, work,
                       launch=launch)


def launch_contract(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                    group_name: str, check: str, instance: Instance) -> Launch | None:
    """The group's launch lifecycle hooks (LifecycleHookSpecificationList), None
    without one. With a hook or a GROUP_TAG, a check that the tag the template
    propagates, the group's AutoScalingGroupName, moto's group and the tag the
    instance carries all name the same group: the script learns its group there."""
    props = stack.original["Resources"][group_name].get("Properties", {})
    hooks = sorted(str(h.get("LifecycleHookName"))
                   for h in props.get("LifecycleHookSpecificationList", [])
                   if h.get("LifecycleTransition") == LAUNCHING)
    group = stack.physical[group_name]
    tag = next((t for t in props.get("Tags", []) if t.get("Key") == GROUP_TAG), None)
    if not hooks and tag is None:
        return None
    problems = []
    describe = Describe(moto, stack)
    named = {"AutoScalingGroupName": props.get("AutoScalingGroupName")}
    if tag is None:
        problems.append(f"the template gives the group no {GROUP_TAG} tag")
    else:
        named[f"tag {GROUP_TAG}"] = tag.get("Value")
        if str(tag.get("PropagateAtLaunch")).lower() != "true":
            problems.append(f"the tag {GROUP_TAG} does not propagate at launch")
    for what, value in named.items():
        if value is None:
            continue
        try:
            resolved = describe.value(value)
        except (Unresolved, AwsError, LookupError) as e:
            problems.append(f"cannot resolve the template's {what} {value}: {e}")
            continue
        if resolved != group:
            problems.append(f"the template's {what} is {resolved!r}, moto's group {group!r}")
    if instance.tags.get(GROUP_TAG) != group:
        problems.append(f"the instance's tag {GROUP_TAG} is {instance.tags.get(GROUP_TAG)!r}, "
                        f"the group {group!r}")
    if not hooks:
        problems.append(f"the group has a {GROUP_TAG} tag but no {LAUNCHING} lifecycle hook")
    report.expect(fixture.name, f"{check} launch lifecycle hook and {GROUP_TAG}", problems,
                  note=f"{', '.join(hooks) or 'no hook'} on {group}")
    warm = any(r.get("Type") == "AWS::AutoScaling::WarmPool"
               and r.get("Properties", {}).get("AutoScalingGroupName") == {"Ref": group_name}
               for r in stack.original["Resources"].values())
    return Launch(group, hooks, instance.instance_id, warm) if hooks else None


def instance_setup(report: Report, fixture: Fixture, check: str, display: str) -> bool:
    """Whether the topology's instance whose INSTANCE_TAG is display (STACK-NAME)
    has a setup script (False, and a FAIL, if the topology cannot say)."""
    path = topology_path(fixture)
    name = "?"
    try:
        with open(path, "rb") as f:
            topology = tomllib.load(f)
        prefix = f"{topology['stack']['name']}-"
        if not display.startswith(prefix):
            raise LookupError(f"{INSTANCE_TAG} {display!r} does not start with {prefix!r}")
        name = display.removeprefix(prefix)
        spec = topology["instance"][name]
    except (OSError, LookupError, ValueError, TypeError) as e:
        report.fail(fixture.name, f"{check} contract",
                    f"cannot read [instance.{name}] of {path}: {type(e).__name__}: {e}")
        return False
    return bool(spec.get("setup"))


# Fleets: instances launched from a launch template with user-data.

@dataclass
class FleetContract:
    """What the topology's [fleet.NAME] says the script must do."""

    name: str
    parameters: list[str]
    bootstrap: list[str]
    client_tag: str
    clients: list[str]


def fleet_contract(fixture: Fixture, fleet: str) -> FleetContract:
    """Raises LookupError/OSError/ValueError when the topology cannot say."""
    path = topology_path(fixture)
    with open(path, "rb") as f:
        spec = tomllib.load(f)["fleet"][fleet]
    if "clients" in spec:
        clients = list(spec["clients"])
    else:
        text = (path.parent / spec["clients_file"]).read_text(encoding="utf-8")
        stripped = (line.strip() for line in text.splitlines())
        clients = [line for line in stripped if line and not line.startswith("#")]
    return FleetContract(fleet, list(spec.get("parameters", [])),
                         str(spec.get("bootstrap", "")).split(),
                         str(spec.get("tag", DEFAULT_CLIENT_TAG)), clients)


def fleet_instances(stack: Stack, fixture: Fixture) -> dict[Path, list[str]]:
    """{script: [instance logical ids]} for instances launched from a launch
    template that carries one of the fixture's scripts."""
    resources = stack.original["Resources"]
    found: dict[Path, list[str]] = {}
    for name, resource in sorted(resources.items()):
        if resource["Type"] != "AWS::EC2::Instance":
            continue
        spec = resource.get("Properties", {}).get("LaunchTemplate", {}).get("LaunchTemplateId")
        template_name = spec.get("Ref") if isinstance(spec, dict) else None
        text = user_data_text(resources.get(template_name, {}))
        script = fixture.script_with_text(text) if text is not None else None
        if script is not None:
            found.setdefault(script, []).append(name)
    return found


def parameter_paths(stack: Stack, instance_name: str) -> list[str]:
    """The SSM parameters the instance's IAM policies let it read (ssm:GetParameter)."""
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
    return sorted(paths)


PARAMETER_ARN = re.compile(r":parameter(/[^\s\"*]+)$")


def check_instance_user_data_runs(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                                  work: Path) -> None:
    """Check 7 for the stack's fleets: every client instance, against the contract."""
    for script, names in sorted(fleet_instances(stack, fixture).items()):
        check = f"user-data fleet {stack.name}/{script.stem}"
        try:
            contract = fleet_contract(fixture, script.stem)
        except (OSError, LookupError, ValueError, TypeError) as e:
            report.fail(fixture.name, f"{check} contract",
                        f"cannot read [fleet.{script.stem}] of {topology_path(fixture)}: "
                        f"{type(e).__name__}: {e}")
            continue
        resources = stack.original["Resources"]
        clients = {}
        for name in names:
            tags = {t["Key"]: t["Value"] for t in resources[name]["Properties"].get("Tags", [])}
            clients[name] = tags.get(contract.client_tag)
        problems = same("clients (by instance tag)", sorted(contract.clients),
                        sorted(str(c) for c in clients.values()))
        if not report.expect(fixture.name, f"{check} one instance per client", problems,
                             note=", ".join(contract.clients)):
            continue
        first = names[0]
        first_tags = {t["Key"]: t["Value"] for t in resources[first]["Properties"].get("Tags", [])}
        tags = contract_tags(first_tags)
        # A disagreement fails, and the runs still show what the script does.
        check_script_agrees(report, fixture, check, script, tags, exact=False)
        # The first-boot steps travel in tags: the topology's words, exactly.
        problems = []
        for key, words in ((BOOTSTRAP_TAG, contract.bootstrap),
                           (PARAMETERS_TAG, contract.parameters if contract.bootstrap else [])):
            for name in names:
                found = tag_words({t["Key"]: t["Value"]
                                   for t in resources[name]["Properties"].get("Tags", [])}, key)
                if found != words:
                    problems.append(f"{name}: tag {key} has {found}, the topology says {words}")
        report.expect(fixture.name, f"{check} tags carry the bootstrap and parameters", problems,
                      note=f"bootstrap {contract.bootstrap}, parameters {contract.parameters}")
        for index, name in enumerate(names):
            run_client(report, fixture, moto, stack, name, script, contract, clients[name],
                       index, work / name)


def place_bootstrap(report: Report, fixture: Fixture, check: str, contract: FleetContract,
                    work: Path) -> Bootstrap | None:
    """The recorder for the contract's bootstrap, and (absolute path) a check that the
    mount namespace puts it there; None (and a FAIL) if it cannot be placed."""
    bootstrap = make_bootstrap(work, contract.bootstrap[0], contract.parameters)
    if bootstrap.bare:
        return bootstrap
    where = f"{check} bootstrap recorder at {bootstrap.path}"
    if shutil.which("unshare") is None:
        report.fail(fixture.name, where, "unshare is not installed: cannot place the recorder")
        return None
    if bootstrap.lower is None or bootstrap.lower == Path("/"):
        report.fail(fixture.name, where, "no directory to cover below / for the overlay")
        return None
    probe = namespaced(["test", "-x", bootstrap.path], bootstrap, work)
    result = run_command(probe)
    return bootstrap if report.expect(
        fixture.name, where,
        [] if result.returncode == 0 else [f"the private mount namespace did not work "
                                           f"(exit {result.returncode})"],
        result.stdout + result.stderr, note=f"private mount namespace over {bootstrap.lower}",
    ) else None


# How many clients of a fleet run the failure paths (a missing tag, parameter
# or CLI, hostile tags) besides their boots.
HOSTILE_CLIENTS = 2


def run_client(report: Report, fixture: Fixture, moto: Moto, stack: Stack, name: str,
               script: Path, contract: FleetContract, client: str, index: int,
               work: Path) -> None:
    check = f"user-data run {stack.name}/{name}"
    values = {p: f"{TRICKY_VALUE} /{contract.name}/{client}/{p}" for p in contract.parameters}
    paths = {p: f"/{contract.name}/{client}/{p}" for p in contract.parameters}
    try:
        instance = describe_instance(moto, stack.region, stack.physical[name])
        granted = parameter_paths(stack, name)
        for parameter, value in values.items():
            moto.aws(stack.region, "ssm", "put-parameter", "--name", paths[parameter], "--type",
                     "SecureString", "--value", value, "--overwrite")
    except (AwsError, LookupError, TypeError) as e:
        report.fail(fixture.name, f"{check} instance", f"{type(e).__name__}: {e}")
        return
    problems = same("readable SSM parameters", sorted(paths.values()), granted)
    problems += same(f"tag {contract.client_tag}", client,
                     instance.tags.get(contract.client_tag))
    if not report.expect(fixture.name, f"{check} instance", problems,
                         note=f"{instance.instance_id} runs userdata/{script.name} as client "
                              f"{client}; SSM parameters {', '.join(paths.values()) or 'none'}"):
        return
    bootstrap = None
    if contract.bootstrap:
        bootstrap = place_bootstrap(report, fixture, check, contract, work)
        if bootstrap is None:
            return
        existed = Path(bootstrap.path).exists() if not bootstrap.bare else False
    tags = contract_tags(instance.tags)
    # The fleet's script installs its per-boot copy on every client.
    per_boot = True
    first_output = boot_twice(report, fixture, moto, stack.region, check, script, instance,
                              work / "positive", per_boot, bootstrap)
    if first_output is None:
        return
    for parameter in contract.parameters:
        report.expect(fixture.name, f"{check} read {paths[parameter]}",
                      [] if f"read {paths[parameter]}" in first_output else
                      ["not logged as read"], first_output)
    if bootstrap is not None:
        check_bootstrap_calls(report, fixture, check, bootstrap, contract, client, values,
                              first_output)
    # Each parameter goes missing for one client (client i loses parameter
    # i modulo their number): as many clients as parameters run the failures.
    sample = max(HOSTILE_CLIENTS, len(contract.parameters))
    if index >= sample:
        # Every client boots for real (its parameters, its bootstrap call,
        # its id); the failure paths are the same script's for every client,
        # whose tags differ only in their values: the first clients run them.
        report.not_verified(fixture.name, f"{check} negative and hostile-tag runs",
                            f"sampled out: the first {sample} clients of a fleet run "
                            "them (one script, the same for every client)", "client")
    else:
        client_failures(report, fixture, moto, stack, check, script, instance, contract,
                        bootstrap, paths, values, index, tags, work)
    if bootstrap is not None and not bootstrap.bare:
        report.expect(fixture.name, f"{check} nothing written at {bootstrap.path}",
                      [] if Path(bootstrap.path).exists() == existed else
                      [f"{bootstrap.path} appeared outside the mount namespace"])


def client_failures(report: Report, fixture: Fixture, moto: Moto, stack: Stack, check: str,
                    script: Path, instance: Instance, contract: FleetContract,
                    bootstrap: Bootstrap | None, paths: dict[str, str], values: dict[str, str],
                    index: int, tags: list[str], work: Path) -> None:
    """A client's failure paths: a missing parameter, a missing client tag, a
    missing AWS CLI, hostile tags."""
    if bootstrap is not None and contract.parameters:
        parameter = contract.parameters[index % len(contract.parameters)]
        check_missing_parameter(report, fixture, moto, stack.region, check, script,
                                instance, bootstrap, paths[parameter], values[parameter], work)
    without = {k: v for k, v in instance.tags.items() if k != CLIENT_TAG}
    if bootstrap is not None:
        bootstrap.reset()
    run = run_script(moto, stack.region, script, instance, without, work / "negative", bootstrap)
    problems = exit_problems(run.code, want_success=False) + continued_problems(run)
    if bootstrap is not None and bootstrap.calls():
        problems.append("the bootstrap ran")
    report.expect(fixture.name, f"{check} without {CLIENT_TAG} fails", problems,
                  run.output)
    report.expect(fixture.name, f"{check} without {CLIENT_TAG} says so",
                  [] if error_names(run.output, CLIENT_TAG) else
                  [f"no error names {CLIENT_TAG}"], run.output)
    if ((contract.parameters and contract.bootstrap)
            or any(k.startswith("topoform:dns-") for k in tags)):
        check_missing_cli(report, fixture, moto, stack.region, check, script, instance,
                          work / "no-aws", bootstrap)
    check_hostile_tags(report, fixture, moto, stack.region, check, script, instance, tags, work,
                       bootstrap)


def check_bootstrap_calls(report: Report, fixture: Fixture, check: str, bootstrap: Bootstrap,
                          contract: FleetContract, client: str, values: dict[str, str],
                          output: str) -> None:
    """After boot and reboot: one call, with the contract's arguments, every parameter
    byte for byte, and the client's id."""
    calls = bootstrap.calls()
    label = f"{check} bootstrap {bootstrap.path}"
    report.expect(fixture.name, f"{label} ran once in two boots",
                  [] if len(calls) == 1 else [f"ran {len(calls)} times"], output)
    if not calls:
        return
    call = calls[0]
    report.expect(fixture.name, f"{label} arguments",
                  same("arguments", [hex_text(a) for a in contract.bootstrap[1:]], call["args"])
                  and [f"arguments: want {contract.bootstrap[1:]}, got "
                       f"{[unhex(a) for a in call['args']]}"], output)
    report.expect(fixture.name, f"{label} TOPOFORM_CLIENT_ID",
                  [] if call["env"].get("TOPOFORM_CLIENT_ID") == hex_text(client) else
                  [f"want {client!r}, got {unhex(call['env'].get('TOPOFORM_CLIENT_ID'))!r}"],
                  output)
    for parameter, value in values.items():
        got = call["env"].get(parameter)
        report.expect(fixture.name, f"{label} got {parameter} byte for byte",
                      [] if got == hex_text(value) else
                      [f"want {value!r}, got {unhex(got)!r}"], output)


def check_missing_parameter(report: Report, fixture: Fixture, moto: Moto, region: str,
                            check: str, script: Path, instance: Instance, bootstrap: Bootstrap,
                            path: str, value: str, work: Path) -> None:
    """First boot without one of the client's parameters: it must fail naming it, and
    not run the bootstrap."""
    bootstrap.reset()
    moto.aws(region, "ssm", "delete-parameter", "--name", path)
    try:
        run = run_script(moto, region, script, instance, instance.tags, work / "missing",
                         bootstrap)
    finally:
        moto.aws(region, "ssm", "put-parameter", "--name", path, "--type", "SecureString",
                 "--value", value, "--overwrite")
    problems = exit_problems(run.code, want_success=False)
    if not error_names(run.output, path):
        problems.append(f"no error names {path}")
    if bootstrap.calls():
        problems.append("the bootstrap ran")
    if run.namespace_failed:
        problems.append("the mount namespace could not be set up")
    report.expect(fixture.name, f"{check} without SSM parameter {path} fails naming it",
                  problems, run.output)
