"""Describing deployed resources back from moto (check 6 of validate.py).

For each resource of a deployed stack, moto is asked what it made of it, by
resource type, and that is compared with the template's properties: one check
line per comparison. Template values are resolved where this harness can (Ref,
Fn::Sub, Fn::Join, GetAtt of the attributes moto can be asked for); a value it
cannot resolve, or one that resolves to the harness's own stand-in for a
resource moto cannot deploy (moto_deploy.STAND_IN, PLAUSIBLE_ATTRIBUTES), is
reported as not verified, never as a pass. Only the keys the original template
sets are compared, so what the harness added for moto is never "verified".

Every property of every deployed resource is accounted for: compared, or
listed as not verified with the reason (moto's CloudFormation ignores it, the
harness has no describer for the type, ...); a last check per stack fails if
any property is neither, so a new property cannot be skipped silently.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from harness import (
    ASG, LAUNCH_TEMPLATE, SUB_VARIABLE, Fixture, Report, Result, decode_user_data, dns_name,
    not_verified, same,
)
from moto_deploy import PLAUSIBLE_ATTRIBUTES, STAND_IN_TEXT, AwsError, Moto, Stack

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
    # LaunchTemplate is ignored: the deployable copy has its ImageId and
    # InstanceType (moto_deploy.launch_template_instances). SecurityGroupIds
    # is ignored too (the instance is described with no groups): it is not
    # verified here; synth's unit tests assert it, and cfn-lint its schema.
    "AWS::EC2::Instance": {
        "BlockDeviceMappings", "IamInstanceProfile", "ImageId", "InstanceType", "KeyName",
        "PrivateIpAddress", "SecurityGroups", "SubnetId", "Tags", "UserData",
    },
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {"Scheme", "SecurityGroups", "Subnets"},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        "HealthCheckIntervalSeconds", "HealthCheckPath", "HealthCheckPort", "HealthCheckProtocol",
        "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "Matcher", "Port", "Protocol",
        "TargetType", "UnhealthyThresholdCount", "VpcId",
    },
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
    # moto sets each property as a topic attribute; Tags lands beside the
    # topic's real tags, so list-tags-for-resource never shows it.
    "AWS::SNS::Topic": {
        "ContentBasedDeduplication", "DisplayName", "FifoTopic", "KmsMasterKeyId", "Subscription",
        "TopicName",
    },
}
# Properties that hold sub-properties accounted for one by one (KEY.SUBKEY).
NESTED = {
    LAUNCH_TEMPLATE: "LaunchTemplateData",
    "AWS::Route53::HealthCheck": "HealthCheckConfig",
}
Props = dict[str, Any]
PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",  # moto's default account
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
STAND_IN_REASON = "the value is the harness's own stand-in for a resource moto cannot deploy"
NOT_DESCRIBED = "this harness does not describe {} back"
MOTO_UNRESOLVED = "moto kept the template function unresolved: no deployed value to compare"
INTRINSIC = re.compile(r"""['"](?:Fn::[A-Za-z]+|Ref)['"]\s*:""")


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
        if function.startswith("Fn::"):
            raise Unresolved(function)
        return {function: self.value(argument)}

    def ref(self, name: str) -> Any:
        pseudo = PSEUDO_PARAMETERS | {"AWS::Region": self.stack.region,
                                      "AWS::StackName": self.stack.name}
        if name in pseudo:
            return pseudo[name]
        if name in self.stack.parameters:
            spec = self.stack.body["Parameters"][name]
            if spec.get("Type", "").startswith("AWS::SSM::"):
                raise Unresolved("Ref to an SSM-typed parameter")
            return self.stack.parameters[name]
        if name in self.stack.physical:
            return self.stack.physical[name]
        raise Unresolved(f"Ref to {name}, which moto did not create")

    def get_att(self, name: str, attribute: str) -> Any:
        kind = self.stack.resources.get(name, {}).get("Type")
        if kind is None:
            raise Unresolved("Fn::GetAtt of a resource moto did not create")
        physical = self.physical(name)
        if kind == "AWS::EC2::EIP" and attribute == "PublicIp":
            return physical
        if kind == "AWS::EC2::EIP" and attribute == "AllocationId":
            return self.address(physical)["AllocationId"]
        if kind == "AWS::EC2::SecurityGroup" and attribute == "GroupId":
            return physical
        if kind == LAUNCH_TEMPLATE and attribute in ("LatestVersionNumber",
                                                     "DefaultVersionNumber"):
            described = self.aws("ec2", "describe-launch-templates", "--launch-template-ids",
                                 physical)["LaunchTemplates"][0]
            return str(described[attribute])
        if kind == "AWS::IAM::InstanceProfile" and attribute == "Arn":
            return self.aws("iam", "get-instance-profile", "--instance-profile-name",
                            physical)["InstanceProfile"]["Arn"]
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return self.aws("iam", "get-role", "--role-name", physical)["Role"]["Arn"]
        if kind == "AWS::SQS::Queue" and attribute == "Arn":
            return self.queue_attributes(physical)["QueueArn"]
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer" and attribute in (
                "DNSName", "CanonicalHostedZoneID"):
            balancer = self.aws("elbv2", "describe-load-balancers", "--load-balancer-arns",
                                physical)["LoadBalancers"][0]
            return balancer["DNSName" if attribute == "DNSName" else "CanonicalHostedZoneId"]
        raise Unresolved(f"Fn::GetAtt {kind}.{attribute}")

    def queue_attributes(self, physical: str) -> dict[str, Any]:
        """A queue's attributes; its physical id (its Ref) is its URL."""
        return self.aws("sqs", "get-queue-attributes", "--queue-url", physical,
                        "--attribute-names", "All")["Attributes"]

    def address(self, public_ip: str) -> dict[str, Any]:
        return self.aws("ec2", "describe-addresses", "--public-ips", public_ip)["Addresses"][0]

    def allocation_ids(self) -> set[str]:
        return {a["AllocationId"] for a in self.aws("ec2", "describe-addresses")["Addresses"]}

    def expected(self, what: str, template_value: Any, covers: tuple[str, ...],
                 convert: Callable[[Any], Any] = lambda v: v) -> Any:
        """The resolved, converted template value; a not-verified Result when there is none
        that would mean anything (unresolvable, or the harness's own stand-in)."""
        try:
            resolved = self.value(template_value)
        except Unresolved as e:
            return not_verified(what, f"the harness cannot work out the deployed value ({e})",
                                covers, json.dumps(template_value)[:200])
        if is_stand_in(resolved):
            return not_verified(what, STAND_IN_REASON, covers, json.dumps(resolved)[:200])
        return convert(resolved)

    def compare(self, what: str, template_value: Any, actual: Any,
                convert: Callable[[Any], Any] = str, covers: tuple[str, ...] = ()) -> Result:
        """Compares a template value with moto's, after resolving and converting both.

        A value the harness cannot resolve, or one that resolves to its own
        stand-in, is not verified: never a pass.
        """
        expected = self.expected(what, template_value, covers or (what,), convert)
        if isinstance(expected, Result):
            return expected
        if is_intrinsic(actual):
            return not_verified(what, MOTO_UNRESOLVED, covers or (what,), json.dumps(actual))
        converted = convert(actual) if actual is not None else None
        return Result(what, same(what, expected, converted), covers=covers or (what,))

    def compare_data(self, what: str, template_value: Any, actual: Any,
                     covers: tuple[str, ...]) -> Result:
        """Structural comparison: every key the template sets must be in moto's value
        with the same (normalised) value; lists of scalars compare as sets."""
        expected = self.expected(what, template_value, covers)
        if isinstance(expected, Result):
            return expected
        if is_intrinsic(actual):
            return not_verified(what, MOTO_UNRESOLVED, covers, json.dumps(actual)[:200])
        problems = [f"{what}{path}: {p}" for path, p in differences(expected, actual)]
        return Result(what, problems, covers=covers)


def is_intrinsic(value: Any) -> bool:
    """Whether moto kept a template function unresolved (it echoes it, as a dict or
    as the dict's repr), so that there is no deployed value to compare."""
    text = value if isinstance(value, str) else json.dumps(value) if value is not None else ""
    return bool(INTRINSIC.search(text))


def is_stand_in(value: Any) -> bool:
    """Whether a resolved value holds a stand-in the harness made up for moto."""
    text = json.dumps(value)
    return bool(STAND_IN_TEXT.search(text)) or any(v in text for v in PLAUSIBLE_ATTRIBUTES.values())


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def differences(expected: Any, actual: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, problem) for each place where actual does not hold what expected says."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield path, f"want {expected!r}, moto has {actual!r}"
            return
        for key, value in expected.items():
            if key not in actual:
                yield f"{path}.{key}", "missing in moto"
            else:
                yield from differences(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            yield path, f"want {expected!r}, moto has {actual!r}"
        elif all(not isinstance(v, (dict, list)) for v in expected):
            if sorted(map(scalar, expected)) != sorted(map(scalar, actual)):
                yield path, f"want {sorted(map(scalar, expected))}, moto has " \
                            f"{sorted(map(scalar, actual))}"
        else:
            for n, (want, got) in enumerate(zip(expected, actual)):
                yield from differences(want, got, f"{path}[{n}]")
    elif actual is None or scalar(expected) != scalar(actual):
        yield path, f"want {expected!r}, moto has {actual!r}"


def restrict(body: Any, original: Any) -> Any:
    """The deployed copy's value cut down to what the original template sets: keys
    the harness added for moto (a gap-filled VolumeSize, an SSM Name) go."""
    if isinstance(body, dict) and isinstance(original, dict):
        if set(original) == {"Fn::GetAtt"} or set(original) == {"Ref"}:
            return body
        return {k: restrict(body[k], original[k]) for k in original if k in body}
    if isinstance(body, list) and isinstance(original, list) and len(body) == len(original):
        return [restrict(b, o) for b, o in zip(body, original)]
    return body


def tag_map(tags: list[dict[str, Any]]) -> dict[str, Any]:
    return {t["Key"]: t["Value"] for t in tags}


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


def describe_auto_scaling_group(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    groups = ctx.aws("autoscaling", "describe-auto-scaling-groups",
                     "--auto-scaling-group-names", ctx.physical(name))["AutoScalingGroups"]
    yield Result("exists", [] if groups else ["not in describe-auto-scaling-groups"])
    if not groups:
        return
    group = groups[0]
    if "AutoScalingGroupName" in props:
        yield ctx.compare("AutoScalingGroupName", props["AutoScalingGroupName"],
                          group.get("AutoScalingGroupName"))
    for key in ("MinSize", "MaxSize", "DesiredCapacity", "HealthCheckGracePeriod"):
        if key in props:
            yield ctx.compare(key, props[key], group.get(key), int)
    if "HealthCheckType" in props:
        yield ctx.compare("HealthCheckType", props["HealthCheckType"],
                          group.get("HealthCheckType"))
    if "TargetGroupARNs" in props:
        yield ctx.compare("TargetGroupARNs", props["TargetGroupARNs"],
                          group.get("TargetGroupARNs"), sorted)
    if "VPCZoneIdentifier" in props:
        subnets = group.get("VPCZoneIdentifier")
        yield ctx.compare("VPCZoneIdentifier", props["VPCZoneIdentifier"],
                          subnets.split(",") if isinstance(subnets, str) else subnets, sorted)
    if "LaunchTemplate" in props:
        # LaunchTemplateId (a Ref) and Version (GetAtt LatestVersionNumber), as moto launched
        yield ctx.compare_data("LaunchTemplate", props["LaunchTemplate"],
                               group.get("LaunchTemplate"), ("LaunchTemplate",))
    actual_tags = {t["Key"]: t for t in group.get("Tags", [])}
    for tag in props.get("Tags", []):
        key, actual = tag["Key"], actual_tags.get(tag["Key"])
        if actual is None:
            yield Result(f"tag {key}", ["missing"], covers=("Tags",))
            continue
        result = ctx.compare(f"tag {key}", tag["Value"], actual["Value"], covers=("Tags",))
        if result.unverified is not None:
            yield result
            continue
        propagate = as_bool(tag.get("PropagateAtLaunch"))
        problems = result.problems + same("PropagateAtLaunch", propagate,
                                          actual.get("PropagateAtLaunch"))
        value = str(actual["Value"])
        if value.startswith("eipalloc-") and value not in ctx.allocation_ids():
            problems.append(f"{value} is no allocation in describe-addresses")
        yield Result(result.aspect, problems, f"= {actual['Value']}", ("Tags",))


def describe_eip(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    addresses = ctx.aws("ec2", "describe-addresses")["Addresses"]
    found = [a for a in addresses if a.get("PublicIp") == ctx.physical(name)]
    yield Result("exists", [] if found else [f"{ctx.physical(name)} not in describe-addresses"],
                 found[0]["AllocationId"] if found else "")
    if found and "Domain" in props:
        yield ctx.compare("Domain", props["Domain"], found[0].get("Domain"))
    if found and "InstanceId" in props:
        yield ctx.compare("InstanceId", props["InstanceId"], found[0].get("InstanceId"))


def parsed_document(document: Any) -> Any:
    """A policy document from moto: a dict, JSON text, or (inline policies of a role
    created by CloudFormation) a Python repr, hence literal_eval."""
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return ast.literal_eval(document)
    return document


def describe_role(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    role_name = ctx.physical(name)
    role = ctx.aws("iam", "get-role", "--role-name", role_name)["Role"]
    yield Result("exists", [], role_name)
    if "AssumeRolePolicyDocument" in props:
        yield ctx.compare_data("AssumeRolePolicyDocument", props["AssumeRolePolicyDocument"],
                               parsed_document(role.get("AssumeRolePolicyDocument")),
                               ("AssumeRolePolicyDocument",))
    for key in ("Description", "Path", "MaxSessionDuration"):
        if key in props:
            yield ctx.compare(key, props[key], role.get(key))
    if "RoleName" in props:
        yield ctx.compare("RoleName", props["RoleName"], role_name)
    if "Tags" in props:
        tags = ctx.aws("iam", "list-role-tags", "--role-name", role_name)["Tags"]
        yield ctx.compare_data("Tags", tag_map(props["Tags"]), tag_map(tags), ("Tags",))
    for policy in props.get("Policies", []):
        document = ctx.aws("iam", "get-role-policy", "--role-name", role_name, "--policy-name",
                           policy["PolicyName"])["PolicyDocument"]
        yield ctx.compare_data(f"policy {policy['PolicyName']}", policy["PolicyDocument"],
                               parsed_document(document), ("Policies",))


def describe_policy(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    for role in props.get("Roles", []):
        try:
            role_name = ctx.value(role)
        except Unresolved as e:
            yield Result(f"role {json.dumps(role)}", [f"cannot resolve: {e}"],
                         covers=("Roles",))
            continue
        document = ctx.aws("iam", "get-role-policy", "--role-name", role_name, "--policy-name",
                           props["PolicyName"])["PolicyDocument"]
        yield Result(f"{props['PolicyName']} on role {role_name}", [],
                     covers=("Roles", "PolicyName"))
        yield ctx.compare_data(f"on role {role_name} document", props["PolicyDocument"],
                               parsed_document(document), ("PolicyDocument",))


def describe_instance_profile(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    profile = ctx.aws("iam", "get-instance-profile", "--instance-profile-name",
                      ctx.physical(name))["InstanceProfile"]
    yield ctx.compare("Roles", props.get("Roles", []),
                      [r["RoleName"] for r in profile["Roles"]], sorted)


def describe_record_set(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    zone = ctx.value(props.get("HostedZoneId")) if "HostedZoneId" in props else None
    if zone is None:
        zones = ctx.aws("route53", "list-hosted-zones-by-name", "--dns-name",
                        ctx.value(props["HostedZoneName"]))["HostedZones"]
        zone = zones[0]["Id"].rsplit("/", 1)[-1]
    records = ctx.aws("route53", "list-resource-record-sets", "--hosted-zone-id",
                      zone)["ResourceRecordSets"]
    record_name = dns_name(ctx.value(props["Name"]))
    found = [r for r in records
             if dns_name(r["Name"]) == record_name and r["Type"] == props["Type"]
             and r.get("SetIdentifier") == props.get("SetIdentifier")]
    label = f"{props['Type']} {record_name}" + (
        f" [{props['SetIdentifier']}]" if "SetIdentifier" in props else "")
    # Found by zone, name, type and set identifier: those are compared by finding it.
    yield Result(f"record {label}", [] if found else ["not in list-resource-record-sets"],
                 covers=("HostedZoneId", "HostedZoneName", "Name", "Type", "SetIdentifier"))
    if not found:
        return
    record = found[0]
    if "Failover" in props:
        yield ctx.compare("Failover", props["Failover"], record.get("Failover"))
    if "HealthCheckId" in props:
        yield ctx.compare("HealthCheckId", props["HealthCheckId"], record.get("HealthCheckId"))
    if "TTL" in props:
        yield ctx.compare("TTL", props["TTL"], record.get("TTL"), int)
    if "ResourceRecords" in props:
        yield ctx.compare("ResourceRecords", props["ResourceRecords"],
                          [r["Value"] for r in record.get("ResourceRecords", [])], sorted)
    target = props.get("AliasTarget", {})
    actual = record.get("AliasTarget", {})
    for key, value in sorted(target.items()):
        convert: Callable[[Any], Any] = dns_name if key == "DNSName" else scalar
        yield ctx.compare(f"AliasTarget.{key}", value, actual.get(key), convert,
                          covers=("AliasTarget",))


def describe_health_check(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    config = ctx.aws("route53", "get-health-check", "--health-check-id",
                     ctx.physical(name))["HealthCheck"]["HealthCheckConfig"]
    for key, value in sorted(props.get("HealthCheckConfig", {}).items()):
        if f"HealthCheckConfig.{key}" in MOTO_APPLIES["AWS::Route53::HealthCheck"]:
            yield ctx.compare(key, value, config.get(key), covers=(f"HealthCheckConfig.{key}",))


def describe_scheduled_action(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    group = ctx.value(props["AutoScalingGroupName"])
    scheduled = ctx.aws("autoscaling", "describe-scheduled-actions", "--auto-scaling-group-name",
                        group)["ScheduledUpdateGroupActions"]
    # moto names the action after its logical id and reports no physical id
    wanted = ctx.physical(name) or name
    found = [a for a in scheduled if a["ScheduledActionName"] == wanted]
    yield Result("exists", [] if found else [f"not scheduled on {group}"],
                 covers=("AutoScalingGroupName",))
    if not found:
        return
    for key, convert in (("Recurrence", str), ("MinSize", int), ("MaxSize", int),
                         ("DesiredCapacity", int), ("TimeZone", str), ("StartTime", str),
                         ("EndTime", str)):
        if key in props:
            yield ctx.compare(key, props[key], found[0].get(key), convert)


def describe_bucket(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    bucket = ctx.physical(name)
    ctx.aws("s3api", "head-bucket", "--bucket", bucket)
    yield Result("exists", [], bucket)
    if "BucketName" in props:
        yield ctx.compare("BucketName", props["BucketName"], bucket)
    if "BucketEncryption" in props:
        rules = ctx.aws("s3api", "get-bucket-encryption", "--bucket", bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"]
        expected = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        yield ctx.compare_data(
            "BucketEncryption",
            [r["ServerSideEncryptionByDefault"] for r in expected],
            [r["ApplyServerSideEncryptionByDefault"] for r in rules], ("BucketEncryption",))
    if "Tags" in props:
        tags = ctx.aws("s3api", "get-bucket-tagging", "--bucket", bucket)["TagSet"]
        yield ctx.compare_data("Tags", tag_map(props["Tags"]), tag_map(tags), ("Tags",))


def describe_launch_template(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    """Every LaunchTemplateData key against describe-launch-template-versions $Latest."""
    versions = ctx.aws("ec2", "describe-launch-template-versions", "--launch-template-id",
                       ctx.physical(name), "--versions", "$Latest")["LaunchTemplateVersions"]
    data = versions[0]["LaunchTemplateData"]
    yield Result("exists", [], versions[0]["LaunchTemplateId"])
    if "LaunchTemplateName" in props:
        yield ctx.compare("LaunchTemplateName", props["LaunchTemplateName"],
                          versions[0].get("LaunchTemplateName"))
    for key, value in sorted(props.get("LaunchTemplateData", {}).items()):
        covers = (f"LaunchTemplateData.{key}",)
        if key == "UserData":
            script = decode_user_data(value) if isinstance(value, str) else None
            if script is None:
                yield not_verified("UserData", "the UserData is not base64 of a gzip-compressed "
                                   "script", covers)
                continue
            actual = decode_user_data(data.get("UserData", ""))
            yield Result("UserData", [] if actual == script else
                         ["the UserData EC2 holds does not inflate to the template's script"],
                         covers=covers)
        else:
            yield ctx.compare_data(key, value, data.get(key), covers)
    yield root_volume(ctx, data)


def root_volume(ctx: Describe, data: dict[str, Any]) -> Result:
    """The block device mappings replace the image's root volume and add none.

    A mapping under another name than the image's root device adds an empty
    volume (or is refused for want of a size), and the root volume keeps the
    image's size and encryption: the template's DeviceName must be the one
    moto reports for the image the template launches, whatever its family.
    """
    mappings = data.get("BlockDeviceMappings", [])
    image = data.get("ImageId")
    if not mappings:
        return Result("root volume", ["no block device mapping: the root volume is the image's"])
    if not image:
        return not_verified("root volume", "the launch template has no ImageId")
    described = ctx.aws("ec2", "describe-images", "--image-ids", image)["Images"][0]
    root = described.get("RootDeviceName")
    names = [m.get("DeviceName") for m in mappings]
    problems = [] if names == [root] else [
        f"mappings {names} for image {image}, whose root device is {root!r}"]
    return Result("root volume", problems, f"{image}: {root}")


def describe_sns_topic(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    # A topic's physical id (its Ref) is its ARN.
    attributes = ctx.aws("sns", "get-topic-attributes", "--topic-arn",
                         ctx.physical(name))["Attributes"]
    yield Result("exists", [], attributes.get("TopicArn", ""))
    for key in ("DisplayName", "KmsMasterKeyId"):
        if key in props:
            yield ctx.compare(key, props[key], attributes.get(key))
    if "Subscription" in props:
        subscriptions = ctx.aws("sns", "list-subscriptions-by-topic", "--topic-arn",
                                ctx.physical(name))["Subscriptions"]
        yield ctx.compare("Subscription",
                          [[s["Protocol"], s["Endpoint"]] for s in props["Subscription"]],
                          [[s["Protocol"], s["Endpoint"]] for s in subscriptions], sorted)


def describe_queue(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    attributes = ctx.queue_attributes(ctx.physical(name))
    yield Result("exists", [], attributes.get("QueueArn", ""))
    if "MessageRetentionPeriod" in props:
        yield ctx.compare("MessageRetentionPeriod", str(props["MessageRetentionPeriod"]),
                          attributes.get("MessageRetentionPeriod"))
    if "SqsManagedSseEnabled" in props:
        yield ctx.compare("SqsManagedSseEnabled", str(props["SqsManagedSseEnabled"]).lower(),
                          attributes.get("SqsManagedSseEnabled", "").lower())
    if "Tags" in props:
        tags = ctx.aws("sqs", "list-queue-tags", "--queue-url", ctx.physical(name)).get("Tags", {})
        yield ctx.compare_data("Tags", tag_map(props["Tags"]), tags, ("Tags",))


def describe_instance(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    reservations = ctx.aws("ec2", "describe-instances", "--instance-ids",
                           ctx.physical(name))["Reservations"]
    instance = reservations[0]["Instances"][0]
    yield Result("exists", [], instance["InstanceId"])
    for key in ("SubnetId", "ImageId", "InstanceType", "KeyName", "PrivateIpAddress"):
        if key in props:
            yield ctx.compare(key, props[key], instance.get(key))
    if "IamInstanceProfile" in props:
        # moto reports the profile by ARN; the template names it.
        arn = instance.get("IamInstanceProfile", {}).get("Arn", "")
        yield ctx.compare("IamInstanceProfile", props["IamInstanceProfile"],
                          arn.rsplit("/", 1)[-1] or None)
    groups = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
    for key in ("SecurityGroupIds", "SecurityGroups"):
        if key in props:
            yield ctx.compare_data(key, props[key], groups if key.endswith("Ids") else
                                   [g["GroupName"] for g in instance.get("SecurityGroups", [])],
                                   (key,))
    if "BlockDeviceMappings" in props:
        yield ctx.compare_data("BlockDeviceMappings", [
            {k: v for k, v in m.items() if k != "Ebs"} for m in props["BlockDeviceMappings"]
        ], [{"DeviceName": m.get("DeviceName")} for m in instance.get("BlockDeviceMappings", [])],
            ("BlockDeviceMappings",))
    actual_tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
    for tag in props.get("Tags", []):
        yield ctx.compare(f"tag {tag['Key']}", tag["Value"], actual_tags.get(tag["Key"]),
                          covers=("Tags",))


def describe_security_group(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    group = ctx.aws("ec2", "describe-security-groups", "--group-ids",
                    ctx.physical(name))["SecurityGroups"][0]
    yield Result("exists", [], group["GroupId"])
    if "GroupDescription" in props:
        yield ctx.compare("GroupDescription", props["GroupDescription"], group.get("Description"))
    if "VpcId" in props:
        yield ctx.compare("VpcId", props["VpcId"], group.get("VpcId"))
    if "Tags" in props:
        yield ctx.compare_data("Tags", tag_map(props["Tags"]), tag_map(group.get("Tags", [])),
                               ("Tags",))


def describe_security_group_ingress(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    # moto adds the rule to its group but gives the rule no physical id: the
    # rule is looked for among the group's permissions.
    group = ctx.value(props["GroupId"])
    permissions = ctx.aws("ec2", "describe-security-groups", "--group-ids",
                          group)["SecurityGroups"][0]["IpPermissions"]
    found = [(p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"), source)
             for p in permissions
             for source in ([pair.get("GroupId") for pair in p.get("UserIdGroupPairs", [])]
                            + [r.get("CidrIp") for r in p.get("IpRanges", [])])]
    source = ctx.value(props.get("SourceSecurityGroupId", props.get("CidrIp")))
    wanted = (props["IpProtocol"], props.get("FromPort"), props.get("ToPort"), source)
    yield Result("rule", [] if wanted in found else [f"no rule {wanted} in {found}"],
                 f"on {group}", ("GroupId", "IpProtocol", "FromPort", "ToPort",
                                 "SourceSecurityGroupId", "CidrIp"))


def describe_load_balancer(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    balancer = ctx.aws("elbv2", "describe-load-balancers", "--load-balancer-arns",
                       ctx.physical(name))["LoadBalancers"][0]
    if "Scheme" in props:
        yield ctx.compare("Scheme", props["Scheme"], balancer.get("Scheme"))
    yield ctx.compare("Subnets", props.get("Subnets", []),
                      [z["SubnetId"] for z in balancer.get("AvailabilityZones", [])], sorted)
    yield ctx.compare("SecurityGroups", props.get("SecurityGroups", []),
                      balancer.get("SecurityGroups", []), sorted)


def describe_target_group(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    group = ctx.aws("elbv2", "describe-target-groups", "--target-group-arns",
                    ctx.physical(name))["TargetGroups"][0]
    for key in ("Port", "Protocol", "VpcId", "TargetType", "HealthCheckProtocol",
                "HealthCheckPath", "HealthCheckPort", "HealthCheckIntervalSeconds",
                "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount"):
        if key in props:
            yield ctx.compare(key, props[key], group.get(key))
    if "Matcher" in props:
        yield ctx.compare_data("Matcher", props["Matcher"], group.get("Matcher"), ("Matcher",))


def describe_listener(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    listener = ctx.aws("elbv2", "describe-listeners", "--listener-arns",
                       ctx.physical(name))["Listeners"][0]
    yield ctx.compare("LoadBalancerArn", props["LoadBalancerArn"],
                      listener.get("LoadBalancerArn"))
    for key in ("Port", "Protocol", "SslPolicy"):
        if key in props:
            yield ctx.compare(key, props[key], listener.get(key))
    if "Certificates" in props:
        yield ctx.compare("Certificates", [c["CertificateArn"] for c in props["Certificates"]],
                          [c["CertificateArn"] for c in listener.get("Certificates", [])])
    actual = listener.get("DefaultActions", [])
    for n, action in enumerate(props.get("DefaultActions", [])):
        got = actual[n] if n < len(actual) else {}
        yield ctx.compare_data(f"DefaultActions[{n}]", action, got, ("DefaultActions",))


Describer = Callable[[Describe, str, Props], Iterator[Result]]
DESCRIBERS: dict[str, Describer] = {
    ASG: describe_auto_scaling_group,
    "AWS::EC2::Instance": describe_instance,
    "AWS::EC2::SecurityGroup": describe_security_group,
    "AWS::EC2::SecurityGroupIngress": describe_security_group_ingress,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": describe_load_balancer,
    "AWS::ElasticLoadBalancingV2::TargetGroup": describe_target_group,
    "AWS::ElasticLoadBalancingV2::Listener": describe_listener,
    "AWS::EC2::EIP": describe_eip,
    "AWS::IAM::Role": describe_role,
    "AWS::IAM::Policy": describe_policy,
    "AWS::IAM::InstanceProfile": describe_instance_profile,
    "AWS::Route53::RecordSet": describe_record_set,
    "AWS::Route53::HealthCheck": describe_health_check,
    "AWS::AutoScaling::ScheduledAction": describe_scheduled_action,
    "AWS::S3::Bucket": describe_bucket,
    "AWS::SNS::Topic": describe_sns_topic,
    "AWS::SQS::Queue": describe_queue,
    LAUNCH_TEMPLATE: describe_launch_template,
}
# Properties a describer deliberately leaves alone although moto applies them,
# each with the reason (reported as not verified).
NOT_COMPARED = {
    ("AWS::EC2::SecurityGroup", "SecurityGroupIngress"):
        "inline security group rules are not compared by this harness",
    ("AWS::EC2::SecurityGroup", "SecurityGroupEgress"):
        "inline security group rules are not compared by this harness",
    ("AWS::EC2::SecurityGroupIngress", "Description"):
        "moto keeps no description on a rule added by AWS::EC2::SecurityGroupIngress",
}


def property_paths(kind: str, props: Props) -> list[str]:
    """The template's properties of a resource, as accounted for: KEY, or KEY.SUBKEY
    inside the NESTED property of its type."""
    paths = []
    for key, value in sorted(props.items()):
        if NESTED.get(kind) == key and isinstance(value, dict):
            paths += [f"{key}.{sub}" for sub in sorted(value)]
        else:
            paths.append(key)
    return paths


def unaccounted(kind: str, props: Props, results: list[Result]) -> list[str]:
    """Template properties that no result compared or listed as not verified."""
    covered = {c for r in results for c in (r.covers or (r.aspect,))}
    return [p for p in property_paths(kind, props)
            if not any(p == c or p.startswith(f"{c}.") for c in covered)]


def describe_resource(ctx: Describe, name: str, kind: str, original: Props,
                      props: Props) -> Iterator[Result]:
    """Every result for one deployed resource: comparisons and not-verified entries."""
    ignored = moto_ignored(kind, original)
    for path in ignored:
        yield not_verified(path, f"moto's CloudFormation ignores this property of {kind}",
                           (path,))
    for (of, key), reason in sorted(NOT_COMPARED.items()):
        if of == kind and key in original:
            yield not_verified(key, reason, (key,))
    describer = DESCRIBERS.get(kind)
    if describer is None:
        yield Result("exists", [], ctx.physical(name))
        for path in property_paths(kind, original):
            if path not in ignored:
                yield not_verified(path, NOT_DESCRIBED.format(kind), (path,))
        return
    compared = {key: value for key, value in props.items() if key not in ignored}
    if kind in NESTED and isinstance(compared.get(NESTED[kind]), dict):
        nested = NESTED[kind]
        compared[nested] = {k: v for k, v in compared[nested].items()
                            if f"{nested}.{k}" not in ignored}
    yield from describer(ctx, name, compared)


def check_described(report: Report, fixture: Fixture, moto: Moto, stack: Stack,
                    per_type: int | None = None) -> None:
    """Check 6 for one deployed stack, closed by the accounting of every property.
    With `per_type`, only the first that many resources of each type (by name)
    are described: a nested stack's blocks are all made alike."""
    ctx = Describe(moto, stack)
    gaps = []
    seen: dict[str, int] = {}
    for name, resource in sorted(stack.resources.items()):
        check = f"moto {stack.name}/{name}"
        kind = resource["Type"]
        seen[kind] = seen.get(kind, 0) + 1
        if per_type is not None and seen[kind] > per_type:
            report.not_verified(fixture.name, check, f"sampled out: {per_type} resource(s) of "
                                "each type per nested stack are described back", "resource")
            continue
        if "Condition" in resource and name not in stack.physical:
            report.not_verified(fixture.name, check, "not created: its Condition is false in moto",
                                "resource", resource["Condition"])
            continue
        # moto lists some resources (scheduled actions, ingress rules) with an empty
        # physical id: their describers find them otherwise.
        if name not in stack.physical or (not stack.physical[name] and kind not in DESCRIBERS):
            report.fail(fixture.name, f"{check} exists", "no physical id in "
                        "describe-stack-resources")
            continue
        original = stack.original["Resources"][name].get("Properties", {})
        # The deployed copy's values (moto's ids, stand-ins), for the original's keys only.
        props = restrict(resource.get("Properties", {}), original)
        results: list[Result] = []
        try:
            for result in describe_resource(ctx, name, kind, original, props):
                results.append(result)
                report.result(fixture.name, f"{check} {result.aspect}", result)
        except (AwsError, Unresolved, LookupError, ValueError) as e:
            report.fail(fixture.name, f"{check} describe", f"{type(e).__name__}: {e}")
            continue
        missing = unaccounted(kind, original, results)
        if missing:
            gaps.append(f"{name} ({kind}): {', '.join(missing)}")
    report.expect(fixture.name, f"moto {stack.name} every property compared or not verified",
                  [f"{len(gaps)} resource(s) with properties neither compared nor listed "
                   "as not verified"] if gaps else [], "\n".join(gaps))
