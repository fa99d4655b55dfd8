"""Self-test of the external harness: each check must be able to fail.

Each scenario copies one synthesized output directory (target/validate/NAME by
default) to a temp dir, breaks one property on purpose (in the copy of a
user-data script and the template that embeds it, in the copy of a template,
or in what moto holds after the deploy), runs checks 5-7 of validate.py on it
against its own moto server (or, for a `static` scenario, the cfn-guard checks
instead, without moto), and requires the named checks to FAIL. A control
scenario (nothing broken) must have no failure. Scenarios run in parallel, one
process each. Nothing under src/, templates/ or target/validate is changed.

Usage: .tools/venv/bin/python -B tests/external/selftest.py [VALIDATE_DIR] [SCENARIO ...]

Prints per scenario the FAIL lines that caught it (or what was not caught),
then `N caught, M not caught`; exits 1 if a breakage went unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import (  # noqa: E402
    ROOT, VENV_PYTHON, Report, decode_user_data, encode_user_data, run_bounded,
)

CHILD_TIMEOUT_SECONDS = 600

Transform = Callable[[str], str]


@dataclass
class Scenario:
    name: str
    fixture: str  # the output directory to copy
    what: str  # what is broken, for the report
    expect: list[str]  # substrings of FAIL lines (check names) that must appear
    script: tuple[str, str, str] | None = None  # (userdata file, old text, new text)
    template: tuple[str, list[str], object] | None = None  # (file, JSON path, new value)
    after_deploy: str | None = None  # aws call (python) run on moto after the deploy
    env: dict[str, str] | None = None
    expect_no_fail: bool = False
    expect_lines: tuple[str, ...] = ()  # other substrings that must appear (n/v lines)
    all_clients: bool = False  # run every client of a fleet, not the first only
    static: bool = False  # run the cfn-guard checks (guard, guard suppressions), not 5-7


FLEET = "per-client"
# An alarm that notifies nobody: the Guard rule CLOUDWATCH_ALARM_ACTION_CHECK fails on it.
SILENT_ALARM = {
    "Type": "AWS::CloudWatch::Alarm",
    "Properties": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                   "Statistic": "Average", "Period": 300, "EvaluationPeriods": 1,
                   "Threshold": 90, "ComparisonOperator": "GreaterThanThreshold"},
}
GUARD_TEMPLATE = "web-autoheal.template.json"


def silent_alarm(guard: dict | None) -> tuple[str, list[str], object]:
    """A `template` breakage adding SILENT_ALARM, with guard as its Metadata.guard."""
    alarm = json.loads(json.dumps(SILENT_ALARM))
    if guard is not None:
        alarm["Metadata"] = {"guard": guard}
    return (GUARD_TEMPLATE, ["Resources", "SelftestAlarm"], alarm)


SCENARIOS = [
    Scenario("control", FLEET, "nothing (control)", [], expect_no_fail=True),
    Scenario("drop-parameter", FLEET,
             "read_parameters skips DB_PASSWORD (still read, never passed on)",
             ["bootstrap /home/hoge/scripts/bootstrap.sh got DB_PASSWORD byte for byte"],
             script=("app.sh", '    PARAMETER_ENV+=("$name=$value")\n',
                     '    [[ $name == DB_PASSWORD ]] || PARAMETER_ENV+=("$name=$value")\n')),
    Scenario("undeclared-parameter", FLEET, "PARAMETERS is HOGE only, not the tag's list",
             ["bootstrap /home/hoge/scripts/bootstrap.sh got DB_PASSWORD byte for byte"],
             script=("app.sh", '  PARAMETERS=(${words_read[@]+"${words_read[@]}"})',
                     "  PARAMETERS=(HOGE)")),
    Scenario("bootstrap-twice", FLEET, "bootstrap.done never written: runs at every boot",
             ["ran once in two boots"],
             script=("app.sh", '  touch "$STATE_DIR/bootstrap.done"\n', "  :\n")),
    Scenario("mangle-quotes", FLEET, "parameter values exported through an unquoted echo",
             ["got HOGE byte for byte", "got DB_PASSWORD byte for byte"],
             script=("app.sh", '    PARAMETER_ENV+=("$name=$value")\n',
                     '    # shellcheck disable=SC2086\n    PARAMETER_ENV+=("$name=$(echo $value)")\n')),
    Scenario("ignore-client-tag", FLEET,
             "client id hard-wired to globex instead of read from topoform:client",
             ["script agrees with the contract", "without topoform:client fails",
              "AppInitechInstance bootstrap /home/hoge/scripts/bootstrap.sh TOPOFORM_CLIENT_ID",
              "AppInitechInstance bootstrap /home/hoge/scripts/bootstrap.sh got HOGE byte for byte"],
             script=("app.sh", "  CLIENT=$(required_tag topoform:client '^[a-z0-9-]+$')\n",
                     "  CLIENT=globex\n"), all_clients=True),
    Scenario("missing-parameter-ignored", FLEET, "an unreadable parameter exports ''",
             ["fails naming it"],
             script=("app.sh", '    value=$(retry parameter "$name") ||\n',
                     '    value=$(retry parameter "$name") || value="" ||\n')),
    Scenario("tag-not-validated", FLEET, "required_tag no longer checks the value's pattern",
             ["hostile topoform:client refused", "hostile topoform:dns-zone-id refused"],
             script=("app.sh", '  [[ $value =~ $2 ]] || die "instance tag $1 has an unexpected '
                     'value"\n', "")),
    Scenario("tag-read-renamed", FLEET,
             "the script reads the dns-ip tag through a renamed helper (format change)",
             ["script agrees with the contract"],
             script=("app.sh", "  kind=$(required_tag topoform:dns-ip",
                     "  kind=$(need_tag topoform:dns-ip")),
    Scenario("no-unshare", FLEET, "unshare cannot create a mount namespace",
             ["bootstrap recorder at /home/hoge/scripts/bootstrap.sh"],
             env={"TOPOFORM_SELFTEST_FAKE_UNSHARE": "1"}),
    Scenario("absolute-bootstrap-elsewhere", FLEET,
             "BOOTSTRAP calls another path than the tag's",
             ["boot exit 0"],
             script=("app.sh", '  BOOTSTRAP=(${words_read[@]+"${words_read[@]}"})',
                     "  BOOTSTRAP=(/home/hoge/bin/bootstrap.sh)")),
    Scenario("bootstrap-tag-wrong", FLEET,
             "the template's topoform:bootstrap tag names another command than the topology",
             ["tags carry the bootstrap and parameters"],
             template=("app-layer.template.json",
                       ["Resources", "AppAcmeInstance", "Properties", "Tags"],
                       lambda tags: [t | {"Value": "/home/hoge/bin/other.sh"}
                                     if t["Key"] == "topoform:bootstrap" else t
                                     for t in tags])),
    Scenario("lt-monitoring", FLEET,
             "moto's launch template has detailed monitoring off (template: on)",
             ["AppLaunchTemplate Monitoring"],
             after_deploy="lt-monitoring"),
    Scenario("asg-subnets", "eip-autohealing",
             "moto's group is in another subnet than the template's",
             ["VPCZoneIdentifier"], after_deploy="asg-subnets"),
    Scenario("new-property", "eip-autohealing",
             "the template gains an Auto Scaling group property no describer compares",
             ["every property compared or not verified"],
             template=("web-autoheal.template.json",
                       ["Resources", "WebGroup", "Properties", "Cooldown"], "120")),
    Scenario("edge-not-a-pass", "route53-failover",
             "(demonstration) the edge template has only a certificate",
             [], expect_no_fail=True,
             expect_lines=("n/v  route53-failover moto deploy shop-web-edge.template.json",
                           "AliasTarget.DNSName: the value is the harness's own stand-in")),
    Scenario("guard-finding", "eip-autohealing", "an alarm without AlarmActions",
             [f"guard {GUARD_TEMPLATE}: 1 finding"], template=silent_alarm(None), static=True,
             expect_lines=("CLOUDWATCH_ALARM_ACTION_CHECK SelftestAlarm: ",
                           f"ok   eip-autohealing guard suppressions {GUARD_TEMPLATE}")),
    Scenario("guard-suppressed", "eip-autohealing",
             "(control) the same alarm, its rule suppressed with a reason", [],
             template=silent_alarm({"SuppressedRules": ["CLOUDWATCH_ALARM_ACTION_CHECK"],
                                    "Reasons": {"CLOUDWATCH_ALARM_ACTION_CHECK":
                                                "selftest: nobody is paged"}}),
             static=True, expect_no_fail=True,
             expect_lines=(f"ok   eip-autohealing guard {GUARD_TEMPLATE}",
                           f"ok   eip-autohealing guard suppressions {GUARD_TEMPLATE} "
                           "(1 suppressed)")),
    Scenario("guard-no-reason", "eip-autohealing", "the alarm's rule suppressed without a reason",
             [f"guard suppressions {GUARD_TEMPLATE}"],
             template=silent_alarm({"SuppressedRules": ["CLOUDWATCH_ALARM_ACTION_CHECK"],
                                    "Reasons": {"CLOUDWATCH_ALARM_ACTION_CHECK": " "}}),
             static=True, expect_lines=(f"ok   eip-autohealing guard {GUARD_TEMPLATE}",)),
    Scenario("guard-stray-reason", "eip-autohealing", "a reason for a rule not suppressed",
             ["Reasons has 'S3_BUCKET_LOGGING_ENABLED', which SuppressedRules lacks"],
             template=silent_alarm({"SuppressedRules": ["CLOUDWATCH_ALARM_ACTION_CHECK"],
                                    "Reasons": {"CLOUDWATCH_ALARM_ACTION_CHECK": "a reason",
                                                "S3_BUCKET_LOGGING_ENABLED": "no bucket"}}),
             static=True),
    Scenario("guard-not-a-list", "eip-autohealing", "SuppressedRules is a string",
             ["SuppressedRules is not a list of strings"],
             template=silent_alarm({"SuppressedRules": "CLOUDWATCH_ALARM_ACTION_CHECK",
                                    "Reasons": {"CLOUDWATCH_ALARM_ACTION_CHECK": "a reason"}}),
             static=True),
    Scenario("guard-unknown-rule", "eip-autohealing", "a misspelt rule suppressed, with a reason",
             ["suppressed rule 'CLOUDWATCH_ALARM_ACTIONS_CHECK' is in neither rule set",
              f"guard {GUARD_TEMPLATE}: 1 finding"],
             template=silent_alarm({"SuppressedRules": ["CLOUDWATCH_ALARM_ACTIONS_CHECK"],
                                    "Reasons": {"CLOUDWATCH_ALARM_ACTIONS_CHECK": "a reason"}}),
             static=True),
]


def break_script(out: Path, name: str, old: str, new: str) -> None:
    """Replaces old by new in userdata/name and in every template's UserData that
    embeds it, so that the template still carries the script byte for byte."""
    script = out / "userdata" / name
    text = script.read_text()
    if old not in text:
        raise SystemExit(f"selftest: {old!r} not in {script}")
    broken = text.replace(old, new)
    script.write_text(broken)
    for path in out.glob("*.template.json"):
        template = json.loads(path.read_text())
        for resource in template.get("Resources", {}).values():
            data = resource.get("Properties", {}).get("LaunchTemplateData", {})
            if decode_user_data(data.get("UserData", "")) == text:
                data["UserData"] = encode_user_data(broken)
        path.write_text(json.dumps(template, indent=2))


def break_template(out: Path, name: str, keys: list[str], value: object) -> None:
    path = out / name
    template = json.loads(path.read_text())
    node = template
    for key in keys[:-1]:
        node = node[key]
    # A function changes the value that is there; anything else replaces it.
    node[keys[-1]] = value(node[keys[-1]]) if callable(value) else value
    path.write_text(json.dumps(template, indent=2))


def after_deploy(kind: str, moto: object, stack: object) -> None:
    """Changes moto's state behind the template's back, as a drifted deploy would."""
    physical = {n: stack.physical[n] for n in stack.physical}  # type: ignore[attr-defined]
    region = stack.region  # type: ignore[attr-defined]
    if kind == "lt-monitoring":
        moto.aws(region, "ec2", "create-launch-template-version", "--launch-template-id",
                 physical["AppLaunchTemplate"], "--source-version", "1",
                 "--launch-template-data", json.dumps({"Monitoring": {"Enabled": False}}))
    elif kind == "asg-subnets":
        group = moto.aws(region, "autoscaling", "describe-auto-scaling-groups",
                         "--auto-scaling-group-names", physical["WebGroup"])
        subnet = group["AutoScalingGroups"][0]["VPCZoneIdentifier"].split(",")[0]
        vpc = moto.aws(region, "ec2", "describe-subnets", "--subnet-ids",
                       subnet)["Subnets"][0]["VpcId"]
        other = moto.aws(region, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block",
                         "10.0.200.0/24")["Subnet"]["SubnetId"]
        moto.aws(region, "autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name",
                 physical["WebGroup"], "--vpc-zone-identifier", other)


def run_scenario_here(scenario_name: str, out_dir: str) -> int:
    """In the child process: checks 5-7 on the broken copy, printing the report."""
    import describe_back
    from moto_deploy import Moto, moto_modelled_types
    from validate import load_fixture, validate_in_moto

    import userdata_run

    scenario = next(s for s in SCENARIOS if s.name == scenario_name)
    if scenario.static:
        return run_static_here(out_dir)
    # The first client of a fleet only: a breakage of the shared script shows
    # there as well as in the others, at a third of the time.
    run_client = userdata_run.run_client

    def first_client_only(*args: object) -> None:
        if args[8] == 0:  # index
            run_client(*args)  # type: ignore[arg-type]

    if not scenario.all_clients:
        userdata_run.run_client = first_client_only
    if scenario.after_deploy:
        original = describe_back.check_described

        def drifted(report: Report, fixture: object, moto: object, stack: object) -> None:
            after_deploy(scenario.after_deploy, moto, stack)
            original(report, fixture, moto, stack)

        import validate
        validate.check_described = drifted
    report = Report()
    fixture = load_fixture(report, Path(out_dir))
    with tempfile.TemporaryDirectory(prefix="topoform-selftest-run-") as tmp:
        with Moto(Path(tmp) / "moto.log") as moto:
            validate_in_moto(report, fixture, moto, moto_modelled_types(), Path(tmp))
    return report.summary()


def run_static_here(out_dir: str) -> int:
    """In the child process: the cfn-guard checks on the broken copy, printing the report."""
    from validate import check_guard, check_guard_suppressions, load_fixture

    report = Report()
    fixture = load_fixture(report, Path(out_dir))
    for path, template in fixture.templates.items():
        check_guard_suppressions(report, fixture, path, template)
    check_guard(report, fixture)
    return report.summary()


def fake_unshare(directory: Path) -> Path:
    """A PATH directory whose unshare fails as it does without the privilege."""
    directory.mkdir(parents=True, exist_ok=True)
    stub = directory / "unshare"
    stub.write_text("#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\n"
                    "exit 1\n")
    stub.chmod(0o755)
    return directory


def run_scenario(scenario: Scenario, validate_dir: Path, tmp: Path) -> tuple[bool, list[str]]:
    out = tmp / scenario.name / scenario.fixture
    shutil.copytree(validate_dir / scenario.fixture, out)
    if scenario.script:
        break_script(out, *scenario.script)
    if scenario.template:
        break_template(out, *scenario.template)
    env = dict(os.environ)
    if scenario.env and scenario.env.get("TOPOFORM_SELFTEST_FAKE_UNSHARE"):
        env["PATH"] = f"{fake_unshare(tmp / scenario.name / 'fake-bin')}{os.pathsep}{env['PATH']}"
    code, output = run_bounded([VENV_PYTHON, "-B", __file__, "--child", scenario.name, out],
                               env, tmp, CHILD_TIMEOUT_SECONDS)
    if code is None:
        output += f"\nselftest: timed out after {CHILD_TIMEOUT_SECONDS} s"
    (tmp / f"{scenario.name}.log").write_text(output)
    fails = [line for line in output.splitlines() if line.startswith("FAIL ")]
    lines = []
    caught = True
    if scenario.expect_no_fail:
        caught = not fails and code == 0
        lines += [f"unexpected: {line}" for line in fails]
    for check in scenario.expect:
        hits = [line for line in fails if check in line]
        caught = caught and bool(hits)
        lines += hits[:2] if hits else [f"NOT CAUGHT: no FAIL line with {check!r}"]
    for text in scenario.expect_lines:
        hits = [line for line in output.splitlines() if text in line]
        caught = caught and bool(hits)
        lines += hits[:1] if hits else [f"NOT SEEN: {text!r}"]
    if not fails and not scenario.expect_no_fail:
        caught = False
    lines.append(f"(summary: {' / '.join(output.strip().splitlines()[-2:])}; "
                 f"log {tmp / (scenario.name + '.log')})")
    return caught, lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return run_scenario_here(argv[1], argv[2])
    validate_dir = ROOT / "target" / "validate"
    if argv and Path(argv[0]).is_dir():
        validate_dir = Path(argv[0]).resolve()
        argv = argv[1:]
    chosen = [s for s in SCENARIOS if not argv or s.name in argv]
    missing = sorted({s.fixture for s in chosen if not (validate_dir / s.fixture).is_dir()})
    if missing:
        print(f"selftest: synthesize {', '.join(missing)} into {validate_dir} first",
              file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="topoform-selftest-"))
    with ThreadPoolExecutor(max_workers=min(5, len(chosen))) as pool:
        results = list(pool.map(lambda s: run_scenario(s, validate_dir, tmp), chosen))
    caught_count = 0
    for scenario, (caught, lines) in zip(chosen, results):
        caught_count += caught
        print(f"{'caught' if caught else 'MISSED'} {scenario.name}: {scenario.what}")
        for line in lines:
            print(f"    {line}")
    print(f"{caught_count} caught, {len(chosen) - caught_count} not caught")
    if caught_count == len(chosen):
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if caught_count == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
