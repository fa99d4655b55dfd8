"""Deploying templates to a local moto server (check 5 of validate.py).

A template is not deployed as is but as a "deployable copy":

* moto 5.2 has no CloudFormation model for some types the generator uses
  (AWS::CloudWatch::Alarm, AWS::S3::BucketPolicy, AWS::CloudFront::*,
  AWS::Scheduler::Schedule, AWS::DLM::LifecyclePolicy, AWS::IAM::RolePolicy, ...;
  the list is asked from moto itself). It skips them, after which a Ref to one
  silently resolves to nothing and a GetAtt fails the stack, so they are removed
  along with everything whose properties use them.
* moto only accepts ids it issued, so the subnets, security groups, VPCs,
  Elastic IPs, AMIs, hosted zones and (in the stack's region) ACM certificates
  a template uses without creating them are created in moto first and their
  ids rewritten.
* Parameters without a Default get a plausible value by type.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import random
import re
import socket
import string
import subprocess
import time
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    AWS_ENV, DEFAULT_REGION, MOTO_SERVER, SUB_VARIABLE, VENV_BIN, VENV_PYTHON, Fixture,
    Report, given_addresses,
    free_port, references, run, same, stack_name, template_region,
)

EC2_ID = re.compile(r"\b(?:subnet|sg|vpc|eipalloc|ami)-[0-9a-f]{8,17}\b")
ACM_ARN = re.compile(r"arn:aws:acm:([a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f-]{36}")
ZONE_ID = re.compile(r"Z[0-9A-Z]{8,32}")
MOTO_ZONE_ID_ALPHABET = string.ascii_uppercase + string.digits
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # alias targets' zone, not one of ours
FALLBACK_DOMAIN = "example.com"
LATEST_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
)
# A topic ARN of the shape an edge stack's output has (moto's default account).
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:topoform-validate-edge-topic"
OWN_SSM_PREFIX = "/topoform-validate"
KEY_PAIR_NAME = "topoform-validate"
STAND_IN = "{}-not-in-moto"
STAND_IN_TEXT = re.compile(r"[A-Za-z0-9]+-not-in-moto")
NO_MODEL = "moto has no CloudFormation model for {}"
USES_REMOVED = "uses a resource moto cannot deploy"
# Types moto models but cannot run, and what is done instead.
NOT_RUN = {
    "AWS::CloudFormation::Stack": "moto cannot run a nested stack (one whose template is in "
    "moto's own S3 stays CREATE_IN_PROGRESS, moto 5.2.5); sampled children deploy on their own",
}
# Attributes of unmodelled types that have one well-known plausible shape, so
# that the resources using them (a SECONDARY alias record, say) can still be
# deployed and described back. Values from the AWS documentation's examples.
PLAUSIBLE_ATTRIBUTES = {
    ("AWS::CloudFront::Distribution", "DomainName"): "d111111abcdef8.cloudfront.net",
}
GAP_VOLUME_SIZE = 8  # GiB
DISCOVER_TIMEOUT_SECONDS = 120
STACK_TIMEOUT_SECONDS = 60
ACCESS_LOG_LINE = re.compile(r'^127\.0\.0\.1 - - \[.*\] "')
SERVER_START_SECONDS = 30
SERVER_LOG_LINES = 12  # of a traceback, enough to see where moto failed


class AwsError(Exception):
    """An aws CLI call against moto failed (or moto itself did)."""


class Moto:
    """A moto server for the whole run, and aws CLI calls against it.

    The server's log goes to log_path; when a call fails, what the server logged
    meanwhile (other than access lines: a traceback on a 500) joins the error.
    """

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise AwsError(f"moto_server did not come up on port {self.port}"
                                   + self._server_log_since(0)) from None
                time.sleep(0.2)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> Moto:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        """Forgets every resource and seeds the ids: each fixture starts the same way."""
        self._moto_api("reset")
        self.seed(0)

    def seed(self, value: int) -> None:
        """Seeds moto's random generator: the ids it issues next follow from the seed."""
        self._moto_api(f"seed?a={value}")

    def _moto_api(self, path: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/{path}", method="POST")
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except OSError as e:
            raise AwsError(f"moto-api/{path}: {e}") from e

    def env(self, region: str) -> dict[str, str]:
        """This process's environment without AWS settings, plus moto's credentials."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return clean | AWS_ENV | {"AWS_DEFAULT_REGION": region}

    def aws(self, region: str, service: str, operation: str, *args: str) -> dict[str, Any]:
        """The harness's own call: the aws CLI in this process (see in_process_cli)."""
        log_start = self.log_path.stat().st_size
        code, stdout, stderr = in_process_cli(
            ["--endpoint-url", self.endpoint, "--region", region, "--output", "json", service,
             operation, *args])
        if code != 0:
            raise AwsError(f"aws {service} {operation}: {stderr.strip()}"
                           + self._server_log_since(log_start))
        return json.loads(stdout) if stdout.strip() else {}

    def _server_log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
        logged = [line for line in lines if not ACCESS_LOG_LINE.match(line)][-SERVER_LOG_LINES:]
        return "\nmoto_server logged (tail):\n" + "\n".join(logged) if logged else ""


def in_process_cli(args: list[str]) -> tuple[int, str, str]:
    """Runs the pinned aws CLI (the venv's awscli, this harness's interpreter)
    in this process: (exit code, stdout, stderr). A process per call spends
    most of its time starting Python and importing the CLI; a fresh driver in
    this process (a driver keeps state from one command to the next, so it is
    not reused) saves that. Only the harness's own calls run here: what the
    product runs (deploy.sh, user-data) still starts the real `aws`. The
    region is an argument, the credentials moto's.
    """
    import awscli.clidriver  # sets AWS_DATA_PATH, which the CLI needs

    for key in [k for k in os.environ if k.startswith("AWS_") and k != "AWS_DATA_PATH"]:
        del os.environ[key]
    os.environ.update(AWS_ENV)
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = awscli.clidriver.create_clidriver().main(args)
    return code, stdout.getvalue(), stderr.getvalue()


def moto_modelled_types() -> set[str]:
    """The resource types moto's CloudFormation can create (it skips the others)."""
    code = "from moto.cloudformation.parsing import get_model_map; print(*get_model_map())"
    proc = run([VENV_PYTHON, "-W", "ignore", "-c", code])
    if proc.returncode != 0:
        raise AwsError(f"cannot list moto's CloudFormation models: {proc.stderr.strip()}")
    return set(proc.stdout.split())


def strip_unmodelled(template: dict[str, Any],
                     modelled: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy without the resources moto cannot create, adapted for their absence.

    A plain Ref (or ${Name} in Fn::Sub) to a removed resource would resolve to
    nothing: it gets a stand-in value, "<Name>-not-in-moto" (a name or id is
    all a Ref yields). An attribute (Fn::GetAtt, ${Name.Attr}) mostly cannot be
    faked (ARNs), so a resource whose properties use one of a removed resource
    is removed too, to a fixed point; the few attributes with one well-known
    shape (PLAUSIBLE_ATTRIBUTES) get that value instead. A DependsOn on a removed
    resource only orders creation: just that entry goes. Outputs using removed
    resources go. Returns the copy and {removed or stood-in name: why}.
    """
    body = copy.deepcopy(template)
    resources = body.get("Resources", {})
    removed = {name: f"removed: {NOT_RUN.get(res['Type'], NO_MODEL.format(res['Type']))}"
               for name, res in resources.items() if res["Type"] not in modelled}
    types = {name: res["Type"] for name, res in resources.items()}
    changed = True
    while changed:
        changed = False
        for name, resource in sorted(resources.items()):
            if name in removed:
                continue
            used = {k: v for k, v in resource.items() if k != "DependsOn"}
            hits = sorted(references(stand_in_refs(used, removed.keys(), types)) & removed.keys())
            if hits:
                removed[name] = f"removed: {USES_REMOVED} ({', '.join(hits)})"
                changed = True
    changes = dict(removed)
    for name in removed:
        del resources[name]
    for name, resource in sorted(resources.items()):
        if "DependsOn" in resource:
            depends = resource.pop("DependsOn")
            kept = [d for d in ([depends] if isinstance(depends, str) else depends)
                    if d not in removed]
            if kept:
                resource["DependsOn"] = kept
        stood_in = sorted(references(resource) & removed.keys())
        if stood_in:
            resources[name] = stand_in_refs(resource, removed.keys(), types)
            changes[name] = f"stand-in values for references to {', '.join(stood_in)}"
    for name, output in sorted(body.get("Outputs", {}).items()):
        hits = sorted(references(output) & removed.keys())
        if hits:
            del body["Outputs"][name]
            changes[f"output {name}"] = f"removed: {USES_REMOVED} ({', '.join(hits)})"
    return body, changes


def stand_in_refs(node: Any, removed: Collection[str], types: dict[str, str]) -> Any:
    """node with each Ref / ${Name} to a removed resource replaced by a stand-in
    string, and each Fn::GetAtt of a PLAUSIBLE_ATTRIBUTES one by its value."""
    if isinstance(node, list):
        return [stand_in_refs(item, removed, types) for item in node]
    if not isinstance(node, dict):
        return node
    if list(node) == ["Ref"] and node["Ref"] in removed:
        return STAND_IN.format(node["Ref"])
    if list(node) == ["Fn::GetAtt"]:
        target, attr = (node["Fn::GetAtt"].split(".", 1) if isinstance(node["Fn::GetAtt"], str)
                        else node["Fn::GetAtt"])
        plausible = PLAUSIBLE_ATTRIBUTES.get((types.get(target, ""), attr))
        if target in removed and plausible is not None:
            return plausible
    if "Fn::Sub" in node:
        text, variables = ((node["Fn::Sub"], None) if isinstance(node["Fn::Sub"], str)
                           else node["Fn::Sub"])
        local = set(variables or {})
        text = SUB_VARIABLE.sub(lambda m: STAND_IN.format(m.group(1))
                                if m.group(1) in removed and m.group(1) not in local
                                else m.group(0), text)
        return {"Fn::Sub": text if variables is None
                else [text, stand_in_refs(variables, removed, types)]}
    return {key: stand_in_refs(value, removed, types) for key, value in node.items()}


def fill_moto_gaps(body: dict[str, Any]) -> list[str]:
    """Adds to the copy what moto needs although CloudFormation does not; notes on each."""
    notes = []
    for name, resource in sorted(body.get("Resources", {}).items()):
        props = resource.setdefault("Properties", {})
        if resource["Type"] == "AWS::SSM::Parameter" and "Name" not in props:
            props["Name"] = f"{OWN_SSM_PREFIX}/{name}"
            notes.append(f"{name}: Name {props['Name']} (moto cannot generate one)")
        if resource["Type"] == "AWS::EC2::LaunchTemplate":
            for mapping in props.get("LaunchTemplateData", {}).get("BlockDeviceMappings", []):
                ebs = mapping.get("Ebs")
                if isinstance(ebs, dict) and not {"VolumeSize", "SnapshotId"} & ebs.keys():
                    ebs["VolumeSize"] = GAP_VOLUME_SIZE
                    notes.append(f"{name}: {mapping.get('DeviceName')} VolumeSize "
                                 f"{GAP_VOLUME_SIZE} (moto cannot take the AMI's)")
    return notes + launch_template_instances(body)


def launch_template_instances(body: dict[str, Any]) -> list[str]:
    """moto's AWS::EC2::Instance ignores LaunchTemplate and requires ImageId: an
    instance launched from one of the template's launch templates gets that
    template's ImageId and InstanceType in the copy, as EC2 would take them."""
    notes = []
    resources = body.get("Resources", {})
    for name, resource in sorted(resources.items()):
        props = resource.get("Properties", {})
        if resource["Type"] != "AWS::EC2::Instance" or "ImageId" in props:
            continue
        template_id = props.get("LaunchTemplate", {}).get("LaunchTemplateId")
        template_name = template_id.get("Ref") if isinstance(template_id, dict) else None
        data = (resources.get(template_name, {}).get("Properties", {})
                .get("LaunchTemplateData", {}))
        copied = [key for key in ("ImageId", "InstanceType") if key in data]
        for key in copied:
            props[key] = copy.deepcopy(data[key])
        if copied:
            notes.append(f"{name}: {', '.join(copied)} from {template_name} "
                         "(moto ignores LaunchTemplate)")
    return notes


def zone_ids_used(template: dict[str, Any]) -> dict[str, str | None]:
    """Hosted zone ids the template uses without creating them, each with its domain if known.

    They come from Metadata.topoform.zones ({id: domain}), from HostedZoneId
    properties (not those inside AliasTarget: that is the target's zone; domain =
    the record name minus its first label), from Defaults of parameters typed
    AWS::Route53::HostedZone::Id and from tag values that look like one.
    """
    zones: dict[str, str | None] = dict(
        template.get("Metadata", {}).get("topoform", {}).get("zones", {}))
    for spec in template.get("Parameters", {}).values():
        if spec.get("Type") == "AWS::Route53::HostedZone::Id" and "Default" in spec:
            zones.setdefault(spec["Default"], None)

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            zone, name, value = node.get("HostedZoneId"), node.get("Name"), node.get("Value")
            if isinstance(zone, str) and zone != CLOUDFRONT_ZONE_ID:
                domain = name.rstrip(".").split(".", 1)[-1] if isinstance(name, str) else None
                zones[zone] = zones.get(zone) or domain
            if "Key" in node and isinstance(value, str) and ZONE_ID.fullmatch(value):
                zones.setdefault(value, None)
            for key, child in node.items():
                if key != "AliasTarget":
                    walk(child)

    walk(template.get("Resources", {}))
    zones.pop(CLOUDFRONT_ZONE_ID, None)
    return zones


class World:
    """What exists in the account before the stacks, created in moto on first use.

    Each distinct id a template uses but does not create maps to a fresh moto
    resource of the same kind: subnets in successive availability zones of one
    VPC per region (public, so that instances get a public IP), security groups
    in that VPC, Elastic IPs, the region's current Amazon Linux AMI (which moto
    knows), hosted zones by domain, ACM certificates.
    """

    def __init__(self, moto: Moto) -> None:
        self.moto = moto
        self.vpcs: dict[str, str] = {}
        self.subnets: dict[str, list[str]] = {}
        self.availability_zones: dict[str, list[str]] = {}
        self.amis: dict[str, str] = {}
        self.key_pair_regions: set[str] = set()
        self.zones: dict[str, str] = {}  # domain -> moto zone id
        self.ec2_ids: dict[tuple[str, str], str] = {}  # (region, original) -> moto id
        self.zone_ids: dict[str, str] = {}  # original -> moto id
        self.certificates: dict[str, str] = {}  # original ARN -> moto ARN
        self.zone_seed = 0

    def vpc(self, region: str) -> str:
        if region not in self.vpcs:
            vpc = self.moto.aws(region, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")
            self.vpcs[region] = vpc["Vpc"]["VpcId"]
        return self.vpcs[region]

    def subnet(self, region: str, index: int) -> str:
        """The region's index-th subnet."""
        if region not in self.availability_zones:
            zones = self.moto.aws(region, "ec2", "describe-availability-zones")
            self.availability_zones[region] = sorted(
                z["ZoneName"] for z in zones["AvailabilityZones"])
        names = self.availability_zones[region]
        subnets = self.subnets.setdefault(region, [])
        while len(subnets) <= index:
            n = len(subnets)
            subnet = self.moto.aws(
                region, "ec2", "create-subnet", "--vpc-id", self.vpc(region),
                "--cidr-block", f"10.0.{n}.0/24", "--availability-zone", names[n % len(names)],
            )["Subnet"]["SubnetId"]
            # moto gives Auto Scaling instances a public IP only by this subnet setting
            self.moto.aws(region, "ec2", "modify-subnet-attribute", "--subnet-id", subnet,
                          "--map-public-ip-on-launch")
            subnets.append(subnet)
        return subnets[index]

    def new_subnet(self, region: str) -> str:
        return self.subnet(region, len(self.subnets.get(region, [])))

    def security_group(self, region: str, name: str) -> str:
        return self.moto.aws(region, "ec2", "create-security-group", "--group-name",
                             f"pre-existing-{name}", "--description", "pre-existing group",
                             "--vpc-id", self.vpc(region))["GroupId"]

    def address_of(self, region: str, allocation: str) -> str:
        return self.moto.aws(region, "ec2", "describe-addresses", "--allocation-ids",
                             allocation)["Addresses"][0]["PublicIp"]

    def elastic_ip(self, region: str) -> str:
        return self.moto.aws(region, "ec2", "allocate-address", "--domain", "vpc")["AllocationId"]

    def ami(self, region: str) -> str:
        if region not in self.amis:
            parameter = self.moto.aws(region, "ssm", "get-parameter", "--name",
                                      LATEST_AMI_PARAMETER)
            self.amis[region] = parameter["Parameter"]["Value"]
        return self.amis[region]

    def ubuntu_ami(self, region: str) -> str:
        """An Ubuntu image of moto's, EBS-backed with its root on /dev/sda1 (the
        second AMI family, next to Amazon Linux's /dev/xvda)."""
        key = f"{region}/ubuntu"
        if key not in self.amis:
            images = self.moto.aws(region, "ec2", "describe-images", "--filters",
                                   "Name=name,Values=ubuntu/images/*",
                                   "Name=root-device-name,Values=/dev/sda1",
                                   "Name=root-device-type,Values=ebs")["Images"]
            if not images:
                raise AwsError(f"moto has no Ubuntu image with its root on /dev/sda1 in {region}")
            self.amis[key] = min(i["ImageId"] for i in images)
        return self.amis[key]

    def image_for_path(self, region: str, path: str) -> str:
        """The stand-in image for an SSM image path moto does not know: Ubuntu's
        for Canonical's paths, else Amazon Linux."""
        return self.ubuntu_ami(region) if "/ubuntu/" in path else self.ami(region)

    def stray_subnet(self, region: str) -> str:
        """A subnet in a VPC of its own, which no fixture uses."""
        key = (region, "stray-subnet")
        if key not in self.ec2_ids:
            vpc = self.moto.aws(region, "ec2", "create-vpc", "--cidr-block",
                                "10.9.0.0/16")["Vpc"]["VpcId"]
            self.ec2_ids[key] = self.moto.aws(region, "ec2", "create-subnet", "--vpc-id", vpc,
                                              "--cidr-block", "10.9.0.0/24")["Subnet"]["SubnetId"]
        return self.ec2_ids[key]

    def instance_store_image(self, region: str) -> str:
        """An image that is not EBS-backed (moto registers images as "standard")."""
        key = (region, "instance-store-image")
        if key not in self.ec2_ids:
            self.ec2_ids[key] = self.moto.aws(region, "ec2", "register-image", "--name",
                                              "topoform-validate-not-ebs")["ImageId"]
        return self.ec2_ids[key]

    def key_pair(self, region: str) -> str:
        if region not in self.key_pair_regions:
            self.moto.aws(region, "ec2", "create-key-pair", "--key-name", KEY_PAIR_NAME)
            self.key_pair_regions.add(region)
        return KEY_PAIR_NAME

    def zone(self, domain: str) -> str:
        if domain not in self.zones:
            # Real zone ids start with "Z", and scripts may check that. moto draws
            # each of its 22 characters from [A-Z0-9], the first right after a
            # seed: seed it so that the first is a "Z".
            self.zone_seed += 1
            while random.Random(self.zone_seed).choice(MOTO_ZONE_ID_ALPHABET) != "Z":
                self.zone_seed += 1
            self.moto.seed(self.zone_seed)
            zone = self.moto.aws(DEFAULT_REGION, "route53", "create-hosted-zone", "--name", domain,
                                 "--caller-reference", f"topoform-validate-{domain}")
            self.zones[domain] = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
        return self.zones[domain]

    def certificate(self, region: str, original: str) -> str:
        """An ACM certificate in moto standing in for original (load balancer
        listeners must name one that exists)."""
        if original not in self.certificates:
            self.certificates[original] = self.moto.aws(
                region, "acm", "request-certificate", "--domain-name", FALLBACK_DOMAIN,
                "--idempotency-token", f"topoform{len(self.certificates)}",
            )["CertificateArn"]
        return self.certificates[original]

    def ssm_parameter(self, region: str, name: str, value: str) -> str:
        """Stores value under a path of ours (moto refuses to store /aws/... names)."""
        path = f"{OWN_SSM_PREFIX}/{name}"
        self.moto.aws(region, "ssm", "put-parameter", "--name", path, "--type", "String",
                      "--value", value, "--overwrite")
        return path

    def knows_ssm_parameter(self, region: str, path: str) -> bool:
        try:
            self.moto.aws(region, "ssm", "get-parameter", "--name", path)
            return True
        except AwsError:
            return False

    def _new_ec2(self, region: str, original: str) -> str:
        kind = original.split("-", 1)[0]
        if kind == "vpc":
            return self.vpc(region)
        if kind == "subnet":
            return self.new_subnet(region)
        if kind == "sg":
            return self.security_group(region, original)
        if kind == "eipalloc":
            return self.elastic_ip(region)
        return self.ami(region)

    def ids_of(self, region: str, body: dict[str, Any], fixture: Fixture) -> dict[str, str]:
        """map_ids, plus each address the topology gives for an allocation:
        moto's address of the allocation that stands in for it (deploy.sh
        checks the pair)."""
        ids = self.map_ids(region, body)
        for allocation, address in sorted(given_addresses(fixture).items()):
            if allocation in ids:
                ids[address] = self.address_of(region, ids[allocation])
        return ids

    def map_ids(self, region: str, template: dict[str, Any]) -> dict[str, str]:
        """{original id: moto id} for every external id the template uses, creating them."""
        ids = {}
        for original in sorted(set(EC2_ID.findall(json.dumps(template)))):
            if (region, original) not in self.ec2_ids:
                self.ec2_ids[region, original] = self._new_ec2(region, original)
            ids[original] = self.ec2_ids[region, original]
        arns = sorted({(m[0], m[1]) for m in ACM_ARN.finditer(json.dumps(template))})
        for arn, arn_region in arns:
            # Only the template's own region: other certificates (CloudFront's,
            # in us-east-1) are used by resources moto does not model.
            if arn_region == region:
                ids[arn] = self.certificate(region, arn)
        for original, domain in sorted(zone_ids_used(template).items()):
            if original not in self.zone_ids:
                self.zone_ids[original] = self.zone(domain or FALLBACK_DOMAIN)
            ids[original] = self.zone_ids[original]
        return ids


def rewrite_ids(template: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """The template with every whole-word occurrence of an original id replaced."""
    if not ids:
        return template
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ids)) + r")\b")
    return json.loads(pattern.sub(lambda m: ids[m.group(1)], json.dumps(template)))


def plausible_value(world: World, region: str, name: str, spec: dict[str, Any]) -> str:
    """A value for a parameter without Default, by its Type."""
    kind = spec.get("Type", "String")
    if spec.get("AllowedValues"):
        return str(spec["AllowedValues"][0])
    match kind:
        case "AWS::EC2::Subnet::Id":
            return world.subnet(region, 0)
        case "List<AWS::EC2::Subnet::Id>":
            return f"{world.subnet(region, 0)},{world.subnet(region, 1)}"
        case "AWS::EC2::SecurityGroup::Id" | "List<AWS::EC2::SecurityGroup::Id>":
            return world.security_group(region, name)
        case "AWS::EC2::VPC::Id":
            return world.vpc(region)
        case "AWS::EC2::Image::Id":
            return world.ami(region)
        case "AWS::EC2::KeyPair::KeyName":
            return world.key_pair(region)
        case "AWS::Route53::HostedZone::Id":
            return world.zone(FALLBACK_DOMAIN)
        case "Number" | "List<Number>":
            return str(spec.get("MinValue", 1))
    if name.endswith("CertificateArn"):
        return CERTIFICATE_ARN
    if name.endswith("TopicArn"):
        return TOPIC_ARN
    return "test"


def prepare_parameters(world: World, region: str, body: dict[str, Any]
                       ) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Values for the parameters without Default, notes on what was filled in,
    and {original SSM path: ours} for the paths replaced.

    moto resolves an SSM-typed parameter's Default even when a value is passed,
    so a Default path moto does not know is replaced in the copy by one of ours,
    which holds an image of the path's family.
    """
    values, notes, paths = {}, [], {}
    for name, spec in sorted(body.get("Parameters", {}).items()):
        kind = spec.get("Type", "String")
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            default = spec.get("Default")
            if default is not None and world.knows_ssm_parameter(region, default):
                continue
            inner = {"Type": kind.removeprefix("AWS::SSM::Parameter::Value<").removesuffix(">")}
            value = (world.image_for_path(region, default or "")
                     if inner["Type"] == "AWS::EC2::Image::Id"
                     else plausible_value(world, region, name, inner))
            spec["Default"] = world.ssm_parameter(region, name, value)
            if default is not None:
                paths[default] = spec["Default"]
            notes.append(f"parameter {name}: SSM path {default!r} -> {spec['Default']}")
        elif "Default" not in spec:
            values[name] = plausible_value(world, region, name, spec)
            notes.append(f"parameter {name} = {values[name]}")
    return values, notes, paths


def image_paths(world: World, region: str, fixture: Fixture, notes: list[str]) -> dict[str, str]:
    """{SSM image path: ours} for the paths deploy.sh reads images from that moto
    does not know (moto refuses to store /aws/... names): each of ours holds an
    image of the path's family."""
    original = fixture.out_dir / "deploy.sh"
    text = original.read_text(encoding="utf-8") if original.is_file() else ""
    paths = {}
    for m in PINNED_IMAGE_STEP.finditer(text):
        parameter, path = m.group(2), m.group(3)
        if path in paths or world.knows_ssm_parameter(region, path):
            continue
        paths[path] = world.ssm_parameter(region, f"image-{parameter}",
                                          world.image_for_path(region, path))
        notes.append(f"image path {path!r} -> {paths[path]} (moto does not know it)")
    return paths


def rewritten_plan(fixture: Fixture, replacements: dict[str, str]) -> str | None:
    """The fixture's deploy.sh with its ids and SSM paths replaced by moto's."""
    original = fixture.out_dir / "deploy.sh"
    if not original.is_file():
        return None
    text = original.read_text(encoding="utf-8")
    if replacements:
        pattern = re.compile("|".join(
            rf"(?<![\w/.-]){re.escape(k)}(?![\w/.-])"
            for k in sorted(replacements, key=len, reverse=True)))
        text = pattern.sub(lambda m: replacements[m.group(0)], text)
    return text


def found_values(stdout: str) -> dict[str, str]:
    """The `Name=value` lines deploy.sh --discover-only prints."""
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)


def run_discovery(moto: Moto, region: str, text: str, work: Path,
                  name: str = "deploy.sh", *extra: str) -> tuple[int | None, str, str]:
    """Runs a deploy plan with --discover-only (and `extra` arguments) against
    moto: (exit code or None on timeout, stdout, stderr)."""
    script = work / name
    script.write_text(text, encoding="utf-8")
    env = moto.env(region) | {"AWS_ENDPOINT_URL": moto.endpoint,
                              "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        proc = subprocess.run(["bash", str(script), "--discover-only", *extra], env=env,
                              cwd=work,
                              capture_output=True, text=True, check=False,
                              timeout=DISCOVER_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, "", f"no answer in {DISCOVER_TIMEOUT_SECONDS} s"
    return proc.returncode, proc.stdout, proc.stderr


def discover(report: Report, fixture: Fixture, moto: Moto, world: World, region: str,
             body: dict[str, Any], replacements: dict[str, str],
             work: Path) -> dict[str, str] | None:
    """Runs the fixture's deploy.sh --discover-only against moto (its ids and SSM
    paths replaced by moto's) and returns the parameters it found; None (and a
    FAIL) if it fails, or leaves a parameter without a value that deploy.sh must
    find. Certificate and topic ARNs come from the edge stack, which this does
    not run.
    Then checks that it refuses an account that does not fit the topology.
    """
    check = "deploy.sh --discover-only"
    text = rewritten_plan(fixture, replacements)
    if text is None:
        report.fail(fixture.name, check, "no deploy.sh")
        return None
    code, stdout, stderr = run_discovery(moto, region, text, work)
    if code != 0:
        report.fail(fixture.name, check, f"exit {code}", stderr + stdout)
        return None
    found = found_values(stdout)
    # What the edge stack outputs (certificate and topic ARNs) deploy.sh reads
    # from it after deploying it, which --discover-only does not.
    from_edge = {key for path, template in fixture.templates.items()
                 if path.name.endswith("-edge.template.json")
                 for key in template.get("Outputs", {})}
    needed = {name for name, spec in body.get("Parameters", {}).items()
              if "Default" not in spec and name not in from_edge}
    problems = [f"not found: {name}" for name in sorted(needed - found.keys())]
    problems += [f"found {name}, which the template does not declare"
                 for name in sorted(found.keys() - body.get("Parameters", {}).keys())]
    note = ", ".join(f"{k}={v}" for k, v in sorted(found.items())) or "nothing to find"
    if not report.expect(fixture.name, check, problems, stderr, note):
        return None
    check_refusals(report, fixture, moto, world, region, text, work)
    return found


# A plan step whose subnets are all in one VPC, and one that names an image.
SUBNET_STEP = re.compile(r"^(?:found_\w+=\$\(vpc_of|check_vpc) .*?(subnet-[0-9a-f]+)\)?$",
                         re.MULTILINE)
ADDRESS_STEP = re.compile(r"^check_address \S+ \S+ ([0-9.]+)$", re.MULTILINE)
IMAGE_STEP = re.compile(r"^(?:found_\w+=\$\(root_device_of|check_root_device) \S+ "
                        r"(ami-[0-9a-f]+|\"\$found_\w+\")", re.MULTILINE)
# A plan step that finds the image an `ssm:` path names: block, parameter, path.
PINNED_IMAGE_STEP = re.compile(r"^found_\w+=\$\(image_of (\S+) (\w+) (\S+)\)$", re.MULTILINE)


def check_refusals(report: Report, fixture: Fixture, moto: Moto, world: World, region: str,
                   text: str, work: Path) -> None:
    """deploy.sh stops, naming the block, when the account does not fit: one
    subnet moved to another VPC; an image that is not EBS-backed; an Elastic
    IP address that is not its allocation's; a record the stack creates that
    the zone already holds."""
    cases = []
    if m := SUBNET_STEP.search(text):
        stray = world.stray_subnet(region)
        line = m.group(0)
        cases.append(("subnets in two VPCs", text.replace(line, line.replace(m.group(1), stray)),
                      line.split("'", 2)[1]))
    if m := IMAGE_STEP.search(text):
        image = world.instance_store_image(region)
        line = m.group(0)
        cases.append(("an image that is not EBS-backed",
                      text.replace(line, line.replace(m.group(1), image)), line.split("'", 2)[1]))
    if m := ADDRESS_STEP.search(text):
        line = m.group(0)
        cases.append(("an address that is not the allocation's",
                      text.replace(line, line.replace(m.group(1), "192.0.2.1")),
                      line.split("'", 2)[1]))
    for index, (what, broken, block) in enumerate(cases):
        result = run_discovery(moto, region, broken, work, f"refuse-{index}.sh")
        expect_refusal(report, fixture, f"deploy.sh refuses {what}", block, *result)
    if m := RECORD_STEP.search(text):
        check_record_taken(report, fixture, moto, region, text, work, m)


# A plan step that checks a record the stack creates is not there yet.
RECORD_STEP = re.compile(r"^check_record_free (\S+) (\S+) (\S+) \S+( \S+)?$", re.MULTILINE)


def check_record_taken(report: Report, fixture: Fixture, moto: Moto, region: str, text: str,
                       work: Path, m: re.Match[str]) -> None:
    """deploy.sh stops, naming the block, when the zone already holds an A record
    of the name the stack creates (without a set identifier, which no record of
    that name can sit beside); and passes again once it is gone."""
    block, zone, name = m.group(1).strip("'"), m.group(2).strip("'"), m.group(3).strip("'")
    check = "deploy.sh refuses a record that exists already"

    def change(action: str) -> None:
        batch = {"Changes": [{"Action": action, "ResourceRecordSet": {
            "Name": f"{name}.", "Type": "A", "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.7"}]}}]}
        moto.aws(region, "route53", "change-resource-record-sets", "--hosted-zone-id", zone,
                 "--change-batch", json.dumps(batch))

    change("CREATE")
    try:
        result = run_discovery(moto, region, text, work, "refuse-record.sh")
    finally:
        change("DELETE")
    expect_refusal(report, fixture, check, block, *result)


def expect_refusal(report: Report, fixture: Fixture, check: str, block: str,
                   code: int | None, stdout: str, stderr: str) -> None:
    """A refusal: a failing exit, with a message that names the block."""
    problems = []
    if code is None:
        problems.append("it timed out")
    elif code == 0:
        problems.append("it exited 0")
    if block not in stderr:
        problems.append(f"its message does not name {block}")
    report.expect(fixture.name, check, problems, stderr + stdout,
                  stderr.strip().splitlines()[-1] if stderr.strip() else "")


@dataclass
class Stack:
    """A template deployed to moto."""

    name: str
    region: str
    original: dict[str, Any]
    body: dict[str, Any]  # the deployed copy
    parameters: dict[str, str]  # every parameter's value as deployed (SSM ones: the path)
    physical: dict[str, str]  # logical id -> physical id, from describe-stack-resources

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body.get("Resources", {})


def deploy(report: Report, fixture: Fixture, moto: Moto, world: World, modelled: set[str],
           path: Path, work: Path, template: dict[str, Any] | None = None,
           given: dict[str, str] | None = None) -> Stack | None:
    """Deploys the template's deployable copy; None (and a FAIL) if that fails.

    template: what to deploy instead of the file's template (a parent with
    probe outputs). given: a nested stack's parameter values, as its parent
    passes them (then deploy.sh finds nothing: it deploys only the parent)."""
    template = template if template is not None else fixture.templates[path]
    name, region = stack_name(path), template_region(template)
    check = f"moto deploy {path.name}"
    body, changes = strip_unmodelled(template, modelled)
    for what, why in sorted(changes.items()):
        if why.startswith("removed: "):
            # Never deployed, so never described back: not verified, not a pass.
            kind = template.get("Resources", {}).get(what, {}).get("Type", "")
            reason, _, uses = why.removeprefix("removed: ").partition(" (")
            unit = "output" if what.startswith("output ") else "resource"
            detail = ", ".join(x for x in (kind, uses.rstrip(")") and "uses " + uses.rstrip(")"))
                               if x)
            report.not_verified(fixture.name, f"{path.name}: {what}", f"not deployed: {reason}",
                                unit, detail)
        else:
            report.note(fixture.name, f"{path.name}: {what}: {why}")
    if not body.get("Resources"):
        report.not_verified(fixture.name, check, "not deployed: nothing left that moto can deploy",
                            "stack", f"all {len(template.get('Resources', {}))} resources removed")
        return None
    for note in fill_moto_gaps(body):
        report.note(fixture.name, f"{path.name}: {note}")
    try:
        ids = world.ids_of(region, body, fixture)
        body = rewrite_ids(body, ids)
        for original, new in sorted(ids.items()):
            report.note(fixture.name, f"{path.name}: {original} -> moto {new}")
        values, notes, paths = prepare_parameters(world, region, body)
        paths |= image_paths(world, region, fixture, notes)
        found: dict[str, str] = {}
        if given is not None:
            values, notes = dict(given), []
        elif not path.name.endswith("-edge.template.json"):
            # The values deploy.sh finds in the account, not the harness's guesses.
            result = discover(report, fixture, moto, world, region, body, ids | paths, work)
            if result is None:
                return None
            found = result
            values |= found
        for note in notes:
            if not any(note.startswith(f"parameter {name} = ") for name in found):
                report.note(fixture.name, f"{path.name}: {note}")
        described = create_stack(moto, region, name, body, values, work)
        if described["StackStatus"] != "CREATE_COMPLETE":
            report.fail(fixture.name, check, described["StackStatus"],
                        stack_events(moto, region, name))
            return None
        report.ok(fixture.name, check, f"{region}, stack {name}")
        if found:
            check_images_kept(report, fixture, moto, world, region, ids | paths, values, work)
        outputs = sorted(o["OutputKey"] for o in described.get("Outputs", []))
        if body.get("Outputs") or outputs:  # nothing to compare is no pass
            report.expect(fixture.name, f"moto {name} outputs",
                          same("output keys", sorted(body.get("Outputs", {})), outputs))
        listed = moto.aws(region, "cloudformation", "describe-stack-resources",
                          "--stack-name", name)["StackResources"]
    except AwsError as e:
        report.fail(fixture.name, check, "aws call failed", str(e))
        return None
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed}
    defaults = {k: str(v.get("Default", "")) for k, v in body.get("Parameters", {}).items()}
    return Stack(name, region, template, body, defaults | values, physical)


def check_images_kept(report: Report, fixture: Fixture, moto: Moto, world: World, region: str,
                      replacements: dict[str, str], deployed: dict[str, str],
                      work: Path) -> None:
    """Once the stack is deployed, a new image behind an `ssm:` path (here: a path
    of ours, which then names another image) must not reach it: deploy.sh finds
    the deployed image again, and says a newer one exists; with --update-images
    it finds the new one."""
    text = rewritten_plan(fixture, replacements)
    for index, m in enumerate(PINNED_IMAGE_STEP.finditer(text or "")):
        block, parameter, path = m.group(1).strip("'"), m.group(2), m.group(3)
        check = f"deploy.sh keeps the deployed image of {block}"
        old = deployed.get(parameter)
        if old is None:
            report.fail(fixture.name, check, f"{parameter} was not deployed")
            continue
        candidates = [world.ami(region), world.ubuntu_ami(region)]
        new = next((c for c in candidates if c != old), None)
        if new is None:
            report.fail(fixture.name, check, "moto has no second image to publish")
            continue
        ours = world.ssm_parameter(region, f"newer-image-{index}", new)
        line = m.group(0)
        changed = text.replace(line, line.replace(f" {path})", f" {ours})"))
        for extra, want, says in (((), old, "keeps its image"), (("--update-images",), new, "")):
            label = check if not extra else f"deploy.sh --update-images takes the new image of {block}"
            code, stdout, stderr = run_discovery(moto, region, changed, work,
                                                 f"images-{index}.sh", *extra)
            found = found_values(stdout)
            problems = [] if code == 0 else [f"exit {code}"]
            if found.get(parameter) != want:
                problems.append(f"found {parameter}={found.get(parameter)}, want {want} "
                                f"(deployed {old}, newer {new})")
            if says and says not in stderr:
                problems.append(f"it does not say that {block} {says}")
            report.expect(fixture.name, label, problems, stderr + stdout,
                          f"{parameter}: deployed {old}, its path then named {new}: "
                          f"found {want}")


def create_stack(moto: Moto, region: str, name: str, body: dict[str, Any],
                 values: dict[str, str], work: Path) -> dict[str, Any]:
    """create-stack (not deploy: moto's deploy leaves Outputs empty); its final description."""
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
    deadline = time.monotonic() + STACK_TIMEOUT_SECONDS
    while True:
        stack = moto.aws(region, "cloudformation", "describe-stacks",
                         "--stack-name", name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.5)


def stack_events(moto: Moto, region: str, name: str) -> str:
    events = moto.aws(region, "cloudformation", "describe-stack-events", "--stack-name", name)
    return "\n".join(f"{e.get('LogicalResourceId')} {e.get('ResourceStatus')} "
                     f"{e.get('ResourceStatusReason', '')}"
                     for e in reversed(events["StackEvents"]))
