"""deploy.sh's change sets, run for real against a local moto server.

validate.py deploys a copy of each template with create-stack and runs
deploy.sh only up to --discover-only. This harness runs the whole deploy.sh,
for a table of topology edits (EDITS) on fixtures whose deploy plan moto can
carry to the end (no sorry site: moto models no CloudFront distribution to
invalidate). Per edit, on the deployable copies of the templates before and
after the edit (moto_deploy.strip_unmodelled, the same ids as validate.py):

1. a first deploy (CI set) creates the stack through a CREATE change set that
   lists every resource as Add, and the stack is CREATE_COMPLETE;
2. (first edit) a second deploy of the same output finds no changes, asks
   nothing and leaves no change set behind;
3. the harness creates its own change set for the edited template and reads
   what moto says it changes; `topoform plan` on the same edit must name the
   same resources added and removed, and every one moto modifies;
4. deploy.sh of the edited output declined on a terminal (a pseudo-terminal:
   "n"), and (first edit) with no terminal to ask on and no CI, deploys
   nothing: exit 1, the stack keeps its template, no change set is left;
5. accepted on the terminal ("y"), its preview lists exactly the changes of
   the harness's change set, and the stack gets the edited template; where
   the template goes through S3, a bucket in another region than the stack
   is refused before any change set;
6. (first edit) the recovery of a stack that never completed: one in REVIEW_IN_PROGRESS
   (a CREATE change set nobody executed, made for real) and one in
   ROLLBACK_COMPLETE (which moto never reaches: an `aws` shim on PATH
   answers that status once) are deleted and created again, and a busy stack
   (UPDATE_IN_PROGRESS, from the shim) is refused without a change set.

Where moto falls short (stated, not hidden): it never reports Replacement
(deploy.sh prints "Replacement: not reported"), so True/Conditional are
judged by `topoform plan` (data/create-only.json) and not here; its
Modify compares resource bodies as written, so a resource that only refers
to a changed one (a launch template's version number) is not in its change
set, while the plan lists it.

Usage: changesets.py TOPOFORM OUT_ROOT   (OUT_ROOT as .ci/test.sh fills it)
Each edit runs in a child process with a moto server of its own, as many at
once as there are CPUs. Prints ok/FAIL lines like validate.py, then the
totals, and exits 1 on any failure.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    AWS, VENV_BIN, Fixture, Report, run, stack_name, template_region, topology_path,
)
from moto_deploy import (
    AwsError, Moto, World, fill_moto_gaps, found_values, image_paths, moto_modelled_types,
    rewrite_ids, rewritten_plan, run_discovery, strip_unmodelled,
)
from validate import load_fixture

RUN_TIMEOUT_SECONDS = 300
PROMPT = b"execute this change set of"
# A preview line of deploy.sh: action, logical id, type, [Replacement: x], [(properties)].
PREVIEW = re.compile(r"^  (Add|Modify|Remove|Import|Dynamic)\s+(\S+)\s+(\S+)"
                     r"(?:\s+Replacement: (.+?))?(?:\s+\((\S*)\))?\s*$", re.MULTILINE)
TEMPLATE_BUCKET = "topoform-changeset-templates"
# deploy.sh deploys a stack whose template it uploads (upload flag 1).
UPLOADED = re.compile(r"^deploy_stack \S+ \S+ \S+ 1(?: \\)?$", re.MULTILINE)


# An edit whose name says this must upload its template: it fails if it does
# not (a template that shrinks below the inline limit would skip the check).
THROUGH_S3 = "(a template uploaded through S3)"


@dataclass(frozen=True)
class Edit:
    """One routine edit of a fixture's topology: `old` becomes `new` (exactly once)."""

    fixture: str
    what: str
    old: str
    new: str


EDITS = [
    Edit("eip-autohealing", "the instance type changed",
         'type = "t3.micro"', 'type = "t3.small"'),
    Edit("per-client", "a client added",
         'clients = ["acme", "globex", "initech"]',
         'clients = ["acme", "globex", "initech", "umbrella"]'),
    # deploy.sh's Slack and cost allocation tag checks run too (moto has
    # neither Chatbot nor the tag API: they must only note it).
    Edit("per-client", "Slack and a budget added",
         'region = "ap-northeast-1"\n',
         'region = "ap-northeast-1"\ntags = { team = "app" }\n'
         'notify = { email = ["ops@example.com"], slack = { workspace = "T0123ABCDE",'
         ' channel = "C0123ABCDEF" } }\nbudget = { limit = 100 }\n'),
    Edit("conformance-07-ops", "a client removed",
         'clients = ["agent-1", "agent-2"]', 'clients = ["agent-1"]'),
    # Over 51,200 bytes: deploy.sh uploads the template through S3.
    Edit("fleet-large", "a client added " + THROUGH_S3,
         '  "shop-10",\n', '  "shop-10",\n  "shop-11",\n'),
]

# An `aws` in front of the real one: logs every call, and answers the first
# describe-stacks status query with $SHIM_STATUS (once, while $SHIM_ONCE exists).
SHIM = """#!/usr/bin/env bash
printf '%s\\n' "$*" >>"$SHIM_LOG"
if [[ -e $SHIM_ONCE && " $* " == *" describe-stacks "* && $* == *StackStatus* ]]; then
  rm -f "$SHIM_ONCE"
  echo "$SHIM_STATUS"
  exit 0
fi
# A create that failed inside a nested stack (moto runs none): the parent's
# events name the child's ARN, the child's events say why.
if [[ $SHIM_STATUS == ROLLBACK_COMPLETE && " $* " == *" describe-stack-events "* ]]; then
  child=arn:aws:cloudformation:us-east-1:123456789012:stack/shim-Shard001-X/1
  if [[ " $* " == *" $child "* ]]; then
    printf 'ShimGroup\\tCREATE_FAILED\\tAWS::AutoScaling::AutoScalingGroup\\t-\\t%s\\t%s\\n' \\
      "$child" "$SHIM_NESTED_REASON"
  else
    # A child refused before it had an ID: its line, and nothing to follow.
    printf 'Shard002\\tCREATE_FAILED\\tAWS::CloudFormation::Stack\\t-\\tparent\\t%s\\n' \\
      "Parameters: [Topic] must have values"
    printf 'Shard001\\tCREATE_FAILED\\tAWS::CloudFormation::Stack\\t%s\\tparent\\t%s\\n' \\
      "$child" "Embedded stack $child was not successfully created"
  fi
  exit 0
fi
exec "$REAL_AWS" "$@"
"""

# What the shim's nested stack says failed, which deploy.sh must show.
NESTED_REASON = "You have requested more vCPU capacity than your current vCPU limit"


@dataclass
class Side:
    """One side of an edit, ready to deploy: the deployable copy and its plan."""

    out_dir: Path
    template: Path  # the original template's path (its file name is deploy.sh's)
    body: dict[str, Any]
    plan: str  # deploy.sh with moto's ids


class Run:
    """Runs one edit's checks in a work directory against moto."""

    def __init__(self, report: Report, moto: Moto, edit: Edit, work: Path) -> None:
        self.report, self.moto, self.edit, self.work = report, moto, edit, work
        self.label = f"{edit.fixture} [{edit.what}]"
        self.region = "us-east-1"
        self.stack = ""
        self.large = False

    # -- plumbing ---------------------------------------------------------

    def aws(self, service: str, operation: str, *args: str) -> dict[str, Any]:
        return self.moto.aws(self.region, service, operation, *args)

    def env(self, ci: bool, path_first: Path | None = None,
            extra: dict[str, str] | None = None) -> dict[str, str]:
        env = self.moto.env(self.region) | {
            "AWS_ENDPOINT_URL": self.moto.endpoint,
            "PATH": os.pathsep.join(
                [str(p) for p in (path_first, VENV_BIN) if p] + [os.environ.get("PATH", "")]),
            "TOPOFORM_TEMPLATE_BUCKET": TEMPLATE_BUCKET,
        } | (extra or {})
        env.pop("CI", None)
        if ci:
            env["CI"] = "true"
        return env

    def stage(self, side: Side) -> Path:
        """A directory holding deploy.sh and the deployable copy under the template's name."""
        stage = self.work / f"stage-{side.out_dir.name}"
        if stage.exists():
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
        (stage / "deploy.sh").write_text(side.plan, encoding="utf-8")
        (stage / side.template.name).write_text(json.dumps(side.body, indent=1),
                                                 encoding="utf-8")
        # The sorry pages deploy.sh uploads, as synth wrote them.
        if (side.out_dir / "sorry").is_dir():
            shutil.copytree(side.out_dir / "sorry", stage / "sorry")
        return stage

    def deploy(self, side: Side, ci: bool = True, path_first: Path | None = None,
               answer: bytes | None = None,
               extra: dict[str, str] | None = None) -> tuple[int | None, str]:
        """bash deploy.sh: (exit code or None on timeout, its output). With answer,
        on a pseudo-terminal that types it at the prompt."""
        stage = self.stage(side)
        env = self.env(ci, path_first, extra)
        if answer is not None:
            return on_terminal(["bash", "deploy.sh"], env, stage, answer)
        try:
            proc = subprocess.run(["bash", "deploy.sh"], env=env, cwd=stage,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_SECONDS, start_new_session=True,
                                  check=False)
        except subprocess.TimeoutExpired:
            return None, f"no answer in {RUN_TIMEOUT_SECONDS} s"
        return proc.returncode, proc.stdout + proc.stderr

    def status(self) -> str:
        try:
            return self.aws("cloudformation", "describe-stacks", "--stack-name",
                            self.stack)["Stacks"][0]["StackStatus"]
        except AwsError as e:
            return "NONE" if "does not exist" in str(e) else f"unreadable: {e}"

    def deployed_body(self) -> Any:
        body = self.aws("cloudformation", "get-template", "--stack-name",
                        self.stack)["TemplateBody"]
        return json.loads(body) if isinstance(body, str) else body

    def change_sets_left(self) -> list[str]:
        listed = self.aws("cloudformation", "list-change-sets", "--stack-name", self.stack)
        return [s["ChangeSetName"] for s in listed.get("Summaries", [])
                if s.get("StackName") == self.stack
                and s.get("ExecutionStatus") not in ("EXECUTE_COMPLETE", "OBSOLETE")]

    # -- the sides --------------------------------------------------------

    def prepare(self, fixture: Fixture, modelled: set[str], world: World) -> Side | None:
        """The main template's deployable copy with moto's ids, and deploy.sh with them."""
        mains = [p for p in fixture.templates if not p.name.endswith("-edge.template.json")]
        if len(mains) != 1:
            self.report.fail(self.label, "prepare", f"{len(mains)} main templates")
            return None
        path = mains[0]
        template = fixture.templates[path]
        self.region, self.stack = template_region(template), stack_name(path)
        body, _ = strip_unmodelled(template, modelled)
        fill_moto_gaps(body)
        ids = world.ids_of(self.region, body, fixture)
        paths = image_paths(world, self.region, fixture, [])
        plan = rewritten_plan(fixture, ids | paths)
        if plan is None:
            self.report.fail(self.label, "prepare", f"no deploy.sh in {fixture.out_dir}")
            return None
        self.large = self.large or UPLOADED.search(plan) is not None
        return Side(fixture.out_dir, path, rewrite_ids(body, ids), plan)

    def put_fleet_parameters(self, side: Side) -> None:
        """The SecureStrings deploy.sh checks for (the user creates them by hand)."""
        m = re.search(r"^ssm_parameters=\((.+)\)$", side.plan, re.MULTILINE)
        for name in (m.group(1).split() if m else []):
            self.aws("ssm", "put-parameter", "--name", name.strip("'"), "--type",
                     "SecureString", "--value", "x", "--overwrite")

    # -- the checks -------------------------------------------------------

    def first_deploy(self, before: Side) -> bool:
        code, output = self.deploy(before)
        adds = {(m[1], m[2]) for m in PREVIEW.findall(output) if m[0] == "Add"}
        want = {(k, v["Type"]) for k, v in before.body["Resources"].items()}
        problems = [] if code == 0 else [f"exit {code}"]
        if "(CREATE):" not in output:
            problems.append("no CREATE change set printed")
        if adds != want:
            problems.append(f"Add lines differ from the template's resources: "
                            f"missing {sorted(want - adds)}, extra {sorted(adds - want)}")
        if (status := self.status()) != "CREATE_COMPLETE":
            problems.append(f"stack {status}")
        return self.report.expect(self.label, "deploy.sh creates the stack through a change set",
                                  problems, output, f"{len(adds)} Add")

    def no_change(self, before: Side) -> None:
        code, output = self.deploy(before)
        problems = [] if code == 0 else [f"exit {code}"]
        if f"stack {self.stack}: no changes" not in output:
            problems.append("it does not say the stack has no changes")
        if PREVIEW.search(output) or "execute" in output.lower():
            problems.append("it printed or executed a change set")
        if left := self.change_sets_left():
            problems.append(f"change sets left: {left}")
        self.report.expect(self.label, "deploy.sh again: no changes, nothing asked", problems,
                           output)

    def moto_view(self, after: Side, values: dict[str, str]) -> set[tuple[str, str, str]] | None:
        """What moto's own change set for the edited template changes; None on failure."""
        body = self.work / "harness-view.json"
        body.write_text(json.dumps(after.body), encoding="utf-8")
        args = ["--stack-name", self.stack, "--change-set-name", "harness-view",
                "--change-set-type", "UPDATE", "--template-body", f"file://{body}",
                "--capabilities", "CAPABILITY_IAM"]
        args += parameters_args(values)
        try:
            made = self.aws("cloudformation", "create-change-set", *args)
            described = self.aws("cloudformation", "describe-change-set", "--change-set-name",
                                 made["Id"])
            self.aws("cloudformation", "delete-change-set", "--change-set-name", made["Id"])
        except AwsError as e:
            self.report.fail(self.label, "moto's change set of the edit", str(e))
            return None
        changes = {(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"],
                    c["ResourceChange"]["ResourceType"]) for c in described.get("Changes", [])}
        self.report.expect(self.label, "moto's change set of the edit",
                           [] if changes else ["the edit changes nothing moto deploys"],
                           note=", ".join(f"{a} {i}" for a, i, _ in sorted(changes)))
        return changes

    def plan_agrees(self, plan: dict[str, Any], before: Side, after: Side,
                    moto: set[tuple[str, str, str]]) -> None:
        """topoform plan names what moto's change set changes (on what moto deploys)."""
        actions: dict[str, str] = {}
        for template in plan.get("templates", []):
            if template.get("file") == before.template.name:
                actions |= {r["logical_id"]: r["action"] for r in template.get("resources", [])}
        deployed = set(before.body["Resources"]) | set(after.body["Resources"])
        ours = {i: a for i, a in actions.items() if i in deployed}
        problems = []
        for action, logical, _ in sorted(moto):
            want = {"Add": {"add"}, "Remove": {"remove"}}.get(
                action, {"update", "restart", "replace-instances", "may-replace", "replace"})
            if ours.get(logical) not in want:
                problems.append(f"moto: {action} {logical}; plan: {ours.get(logical, 'nothing')}")
        moto_ids = {logical for _, logical, _ in moto}
        for logical, action in sorted(ours.items()):
            if action in ("add", "remove") and logical not in moto_ids:
                problems.append(f"plan: {action} {logical}; moto: nothing")
        only_plan = sorted(i for i in ours if i not in moto_ids)
        self.report.expect(self.label, "topoform plan agrees with moto's change set", problems,
                           json.dumps(plan.get("summary")),
                           "plan only (a reference to a changed resource): "
                           + (", ".join(only_plan) or "none"))

    def declined(self, before: Side, after: Side, thorough: bool) -> None:
        """Declined ("n") on a terminal, and (thorough) with no terminal and no
        CI: nothing deployed."""
        cases = [('declined ("n")', b"n\n")]
        if thorough:
            cases.insert(0, ("with no terminal to ask on", None))
        for how, answer in cases:
            code, output = self.deploy(after, ci=False, answer=answer)
            problems = [] if code == 1 else [f"exit {code}, want 1"]
            if answer is not None and PROMPT.decode() not in output:
                problems.append("it did not ask")
            if "not deployed" not in output and "no terminal" not in output:
                problems.append("it does not say it deployed nothing")
            if self.deployed_body() != before.body:
                problems.append("the stack's template changed")
            if (status := self.status()) != "CREATE_COMPLETE":
                problems.append(f"stack {status}")
            if left := self.change_sets_left():
                problems.append(f"change sets left: {left}")
            self.report.expect(self.label, f"deploy.sh {how} deploys nothing", problems, output)

    def accepted(self, after: Side, moto: set[tuple[str, str, str]]) -> None:
        code, output = self.deploy(after, ci=False, answer=b"y\n")
        shown = {(m[0], m[1], m[2]) for m in PREVIEW.findall(output)}
        problems = [] if code == 0 else [f"exit {code}"]
        if shown != moto:
            problems.append(f"preview differs from moto's change set: only in the preview "
                            f"{sorted(shown - moto)}, only in moto's {sorted(moto - shown)}")
        unreported = [m[1] for m in PREVIEW.findall(output)
                      if m[0] == "Modify" and m[3] != "not reported"]
        if unreported:  # moto reports none: anything else would be made up
            problems.append(f"Replacement shown for {unreported}, which moto does not report")
        if self.deployed_body() != after.body:
            problems.append("the stack does not have the edited template")
        if (status := self.status()) != "UPDATE_COMPLETE":
            problems.append(f"stack {status}")
        problems += self.missing_subscriptions(after)
        self.report.expect(self.label, 'deploy.sh accepted ("y"): its preview is moto\'s change '
                           "set, then executed", problems, output, f"{len(shown)} changes")

    def missing_subscriptions(self, side: Side) -> list[str]:
        """Each address of `notify` has a subscription to the alarm topic once
        deploy.sh is done. moto's CloudFormation makes no AWS::SNS::Subscription,
        so here every one is deploy.sh's own re-subscription."""
        m = re.search(r"^readonly emails=\((.*)\)$", side.plan, re.MULTILINE)
        if m is None:
            return []
        wanted = {e.strip("'").lower() for e in m.group(1).split()}
        topic = self.aws("cloudformation", "describe-stack-resource", "--stack-name", self.stack,
                         "--logical-resource-id", "AlarmTopic")["StackResourceDetail"][
                             "PhysicalResourceId"]
        listed = self.aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)
        have = {s["Endpoint"].lower() for s in listed.get("Subscriptions", [])
                if s["Protocol"] == "email"}
        return [f"no subscription of {e} to {topic}" for e in sorted(wanted - have)]

    def bucket_elsewhere(self, before: Side) -> None:
        """A template bucket in another region than the stack is refused before
        any change set: CloudFormation would not read the template there."""
        elsewhere = "eu-west-3" if self.region != "eu-west-3" else "eu-west-2"
        bucket = f"{TEMPLATE_BUCKET}-elsewhere"
        self.moto.aws(elsewhere, "s3api", "create-bucket", "--bucket", bucket,
                      "--create-bucket-configuration", f"LocationConstraint={elsewhere}")
        code, output = self.deploy(before, extra={"TOPOFORM_TEMPLATE_BUCKET": bucket})
        problems = [] if code not in (0, None) else [f"exit {code}"]
        if f"is in {elsewhere}" not in output:
            problems.append("it does not say where the bucket is")
        if self.change_sets_left():
            problems.append(f"change sets left: {self.change_sets_left()}")
        if self.deployed_body() == before.body:
            problems.append("the stack went back to the template before the edit")
        self.report.expect(self.label, "deploy.sh refuses a template bucket in another region",
                           problems, output)

    def recovers(self, after: Side, values: dict[str, str]) -> None:
        """Stacks that never completed are deleted and created again; busy ones refused."""
        self.aws("cloudformation", "delete-stack", "--stack-name", self.stack)
        body = self.work / "review.json"
        body.write_text(json.dumps(after.body), encoding="utf-8")
        try:
            self.aws("cloudformation", "create-change-set", "--stack-name", self.stack,
                     "--change-set-name", "nobody-executes", "--change-set-type", "CREATE",
                     "--template-body", f"file://{body}", "--capabilities", "CAPABILITY_IAM",
                     *parameters_args(values))
        except AwsError as e:
            self.report.fail(self.label, "a stack in REVIEW_IN_PROGRESS", str(e))
            return
        state = self.status()
        code, output = self.deploy(after)
        stacks = [s for s in self.aws("cloudformation", "describe-stacks")["Stacks"]
                  if s["StackName"] == self.stack]
        problems = [] if state == "REVIEW_IN_PROGRESS" else [f"the set-up left {state}"]
        problems += [] if code == 0 else [f"exit {code}"]
        if "REVIEW_IN_PROGRESS" not in output or "delete the stack" not in output:
            problems.append("it does not say it deletes the stack that never completed")
        if [s["StackStatus"] for s in stacks] != ["CREATE_COMPLETE"]:
            problems.append(f"stacks named {self.stack}: {[s['StackStatus'] for s in stacks]}")
        self.report.expect(self.label, "deploy.sh recreates a stack in REVIEW_IN_PROGRESS",
                           problems, output)

        shim = self.work / "shim"
        shim.mkdir(exist_ok=True)
        (shim / "aws").write_text(SHIM, encoding="utf-8")
        (shim / "aws").chmod(0o755)
        for status, recreate in (("ROLLBACK_COMPLETE", True), ("UPDATE_IN_PROGRESS", False)):
            log, once = self.work / f"shim-{status}.log", self.work / "shim-once"
            once.touch()
            old_id = self.stack_id()
            code, output = self.deploy(after, path_first=shim, extra={
                "SHIM_LOG": str(log), "SHIM_ONCE": str(once), "SHIM_STATUS": status,
                "SHIM_NESTED_REASON": NESTED_REASON, "REAL_AWS": str(AWS)})
            calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
            ops = [c.split()[1] for c in calls if c.startswith("cloudformation ")]
            problems = []
            if recreate:
                problems += [] if code == 0 else [f"exit {code}"]
                if "ROLLBACK_COMPLETE" not in output or "delete the stack" not in output:
                    problems.append("it does not say it deletes the stack whose create failed")
                if f"      ShimGroup\tCREATE_FAILED\t{NESTED_REASON}" not in output:
                    problems.append("it does not show why the nested stack failed, under it")
                if "    Shard002\tCREATE_FAILED\tParameters: [Topic] must have values" not in output:
                    problems.append("it does not show why a child without an ID failed")
                creates = [i for i, c in enumerate(calls) if "create-change-set" in c]
                deletes = [i for i, c in enumerate(ops) if c == "delete-stack"]
                if not deletes or not creates:
                    problems.append(f"calls: {ops}")
                elif "--change-set-type CREATE" not in calls[creates[0]]:
                    problems.append("it did not create the stack again (no CREATE change set)")
                if self.stack_id() == old_id or self.status() != "CREATE_COMPLETE":
                    problems.append(f"the stack was not recreated ({self.status()})")
            else:
                problems += [] if code not in (0, None) else [f"exit {code}"]
                if "create-change-set" in ops or "delete-stack" in ops:
                    problems.append(f"it changed a busy stack: {ops}")
                if "busy" not in output:
                    problems.append("it does not say the stack is busy")
            what = ("recreates a stack in ROLLBACK_COMPLETE (status from a shim)" if recreate
                    else "refuses a busy stack (status from a shim)")
            self.report.expect(self.label, f"deploy.sh {what}", problems, output)

    def stack_id(self) -> str:
        try:
            return self.aws("cloudformation", "describe-stacks", "--stack-name",
                            self.stack)["Stacks"][0]["StackId"]
        except AwsError:
            return ""


def parameters_args(values: dict[str, str]) -> list[str]:
    """--parameters for the aws CLI (the values are ids and paths: no commas)."""
    if not values:
        return []
    return ["--parameters", *[f"ParameterKey={k},ParameterValue={v}"
                              for k, v in sorted(values.items())]]


def on_terminal(cmd: list[str], env: dict[str, str], cwd: Path,
                answer: bytes) -> tuple[int | None, str]:
    """Runs cmd with a pseudo-terminal as its controlling terminal (so /dev/tty
    opens), types answer after the prompt; (exit code or None, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal, stdin, stdout and stderr
        try:
            os.chdir(cwd)
            os.execvpe(cmd[0], cmd, env)
        finally:
            os._exit(127)
    output, answered = b"", False
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and PROMPT in output:
            os.write(fd, answer)
            answered = True
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode(errors="replace").replace("\r\n", "\n")
    return (os.waitstatus_to_exitcode(status) if time.monotonic() < deadline else None), text


def edited_output(report: Report, topoform: Path, edit: Edit, before: Fixture,
                  work: Path) -> tuple[Path, dict[str, Any]] | None:
    """Synthesizes the edited topology (in a copy of its directory, for its side
    files); (its output dir, `topoform plan --format json` against before)."""
    source = topology_path(before)
    copy = work / "source"
    shutil.copytree(source.parent, copy, ignore=shutil.ignore_patterns("*.snap"))
    edited = copy / source.name
    text = edited.read_text(encoding="utf-8")
    if text.count(edit.old) != 1:
        report.fail(edit.fixture, f"edit [{edit.what}]",
                    f"{edit.old!r} occurs {text.count(edit.old)} times in {source}")
        return None
    edited.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
    out = work / before.name
    synth = run([topoform, "synth", edited, "-o", out])
    plan = run([topoform, "plan", edited, "-o", before.out_dir, "--format", "json"])
    if synth.returncode != 0 or plan.returncode not in (3, 4):
        report.fail(edit.fixture, f"edit [{edit.what}]",
                    f"synth exit {synth.returncode}, plan exit {plan.returncode}",
                    synth.stderr + plan.stderr)
        return None
    return out, json.loads(plan.stdout)


def check_edit(report: Report, moto: Moto, modelled: set[str], topoform: Path,
               out_root: Path, edit: Edit, work: Path, thorough: bool) -> None:
    """The checks of one edit; thorough: also those that depend on deploy.sh
    alone, not on the edit (no terminal; the recovery of a stack), which
    the first edit runs for all (each deploy.sh run costs seconds)."""
    before_fixture = load_fixture(report, out_root / edit.fixture)
    made = edited_output(report, topoform, edit, before_fixture, work)
    if made is None:
        return
    after_fixture = load_fixture(report, made[0])
    moto.reset()
    world = World(moto)
    checks = Run(report, moto, edit, work)
    before = checks.prepare(before_fixture, modelled, world)
    after = checks.prepare(after_fixture, modelled, world)
    if before is None or after is None:
        return
    if checks.large:
        where = [] if checks.region == "us-east-1" else [
            "--create-bucket-configuration", f"LocationConstraint={checks.region}"]
        checks.aws("s3api", "create-bucket", "--bucket", TEMPLATE_BUCKET, *where)
    checks.put_fleet_parameters(after)
    if not checks.first_deploy(before):
        return
    if thorough:
        checks.no_change(before)
    code, stdout, stderr = run_discovery(moto, checks.region, after.plan, work, "discover.sh")
    if code != 0:
        report.fail(checks.label, "deploy.sh --discover-only (edited)", f"exit {code}", stderr)
        return
    values = found_values(stdout)
    view = checks.moto_view(after, values)
    if view is None:
        return
    checks.plan_agrees(made[1], before, after, view)
    checks.declined(before, after, thorough)
    checks.accepted(after, view)
    if UPLOADED.search(before.plan):
        checks.bucket_elsewhere(before)
    elif THROUGH_S3 in edit.what:
        checks.report.fail(checks.label, "deploy.sh uploads the template through S3",
                           "its plan deploys the template inline: the edit no longer tests "
                           "the upload (choose a larger fixture)")
    if thorough:
        checks.recovers(after, values)


def run_edit(topoform: Path, out_root: Path, index: int) -> int:
    """One edit, with a moto server of its own; prints its lines and totals."""
    edit = EDITS[index]
    report = Report()
    with tempfile.TemporaryDirectory(prefix="topoform-changesets-") as tmp:
        try:
            modelled = moto_modelled_types()
            moto = Moto(Path(tmp) / "moto_server.log")
        except AwsError as e:
            report.fail(edit.fixture, "moto", str(e))
            return report.summary()
        with moto:
            try:
                check_edit(report, moto, modelled, topoform, out_root, edit, Path(tmp),
                           thorough=index == 0)
            except AwsError as e:
                report.fail(edit.fixture, f"[{edit.what}] moto", str(e))
    return report.summary()


TOTALS = re.compile(r"^(\d+) passed, (\d+) failed$", re.MULTILINE)


def main(argv: list[str]) -> int:
    """Runs the edits in child processes, as many at once as there are CPUs
    (each deploy.sh run is mostly the aws CLI starting), then prints their
    lines in order and the totals."""
    if len(argv) == 3 and argv[0].startswith("--edit="):
        return run_edit(Path(argv[1]), Path(argv[2]), int(argv[0].removeprefix("--edit=")))
    if len(argv) != 2:
        print("usage: changesets.py TOPOFORM OUT_ROOT", file=sys.stderr)
        return 2
    topoform, out_root = Path(argv[0]).resolve(), Path(argv[1]).resolve()
    report = Report()
    jobs = max(1, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="topoform-changesets-") as tmp:
        running: list[tuple[int, subprocess.Popen[str], Path]] = []
        finished: dict[int, tuple[int, str]] = {}
        pending = list(range(len(EDITS)))
        while pending or running:
            while pending and len(running) < jobs:
                index = pending.pop(0)
                log = Path(tmp) / f"{index}.log"
                with open(log, "w", encoding="utf-8") as out:
                    child = subprocess.Popen(
                        [sys.executable, "-B", __file__, f"--edit={index}", str(topoform),
                         str(out_root)], stdout=out, stderr=subprocess.STDOUT, text=True)
                running.append((index, child, log))
            index, child, log = running.pop(0)
            finished[index] = (child.wait(), log.read_text(encoding="utf-8"))
        for index in sorted(finished):
            code, output = finished[index]
            lines = output.splitlines()
            print("\n".join(line for line in lines if not TOTALS.match(line)
                            and not line.endswith(" not verified")), flush=True)
            totals = TOTALS.search(output)
            if totals is None:
                report.fail(EDITS[index].fixture, "worker", f"exit {code} without totals")
                continue
            report.passed += int(totals.group(1))
            report.failed += int(totals.group(2))
    return report.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
