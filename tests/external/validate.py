"""External validation of topoform output directories with third-party tools.

The Rust test suite checks what topoform means to generate; this harness checks
the generated files against the tools that will consume them, so that a template
AWS would reject, a script that does not run, or a deploy plan with shell bugs is
caught before anyone deploys. Per output directory (one compiled fixture):

1. cfn-lint on every *.template.json: no errors, no warnings.
2. Posture checks on the templates. checkov: no failed check, and every
   suppression in resource Metadata (checkov.skip) carries a non-empty
   comment. parliament on every IAM policy document: no finding at LOW or
   above. cfn-guard with the Guard rules vendored in guard-rules/ (the cfn-nag
   and Well-Architected security pillar sets of aws-guard-rules-registry, see
   guard-rules/README.md), once per template: no rule fails, and every rule
   of both sets is evaluated. A resource skips a Guard rule with Metadata
   {"guard": {"SuppressedRules": ["RULE"], "Reasons": {"RULE": "why"}}}:
   each suppressed rule must exist and have a one-line reason, and each
   reason must belong to a suppressed rule.
3. shellcheck and `bash -n` on every *.sh (user-data scripts and deploy.sh).
4. Every LaunchTemplate's UserData is base64 of a gzip-compressed script
   (cloud-init inflates it) byte-identical to one of userdata/*.sh, and every
   userdata/*.sh is used.
5. Each template is deployed to a local moto server with create-stack. moto
   lacks CloudFormation models for some types (alarms, CloudFront, bucket
   policies, ...): those resources are removed from the deployable copy, a
   resource that reads one of their attributes (GetAtt) is removed too, and a
   plain Ref to one becomes a stand-in string. Every removed resource (and
   output) is reported as not verified; a template left with no resources is
   not deployed at all (not verified, never a pass). Ids of things the
   template uses but does not create (subnets, security groups, hosted zones,
   Elastic IPs, AMIs) are created in moto and rewritten in the copy.
6. What moto modelled is described back and compared with the template, by
   resource type. Every property of every deployed resource is either compared
   or reported as not verified with the reason (moto ignores it, no describer,
   unresolvable, the harness's own stand-in); a check per stack fails if a
   property is neither.
7. The user-data of every Auto Scaling group and of every fleet client runs
   for real with bash against moto and a local IMDSv2 stub (imds_stub.py),
   at boot and at reboot (the per-boot copy), negatively without a required
   tag, and with each contract tag made hostile. What is tested comes from the
   contract (the template's tags, the topology's [fleet] parameters, bootstrap
   and client tag), and the script must agree with it. A fleet's bootstrap is a
   real recorder placed where the script calls it (on PATH, or for an absolute
   path in a private mount namespace): every parameter must reach it byte for
   byte, exactly once in two boots, with the right arguments and client id.
   A script's Auto Scaling calls go to a local stub (autoscaling_stub.py,
   through AWS_ENDPOINT_URL_AUTO_SCALING) where the group's launch lifecycle
   action is pending: the first boot must complete it exactly once, with
   CONTINUE, after its Elastic IP and records are in place and before its
   setup script; the reboot, a group without the hook and a failed boot
   complete nothing. deploy.sh --discover-only (moto_deploy.py) also runs
   against moto, and must refuse an account that does not fit the topology.

Checks 1-4 are here; 5 is moto_deploy.py, 6 describe_back.py, 7 userdata_run.py
(with imds_stub.py); harness.py has what they share. Standard library only; the
tools are the pinned ones .ci/tools.sh installs under .tools/.

Usage: .tools/venv/bin/python -B tests/external/validate.py [--jobs N] OUT_DIR [OUT_DIR ...]

With --jobs N the output dirs are shared out over N worker processes, each
with its own moto server; their lines are printed one worker after another
and their totals added up.

Prints `ok   <fixture> <check>`, `FAIL <fixture> <check>: <reason>` or
`n/v  <fixture> <what>: <reason>` (not verified: never a pass) per check, plus
`note` lines that are neither; then the not-verified items grouped by reason,
`N not verified`, and last `N passed, M failed`. Exits 1 if any check failed or a
tool is missing: a check that cannot run is a failure. Not-verified items do not
fail the run.
"""

from __future__ import annotations

import concurrent.futures
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from describe_back import check_described
from harness import (
    AWS, LAUNCH_TEMPLATE, MOTO_SERVER, ROOT, VENV_BIN, VENV_PYTHON, Fixture, Report, run,
    stack_name, user_data_text,
)
from moto_deploy import (
    PLAUSIBLE_ATTRIBUTES, STAND_IN, AwsError, Moto, World, deploy, moto_modelled_types,
)
from userdata_run import check_user_data_runs

CFN_LINT = VENV_BIN / "cfn-lint"
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
PARLIAMENT = ROOT / ".tools" / "parliament" / "bin" / "parliament"
CFN_GUARD = ROOT / ".tools" / "cfn-guard" / "bin" / "cfn-guard"
GUARD_RULES = Path(__file__).resolve().parent / "guard-rules"
GUARD_RULE_SETS = (GUARD_RULES / "cfn-nag", GUARD_RULES / "wa-security-pillar")
# `cfn-guard validate` exits 0 when no rule fails and 19 when one does. A rules file
# that does not parse gives 5, but a later failing rule turns that into 19, so any
# stderr output is a failure too. Any other error exits 255.
GUARD_RULE_FAILED = 19
GUARD_RULE_NAME = re.compile(r"^\s*rule\s+(\w+)", re.MULTILINE)
GUARD_RESOURCE = re.compile(r"^/Resources/([^/\[]+)")
# Values for the pseudo parameters and references inside a policy's ARNs:
# parliament checks ARN formats, so they must be plausible, not real.
POLICY_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1",
                 "AWS::AccountId": "123456789012", "AWS::StackName": "stack",
                 "AWS::URLSuffix": "amazonaws.com"}
# curl is not run here, but the user-data scripts under test need it; unshare
# places a fleet's bootstrap recorder at an absolute path (userdata_run.py).
PATH_TOOLS = ("shellcheck", "bash", "curl", "unshare")
CFN_LINT_FINDING = re.compile(r":\d+:\d+:\d+:\d+:([EWI])\d+:")
SHELLCHECK_BATCH = 100
# Of a parent's nested stacks, the tools run on the first and the last (by
# name): every child is made by the same code from the same kinds of blocks,
# and cfn-lint alone takes about 10 s per child of 400 resources. The Rust
# tests check the wiring of every child (tests/shard.rs).
NESTED_STACK = "AWS::CloudFormation::Stack"
PROBE = "TopoformProbe{}"


def missing_tools() -> list[str]:
    paths = [CFN_LINT, CHECKOV, PARLIAMENT, MOTO_SERVER, AWS, VENV_PYTHON]
    missing = [str(p) for p in paths + [CFN_GUARD] if not os.access(p, os.X_OK)]
    missing += [f"{d} (Guard rules)" for d in GUARD_RULE_SETS if not any(d.glob("*.guard"))]
    return missing + [tool for tool in PATH_TOOLS if shutil.which(tool) is None]


def load_fixture(report: Report, out_dir: Path) -> Fixture:
    fixture = Fixture(out_dir.name, out_dir, {}, sorted(out_dir.rglob("*.sh")))
    paths = sorted(out_dir.glob("*.template.json"))
    if not paths:
        report.fail(fixture.name, "templates", f"no *.template.json in {out_dir}")
    nested = sorted(out_dir.glob("nested/*.template.json"))
    sample = {nested[0], nested[-1]} if nested else set()
    for path in paths + nested:
        try:
            template = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            report.fail(fixture.name, f"json {path.name}", str(e))
            continue
        if path in sample or path.parent == out_dir:
            fixture.templates[path] = template
        else:
            fixture.unsampled[path] = template
    if fixture.unsampled:
        report.not_verified(
            fixture.name, f"{len(fixture.unsampled)} of {len(nested)} nested stacks",
            f"sampled out: the tools run on {len(sample)} of them (the first and the last)",
            "template")
    return fixture


def check_cfn_lint(report: Report, fixture: Fixture, path: Path) -> None:
    """Any output but informational findings fails, and so does any other exit status."""
    proc = run([CFN_LINT, "--format", "parseable", "--", path])
    lines = (proc.stdout + proc.stderr).splitlines()
    findings = [line for line in lines if not is_informational(line)]
    problems = []
    if findings:
        problems.append(f"{len(findings)} finding(s)")
    if proc.returncode & ~8:  # bit 8 = informational findings only
        problems.append(f"exit {proc.returncode}")
    report.expect(fixture.name, f"cfn-lint {path.name}", problems, "\n".join(findings))


def is_informational(line: str) -> bool:
    match = CFN_LINT_FINDING.search(line)
    return match is not None and match.group(1) == "I"


def policy_documents(template: dict) -> list[tuple[str, dict]]:
    """Every IAM policy document of the template's resources: (where, document)."""
    found = []
    for name, resource in sorted(template.get("Resources", {}).items()):
        props = resource.get("Properties", {})
        if isinstance(props.get("PolicyDocument"), dict):
            found.append((name, props["PolicyDocument"]))
        for policy in props.get("Policies", []) or []:
            found.append((f"{name}/{policy.get('PolicyName', '?')}", policy["PolicyDocument"]))
    # Trust policies (AssumeRolePolicyDocument) are left out: parliament reads
    # every document as an identity policy, and a trust policy has no Resource.
    return found


def plausible_attribute(template: dict, name: str, attribute: str | None) -> str:
    """A plausible value for `Ref name` (attribute None) or `name.attribute`, by
    the resource's type: ARNs in their service's format, names elsewhere."""
    if attribute is None and name in POLICY_PSEUDO:
        return POLICY_PSEUDO[name]
    kind = template.get("Resources", {}).get(name, {}).get("Type", "")
    service = kind.split("::")[1].lower() if kind.count("::") == 2 else "x"
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if service == "s3":
        arn = f"arn:aws:s3:::{key}"
    elif service == "iam":
        arn = f"arn:aws:iam::123456789012:role/{key}"
    else:
        arn = f"arn:aws:{service}:us-east-1:123456789012:{key}"
    if attribute == "Arn" or (attribute is None and kind == "AWS::SNS::Topic"):
        return arn
    return key


def plausible(value: object, template: dict) -> object:
    """A policy with its intrinsic functions replaced by plausible strings."""
    if isinstance(value, list):
        return [plausible(v, template) for v in value]
    if not isinstance(value, dict):
        return value
    if "Fn::Sub" in value:
        text = value["Fn::Sub"][0] if isinstance(value["Fn::Sub"], list) else value["Fn::Sub"]

        def variable(m: re.Match[str]) -> str:
            name, _, attribute = m.group(1).partition(".")
            return plausible_attribute(template, name, attribute or None)
        return re.sub(r"\$\{([^}!]+)\}", variable, text)
    if "Ref" in value:
        return plausible_attribute(template, str(value["Ref"]), None)
    if "Fn::GetAtt" in value:
        name, attribute = value["Fn::GetAtt"]
        return plausible_attribute(template, name, attribute)
    return {k: plausible(v, template) for k, v in value.items()}


def check_parliament(report: Report, fixture: Fixture, work: Path) -> None:
    """parliament on every policy document (its ARNs, actions and condition keys
    against AWS's IAM model); any finding at LOW or above fails."""
    for path, template in fixture.templates.items():
        documents = policy_documents(template)
        check = f"parliament {path.name}"
        if not documents:
            continue
        files = []
        for index, (where, document) in enumerate(documents):
            file = work / f"policy-{path.stem}-{index}.json"
            file.write_text(json.dumps(plausible(document, template)), encoding="utf-8")
            files.append((where, file))
        proc = run([PARLIAMENT, "--files", ",".join(str(f) for _, f in files),
                    "--minimum_severity", "LOW", "--json"], cwd=work)
        names = {str(f): where for where, f in files}
        findings = []
        for line in proc.stdout.splitlines():
            try:
                finding = json.loads(line)
            except ValueError:
                findings.append(line)
                continue
            location = finding.get("location", {})
            where = names.get(str(location.get("filepath")), "?")
            findings.append(f"{where}: {finding.get('issue')} ({finding.get('severity')}) "
                            f"{finding.get('detail')}")
        problems = [f"{len(findings)} finding(s)"] if findings else []
        if proc.returncode not in (0, 1) or (proc.returncode == 1 and not findings):
            problems.append(f"exit {proc.returncode}")
        report.expect(fixture.name, check, problems, "\n".join(findings) + proc.stderr,
                      f"{len(documents)} policies")


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
        problems.append(f"scanned {summary.get('resource_count')} resources, "
                        f"the templates have {expected_resources}")
    report.expect(fixture.name, "checkov coverage", problems, proc.stderr)


def check_suppressions(report: Report, fixture: Fixture, path: Path, template: dict) -> None:
    problems = []
    for name, resource in sorted(template.get("Resources", {}).items()):
        skips = resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        for skip in skips:
            if not str(skip.get("id", "")).strip() or not str(skip.get("comment", "")).strip():
                problems.append(f"{name}: suppression {skip.get('id')!r} needs an id and a comment")
    report.expect(fixture.name, f"checkov suppressions {path.name}", problems)


@functools.cache
def guard_rule_names() -> frozenset[str]:
    """The names of the rules in both Guard rule sets (the sets share some files)."""
    return frozenset(name for folder in GUARD_RULE_SETS for file in folder.glob("*.guard")
                     for name in GUARD_RULE_NAME.findall(file.read_text(encoding="utf-8")))


def check_guard(report: Report, fixture: Fixture) -> None:
    """cfn-guard with both rule sets, once per template: every failed rule is a
    finding, per resource; output that is not the expected JSON, any stderr, an
    exit status other than 0 or 19 (or one that disagrees with the findings) and
    a rule of the sets that was not evaluated all fail the check as well."""
    expected = guard_rule_names()
    rules = [arg for folder in GUARD_RULE_SETS for arg in ("-r", str(folder))]
    for path in fixture.templates:
        check = f"guard {path.name}"
        proc = run([CFN_GUARD, "validate", *rules, "-d", path.resolve(), "--structured",
                    "-o", "json", "--show-summary", "none"])
        try:
            [record] = json.loads(proc.stdout)
            failed = [entry["Rule"] for entry in record["not_compliant"]]
            findings = sorted({f for rule in failed for f in guard_findings(rule)})
            passed, skipped = set(record["compliant"]), set(record["not_applicable"])
            evaluated = passed | skipped | {rule["name"] for rule in failed}
        except (ValueError, KeyError, TypeError, AttributeError):
            report.fail(fixture.name, check, f"unparseable output, exit {proc.returncode}",
                        (proc.stdout[:2000] + proc.stderr).strip())
            continue
        problems = [f"{len(findings)} finding(s)"] if findings else []
        if proc.returncode != (GUARD_RULE_FAILED if failed else 0):
            problems.append(f"exit {proc.returncode} with "
                            f"{len({rule['name'] for rule in failed})} failed rule(s)")
        if proc.stderr.strip():
            problems.append("cfn-guard wrote to stderr")
        if evaluated != expected:
            problems.append(f"evaluated {len(evaluated)} rules, the rule sets have "
                            f"{len(expected)}")
        details = "\n".join([f"{rule} {resource}: {message}"
                             for rule, resource, message in findings]
                            + sorted(f"not evaluated: {name}" for name in expected - evaluated)
                            + sorted(f"not in the rule sets: {name}"
                                     for name in evaluated - expected)
                            + proc.stderr.strip().splitlines())
        report.expect(fixture.name, check, problems, details,
                      f"{len(evaluated)} rules: {len(passed)} passed, "
                      f"{len(skipped)} not applicable")


@functools.cache
def guard_rule_descriptions() -> dict[str, str]:
    """{rule: the Description of its file's header}, for the rules whose file has one."""
    found = {}
    for folder in GUARD_RULE_SETS:
        for file in folder.glob("*.guard"):
            text = file.read_text(encoding="utf-8")
            name = re.search(r"^#\s*Rule Identifier:\s*\n#\s*(\w+)", text, re.MULTILINE)
            about = re.search(r"^#\s*Description:\s*\n((?:#[ \t]*\S.*\n)+)", text, re.MULTILINE)
            if name and about:
                found[name.group(1)] = " ".join(about.group(1).replace("#", " ").split())
    return found


def guard_findings(rule: dict) -> set[tuple[str, str, str]]:
    """(rule, resource, message), one per resource, of a not-compliant rule of
    `cfn-guard validate --structured`. The resource is the logical id a failed
    clause reached, or "(template)" for a clause about the template as a whole."""
    name = str(rule["name"])
    found: dict[str, tuple[int, str]] = {}  # resource -> (rank, message); lowest rank wins
    for clause in guard_clauses(rule.get("checks", [])):
        messages = clause.get("messages") or {}
        rank, message = guard_message(name, str(messages.get("custom_message") or ""),
                                      str(messages.get("error_message") or ""))
        resource = guard_resource(clause)
        found[resource] = min(found.get(resource, (rank, message)), (rank, message))
    if not found:  # a shape this parser does not know: still a finding
        found["?"] = (0, json.dumps(rule.get("checks"))[:160])
    return {(name, resource, message) for resource, (_, message) in found.items()}


def guard_clauses(node: object) -> list[dict]:
    """The leaf checks (dicts with "check" and "messages") anywhere below node."""
    if isinstance(node, list):
        return [clause for item in node for clause in guard_clauses(item)]
    if not isinstance(node, dict):
        return []
    if "check" in node and "messages" in node:
        return [node]
    return [clause for key, value in node.items() if key != "value"
            for clause in guard_clauses(value)]


def guard_resource(clause: dict) -> str:
    """The logical id of the first /Resources/<id> path in the clause."""
    paths = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            located = isinstance(node.get("path"), str)
            if located:
                paths.append(node["path"])
            for key, value in node.items():
                if not (located and key == "value"):  # the template's own data
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(clause.get("check"))
    error = str((clause.get("messages") or {}).get("error_message") or "")
    paths += re.findall(r"/Resources/[^\]\s,]+", error)
    for path in paths:
        match = GUARD_RESOURCE.match(path)
        if match:
            return match.group(1)
    return "(template)"


def guard_message(rule: str, custom: str, error: str) -> tuple[int, str]:
    """(rank, one short line): the clause's own violation text (its `<< >>` block)
    if it has one (rank 0), else the rule's description (1), else cfn-guard's
    error without the values it traversed (2)."""
    lines = [line.strip() for line in re.split(r"[\n;]", custom) if line.strip()]
    text = next((line.removeprefix("Violation:").strip() for line in lines
                 if line.startswith("Violation:")), lines[0] if lines else "")
    rank = 0
    if not text:
        text, rank = guard_rule_descriptions().get(rule, ""), 1
    if not text:
        text = re.sub(r"\[L:\d+,C:\d+\]", "", error.split(". Value traversed to")[0])
        rank = 2
    text = " ".join(text.split())
    return rank, text if len(text) <= 160 else text[:157] + "..."


def check_guard_suppressions(report: Report, fixture: Fixture, path: Path,
                             template: dict) -> None:
    """Metadata.guard of each resource: SuppressedRules is a list of names of
    rules in the rule sets, and Reasons gives each of them, and nothing else, a
    one-line reason. Metadata.cfn_nag (which the rules honour too) is refused:
    its suppressions would skip this check."""
    known = guard_rule_names()
    problems = []
    count = 0
    for name, resource in sorted(template.get("Resources", {}).items()):
        metadata = resource.get("Metadata", {}) if isinstance(resource, dict) else {}
        if not isinstance(metadata, dict):
            continue
        if "cfn_nag" in metadata:
            problems.append(f"{name}: Metadata.cfn_nag also suppresses Guard rules; "
                            "use Metadata.guard with reasons")
        if "guard" not in metadata:
            continue
        guard = metadata["guard"]
        if not isinstance(guard, dict):
            problems.append(f"{name}: Metadata.guard is not an object")
            continue
        rules = guard.get("SuppressedRules", [])
        reasons = guard.get("Reasons", {})
        listed = isinstance(rules, list) and all(isinstance(r, str) for r in rules)
        if not listed:
            problems.append(f"{name}: SuppressedRules is not a list of strings")
            rules = [r for r in rules if isinstance(r, str)] if isinstance(rules, list) else []
        if not isinstance(reasons, dict):
            problems.append(f"{name}: Reasons is not an object")
            reasons = {}
        count += len(rules)
        for rule in rules:
            reason = reasons.get(rule)
            if not isinstance(reason, str) or not reason.strip():
                problems.append(f"{name}: suppressed rule {rule!r} needs a reason in Reasons")
            elif "\n" in reason.strip():
                problems.append(f"{name}: the reason for {rule!r} is not one line")
            if rule not in known:
                problems.append(f"{name}: suppressed rule {rule!r} is in neither rule set")
            if rules.count(rule) > 1:
                problems.append(f"{name}: {rule!r} is suppressed twice")
        for rule in reasons:
            if listed and rule not in rules:
                problems.append(f"{name}: Reasons has {rule!r}, which SuppressedRules lacks")
        for key in sorted(set(guard) - {"SuppressedRules", "Reasons"}):
            problems.append(f"{name}: Metadata.guard has an unknown key {key!r}")
    report.expect(fixture.name, f"guard suppressions {path.name}", sorted(set(problems)),
                  note=f"{count} suppressed" if count else "")


def check_shell(report: Report, fixture: Fixture, scripts: list[Path]) -> None:
    """shellcheck on every script, a batch of them per run (a topology of a
    thousand instances has a thousand user-data scripts); its findings are
    attributed per file. Then `bash -n` on each."""
    batches = [scripts[start:start + SHELLCHECK_BATCH]
               for start in range(0, len(scripts), SHELLCHECK_BATCH)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        lints = list(pool.map(lambda b: run(["shellcheck", "-f", "json1", *b]), batches))
    for batch, lint in zip(batches, lints):
        try:
            comments = json.loads(lint.stdout)["comments"]
        except (ValueError, KeyError, TypeError):
            comments = None
        for script in batch:
            label = script.relative_to(fixture.out_dir)
            if comments is None or lint.returncode not in (0, 1):
                report.fail(fixture.name, f"shellcheck {label}", f"exit {lint.returncode}",
                            lint.stdout + lint.stderr)
                continue
            mine = [c for c in comments if Path(c["file"]) == script]
            report.expect(fixture.name, f"shellcheck {label}",
                          [f"{len(mine)} finding(s)"] if mine else [],
                          "\n".join(f"{label}:{c['line']}:{c['column']}: SC{c['code']} "
                                    f"({c['level']}): {c['message']}" for c in mine))
    for script in scripts:
        label = script.relative_to(fixture.out_dir)
        syntax = run(["bash", "-n", script])
        report.expect(fixture.name, f"bash -n {label}",
                      [f"exit {syntax.returncode}"] if syntax.returncode else [], syntax.stderr)


def check_user_data(report: Report, fixture: Fixture) -> None:
    used = set()
    for path, template in sorted((fixture.templates | fixture.unsampled).items()):
        for name, resource in sorted(template.get("Resources", {}).items()):
            if resource.get("Type") != LAUNCH_TEMPLATE:
                continue
            data = resource.get("Properties", {}).get("LaunchTemplateData", {})
            if "UserData" not in data:
                continue
            check = f"user-data {stack_name(path)}/{name}"
            text = user_data_text(resource)
            if text is None:
                report.fail(fixture.name, check, "UserData is not base64 of a gzip-compressed script",
                            json.dumps(data["UserData"])[:500])
                continue
            script = fixture.script_with_text(text)
            if script is None:
                report.fail(fixture.name, check, "matches no userdata/*.sh byte for byte")
            else:
                used.add(script)
                report.ok(fixture.name, check, f"= userdata/{script.name}")
    for script in fixture.userdata_scripts:
        report.expect(fixture.name, f"user-data userdata/{script.name} embedded",
                      [] if script in used else ["no LaunchTemplate carries it"])


def validate(report: Report, fixture: Fixture, moto: Moto, modelled: set[str], work: Path) -> None:
    for path, template in fixture.templates.items():
        check_cfn_lint(report, fixture, path)
        check_suppressions(report, fixture, path, template)
        check_guard_suppressions(report, fixture, path, template)
    if fixture.templates:
        check_checkov(report, fixture)
        check_guard(report, fixture)
        check_parliament(report, fixture, work)
    check_shell(report, fixture, fixture.scripts)
    check_user_data(report, fixture)
    validate_in_moto(report, fixture, moto, modelled, work)


def validate_in_moto(report: Report, fixture: Fixture, moto: Moto, modelled: set[str],
                     work: Path) -> None:
    """Checks 5-7: deploy each template, describe it back, run its user-data.

    moto cannot run a nested stack (a parent whose child's TemplateURL is in
    moto's own S3 never leaves CREATE_IN_PROGRESS, moto 5.2.5): a parent is
    deployed without its AWS::CloudFormation::Stack resources, and each
    sampled child on its own, with the parameters the parent would pass it,
    evaluated against the deployed parent."""
    moto.reset()
    world = World(moto)
    for path in [p for p in fixture.templates if p.parent == fixture.out_dir]:
        template = fixture.templates[path]
        children = {name: res for name, res in template.get("Resources", {}).items()
                    if res.get("Type") == NESTED_STACK}
        probes = probe_outputs(children)
        if probes:
            template = copy.deepcopy(template)
            template.setdefault("Outputs", {}).update(
                {name: {"Value": value} for name, value in probes.items()})
        stack = deploy(report, fixture, moto, world, modelled - {NESTED_STACK}, path, work,
                       template=template)
        if stack is None:
            continue
        check_described(report, fixture, moto, stack)
        check_user_data_runs(report, fixture, moto, stack, work / stack.name)
        for name, resource in sorted(children.items()):
            child_path = fixture.out_dir / resource["Properties"]["TemplateURL"]
            if child_path not in fixture.templates:
                continue
            given = child_parameters(report, fixture, moto, stack, template, resource, probes)
            child = deploy(report, fixture, moto, world, modelled, child_path, work, given=given)
            if child is not None:
                check_described(report, fixture, moto, child, per_type=2)
                check_user_data_runs(report, fixture, moto, child, work / child.name, groups=1)


def probe_outputs(children: dict[str, dict]) -> dict[str, dict]:
    """An output per attribute a parent passes to a child (Fn::GetAtt), so that
    moto resolves it: {output name: the GetAtt}."""
    attributes = sorted({json.dumps(value, sort_keys=True)
                         for res in children.values()
                         for value in res["Properties"].get("Parameters", {}).values()
                         if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]})
    return {PROBE.format(i): json.loads(a) for i, a in enumerate(attributes)}


def child_parameters(report: Report, fixture: Fixture, moto: Moto, parent, template: dict,
                     resource: dict, probes: dict[str, dict]) -> dict[str, str]:
    """The values the parent passes a child, from the deployed parent: a
    parameter's value, a resource's physical id, an attribute through its
    probe output, the parent's name for AWS::StackName. An attribute of a
    resource moto could not deploy gets its plausible value, or a stand-in."""
    described = moto.aws(parent.region, "cloudformation", "describe-stacks",
                         "--stack-name", parent.name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    probe_of = {json.dumps(v, sort_keys=True): k for k, v in probes.items()}
    types = {name: res["Type"] for name, res in template.get("Resources", {}).items()}
    values = {}
    for key, value in resource["Properties"].get("Parameters", {}).items():
        if value == {"Ref": "AWS::StackName"}:
            values[key] = parent.name
        elif isinstance(value, dict) and list(value) == ["Ref"]:
            target = value["Ref"]
            values[key] = parent.parameters.get(target) or parent.physical.get(target) \
                or STAND_IN.format(target)
        elif isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
            target, attribute = value["Fn::GetAtt"]
            probe = probe_of.get(json.dumps(value, sort_keys=True))
            found = outputs.get(probe or "")
            if found is None:
                found = PLAUSIBLE_ATTRIBUTES.get((types.get(target, ""), attribute),
                                                 STAND_IN.format(target))
                report.note(fixture.name, f"{parent.name}: {target}.{attribute} is not in moto: "
                            f"{key} = {found}")
            values[key] = found
        else:
            report.fail(fixture.name, f"parameters of {resource['Properties']['TemplateURL']}",
                        f"{key} is passed {json.dumps(value)}, which the harness cannot evaluate")
    return values


def validate_all(report: Report, fixtures: list[Fixture], moto: Moto, modelled: set[str],
                 tmp: Path) -> None:
    for index, fixture in enumerate(fixtures):
        work = tmp / f"{index}-{fixture.name}"
        work.mkdir()
        try:
            validate(report, fixture, moto, modelled, work)
        except AwsError as e:  # moto itself failed: the fixture's remaining checks cannot run
            report.fail(fixture.name, "moto", str(e))


def parse_args(argv: list[str]) -> tuple[int, Path | None, list[str]] | None:
    """(jobs, totals file, output dirs), or None for a usage error."""
    jobs, totals, dirs = 1, None, []
    args = iter(argv)
    for arg in args:
        if arg == "--jobs":
            value = next(args, "")
            if not value.isdigit() or int(value) < 1:
                return None
            jobs = int(value)
        elif arg == "--totals":
            value = next(args, "")
            if not value:
                return None
            totals = Path(value)
        elif arg.startswith("-"):
            return None
        else:
            dirs.append(arg)
    return (jobs, totals, dirs) if dirs else None


def run_workers(report: Report, dirs: list[str], jobs: int, tmp: Path) -> None:
    """Validates the output dirs in `jobs` child processes (each with its own moto
    server), then prints each child's lines in turn and adds up their totals. A
    child that ends without totals is a failure."""
    groups = [dirs[i::jobs] for i in range(jobs)]
    children = []
    for index, group in enumerate(g for g in groups if g):
        totals, log = tmp / f"totals-{index}.json", tmp / f"worker-{index}.log"
        with open(log, "w", encoding="utf-8") as out:
            child = subprocess.Popen(
                [sys.executable, "-B", __file__, "--totals", str(totals), *group],
                stdout=out, stderr=subprocess.STDOUT, text=True)
        children.append((child, totals, log, group))
    for child, totals, log, group in children:
        code = child.wait()
        print(log.read_text(encoding="utf-8"), end="", flush=True)
        try:
            counted = json.loads(totals.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report.fail("-", "worker", f"exit {code} without totals for {', '.join(group)}")
            continue
        report.passed += counted["passed"]
        report.failed += counted["failed"]
        for reason, unit, count in counted["unverified"]:
            key = (reason, unit)
            report.unverified[key] = report.unverified.get(key, 0) + count


def main(argv: list[str]) -> int:
    parsed = parse_args(argv)
    if parsed is None:
        print("usage: validate.py [--jobs N] OUT_DIR [OUT_DIR ...]", file=sys.stderr)
        return 2
    jobs, totals, dirs = parsed
    report = Report()
    missing = missing_tools()
    if missing:
        report.fail("-", "tools", "missing (run .ci/tools.sh): " + ", ".join(missing))
        return finish(report, totals)
    with tempfile.TemporaryDirectory(prefix="topoform-validate-") as tmp:
        if jobs > 1 and len(dirs) > 1:
            run_workers(report, sorted(dirs), jobs, Path(tmp))
            return finish(report, totals)
        fixtures = [load_fixture(report, Path(arg).resolve()) for arg in sorted(dirs)]
        try:
            modelled = moto_modelled_types()
            moto = Moto(Path(tmp) / "moto_server.log")
        except AwsError as e:
            report.fail("-", "moto", str(e))
            return finish(report, totals)
        with moto:
            validate_all(report, fixtures, moto, modelled, Path(tmp))
    return finish(report, totals)


def finish(report: Report, totals: Path | None) -> int:
    """The summary, or for a worker (totals set) its counts as JSON for the parent."""
    if totals is None:
        return report.summary()
    totals.write_text(json.dumps({
        "passed": report.passed, "failed": report.failed,
        "unverified": [[r, u, n] for (r, u), n in sorted(report.unverified.items())],
    }), encoding="utf-8")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
