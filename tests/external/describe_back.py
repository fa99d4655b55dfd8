"""Describing deployed resources back from moto (check 6 of validate.py).

For each resource of a deployed stack, moto is asked what it made of it, by
resource type, and that is compared with the template's properties: one check
line per comparison. Template values are resolved where this harness can
(Ref, Fn::Sub, Fn::Join, GetAtt of an EIP); where it cannot, only the presence
of a value in moto is checked, and the line says so. Types without a describer
must at least have a physical id. Properties moto's CloudFormation ignores for a
type are listed in `note` lines as unverified instead of being compared.
"""

from __future__ import annotations

import ast
import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from harness import (
    ASG, LAUNCH_TEMPLATE, SUB_VARIABLE, Fixture, Report, Result, dns_name, same,
)
from moto_deploy import AwsError, Moto, Stack

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
    # InstanceType (moto_deploy.launch_template_instances).
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
Props = dict[str, Any]
PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",  # moto's default account
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


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
        if kind == "AWS::EC2::SecurityGroup" and attribute == "GroupId":
            return self.physical(name)
        raise Unresolved(f"GetAtt {name}.{attribute}")

    def address(self, public_ip: str) -> dict[str, Any]:
        return self.aws("ec2", "describe-addresses", "--public-ips", public_ip)["Addresses"][0]

    def allocation_ids(self) -> set[str]:
        return {a["AllocationId"] for a in self.aws("ec2", "describe-addresses")["Addresses"]}

    def compare(self, what: str, template_value: Any, actual: Any,
                convert: Callable[[Any], Any] = str) -> Result:
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


def describe_auto_scaling_group(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    groups = ctx.aws("autoscaling", "describe-auto-scaling-groups",
                     "--auto-scaling-group-names", ctx.physical(name))["AutoScalingGroups"]
    yield Result("exists", [] if groups else ["not in describe-auto-scaling-groups"])
    if not groups:
        return
    group = groups[0]
    for key in ("MinSize", "MaxSize", "DesiredCapacity"):
        if key in props:
            yield ctx.compare(key, props[key], group.get(key), int)
    if "HealthCheckType" in props:
        yield ctx.compare("HealthCheckType", props["HealthCheckType"],
                          group.get("HealthCheckType"))
    if "TargetGroupARNs" in props:
        yield ctx.compare("TargetGroupARNs", props["TargetGroupARNs"],
                          group.get("TargetGroupARNs"), sorted)
    actual_tags = {t["Key"]: t for t in group.get("Tags", [])}
    for tag in props.get("Tags", []):
        key, actual = tag["Key"], actual_tags.get(tag["Key"])
        if actual is None:
            yield Result(f"tag {key}", ["missing"])
            continue
        result = ctx.compare(f"tag {key}", tag["Value"], actual["Value"])
        propagate = as_bool(tag.get("PropagateAtLaunch"))
        problems = result.problems + same("PropagateAtLaunch", propagate,
                                          actual.get("PropagateAtLaunch"))
        value = str(actual["Value"])
        if value.startswith("eipalloc-") and value not in ctx.allocation_ids():
            problems.append(f"{value} is no allocation in describe-addresses")
        yield Result(result.aspect, problems, result.note or f"= {actual['Value']}")


def describe_eip(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    addresses = ctx.aws("ec2", "describe-addresses")["Addresses"]
    found = [a for a in addresses if a.get("PublicIp") == ctx.physical(name)]
    yield Result("exists", [] if found else [f"{ctx.physical(name)} not in describe-addresses"],
                 found[0]["AllocationId"] if found else "")
    if found and "Domain" in props:
        yield ctx.compare("Domain", props["Domain"], found[0].get("Domain"))


def describe_role(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    role = ctx.physical(name)
    ctx.aws("iam", "get-role", "--role-name", role)
    yield Result("exists", [], role)
    for policy in props.get("Policies", []):
        document = ctx.aws("iam", "get-role-policy", "--role-name", role, "--policy-name",
                           policy["PolicyName"])["PolicyDocument"]
        yield Result(f"policy {policy['PolicyName']} actions",
                     same("actions", actions(policy["PolicyDocument"]), actions(document)))


def describe_policy(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
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
                          record.get("AliasTarget", {}).get("DNSName"), dns_name)


def describe_health_check(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    config = ctx.aws("route53", "get-health-check", "--health-check-id",
                     ctx.physical(name))["HealthCheck"]["HealthCheckConfig"]
    for key, value in sorted(props.get("HealthCheckConfig", {}).items()):
        if f"HealthCheckConfig.{key}" in MOTO_APPLIES["AWS::Route53::HealthCheck"]:
            yield ctx.compare(key, value, config.get(key))


def describe_scheduled_action(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
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


def describe_bucket(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
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


def describe_launch_template(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    versions = ctx.aws("ec2", "describe-launch-template-versions", "--launch-template-id",
                       ctx.physical(name), "--versions", "$Latest")["LaunchTemplateVersions"]
    data = versions[0]["LaunchTemplateData"]
    expected = props.get("LaunchTemplateData", {})
    for key in ("HttpTokens", "InstanceMetadataTags"):
        if key in expected.get("MetadataOptions", {}):
            yield ctx.compare(f"MetadataOptions.{key}", expected["MetadataOptions"][key],
                              data.get("MetadataOptions", {}).get(key))
    user_data = expected.get("UserData")
    if isinstance(user_data, dict) and isinstance(user_data.get("Fn::Base64"), str):
        actual = base64.b64decode(data.get("UserData", "")).decode(errors="replace")
        yield Result("UserData", [] if actual == user_data["Fn::Base64"] else
                     ["the decoded UserData differs from the template's script"])


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


def describe_instance(ctx: Describe, name: str, props: Props) -> Iterator[Result]:
    reservations = ctx.aws("ec2", "describe-instances", "--instance-ids",
                           ctx.physical(name))["Reservations"]
    instance = reservations[0]["Instances"][0]
    yield Result("exists", [], instance["InstanceId"])
    if "SubnetId" in props:
        yield ctx.compare("SubnetId", props["SubnetId"], instance.get("SubnetId"))
    if "IamInstanceProfile" in props:
        # moto reports the profile by ARN; the template names it.
        arn = instance.get("IamInstanceProfile", {}).get("Arn", "")
        yield ctx.compare("IamInstanceProfile", props["IamInstanceProfile"],
                          arn.rsplit("/", 1)[-1] or None)
    actual_tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
    for tag in props.get("Tags", []):
        yield ctx.compare(f"tag {tag['Key']}", tag["Value"], actual_tags.get(tag["Key"]))


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
                 f"on {group}")


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
                "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
                "HealthyThresholdCount", "UnhealthyThresholdCount"):
        if key in props:
            yield ctx.compare(key, props[key], group.get(key))
    if "Matcher" in props:
        yield ctx.compare("Matcher.HttpCode", props["Matcher"].get("HttpCode"),
                          group.get("Matcher", {}).get("HttpCode"))


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
        yield ctx.compare(f"DefaultActions[{n}].Type", action["Type"], got.get("Type"))
        if "TargetGroupArn" in action:
            yield ctx.compare(f"DefaultActions[{n}].TargetGroupArn", action["TargetGroupArn"],
                              got.get("TargetGroupArn"))
        for key, value in sorted(action.get("RedirectConfig", {}).items()):
            yield ctx.compare(f"DefaultActions[{n}].RedirectConfig.{key}", value,
                              got.get("RedirectConfig", {}).get(key))


Describer = Callable[[Describe, str, Props], Iterator[Result]]
DESCRIBERS: dict[str, Describer] = {
    ASG: describe_auto_scaling_group,
    "AWS::EC2::Instance": describe_instance,
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
    LAUNCH_TEMPLATE: describe_launch_template,
}


def check_described(report: Report, fixture: Fixture, moto: Moto, stack: Stack) -> None:
    """Check 6 for one deployed stack."""
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
