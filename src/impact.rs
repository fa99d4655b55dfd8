//! What a template change does to the running stack: per resource, whether
//! CloudFormation adds, removes, updates in place, restarts or replaces it.
//!
//! Replacement is decided from CloudFormation's resource schemas, never from
//! our own guesses: `data/create-only.json` holds, for every resource type
//! topoform emits, the properties whose change always replaces the resource
//! (`createOnlyProperties`) and those whose change may
//! (`conditionalCreateOnlyProperties`). `scripts/create_only.py` generates it
//! from the schemas that the pinned cfn-lint ships, and the test command
//! fails when it is stale.
//!
//! A conditional property is resolved only where the CloudFormation
//! reference documents the condition and topoform's own output decides it;
//! every other one stays "may replace":
//! - `AWS::EC2::Instance` `InstanceType`, `UserData`, `EbsOptimized`: "Some
//!   interruptions" (a stop and a start) for an EBS-backed instance, which
//!   every topoform instance is (`deploy.sh` refuses other images);
//!   `SecurityGroupIds`: "No interruption" in a VPC, where every topoform
//!   instance runs (it names its subnet);
//! - `AWS::AutoScaling::AutoScalingGroup` `LaunchTemplate` and
//!   `VPCZoneIdentifier`: under an `AutoScalingRollingUpdate` policy, the
//!   group is kept and its instances are replaced, one batch at a time.
//!
//! A value that refers to another resource changes with it: `Ref` or
//! `Fn::GetAtt` of a replaced resource (a new id or ARN), and a launch
//! template's `LatestVersionNumber` or `DefaultVersionNumber` whenever that
//! template changes at all (every update is a new version). A parameter of
//! an `AWS::SSM::Parameter::Value<…>` type is resolved again at every
//! deploy, so whatever refers to it may change without any edit: it counts
//! as changed, conservatively. A create-only property that changes only
//! through such a reference (the same text) is "may replace", as
//! CloudFormation's change sets say `Replacement: Conditional` for it: a
//! replaced resource may keep its name. A version number changes for
//! certain, so it replaces.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The replacement table, as `scripts/create_only.py` writes it.
const TABLE: &str = include_str!("../data/create-only.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Table {
    types: BTreeMap<String, TypeRule>,
    /// Regions cfn-lint has no schemas for.
    regions_without_schemas: Vec<String>,
}

/// One resource type's create-only properties, as JSON pointers
/// (`/properties/SubnetId`, `/properties/HealthCheckConfig/Type`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeRule {
    create_only: Vec<String>,
    conditional: Vec<String>,
    /// The top-level properties a template may set.
    properties: Vec<String>,
    /// The accepted regions whose schemas lack the type.
    #[serde(default)]
    missing_in: Vec<String>,
}

/// Whether CloudFormation offers `resource_type` in `region`, by the
/// pinned cfn-lint's per-region schemas (a region they do not cover counts
/// as no).
pub fn offered_in(resource_type: &str, region: &str) -> bool {
    let rules = &*RULES;
    !rules.regions_without_schemas.iter().any(|r| r == region)
        && rules
            .types
            .get(resource_type)
            .is_some_and(|t| !t.missing_in.iter().any(|r| r == region))
}

/// The top-level properties a template may set on `resource_type`, from
/// CloudFormation's resource schema; `None` for a type topoform never
/// emits.
pub fn settable_properties(resource_type: &str) -> Option<&'static [String]> {
    RULES
        .types
        .get(resource_type)
        .map(|r| r.properties.as_slice())
}

static RULES: LazyLock<Table> = LazyLock::new(|| {
    serde_json::from_str(TABLE).expect("bug in topoform: data/create-only.json is not valid")
});

/// What an update does to one resource, from the least to the most
/// disruptive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Its properties change in place, without interruption.
    Update,
    /// An EC2 instance is stopped and started again: same instance, same
    /// volumes, same private address.
    Restart,
    /// An Auto Scaling group is kept, and its running instances are replaced
    /// by a rolling update (their root volumes go with them).
    ReplaceInstances,
    /// CloudFormation may replace it: a conditional create-only property
    /// changed, under a condition topoform cannot decide.
    MayReplace,
    /// A new physical resource replaces the old one, which is deleted.
    Replace,
}

/// The change to one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A resource only the new template has.
    Add,
    /// A resource only the old template has: deleted.
    Remove,
    /// A resource of both, changed.
    Modify {
        /// What the update does.
        effect: Effect,
        /// The top-level properties (and `DependsOn`, `UpdatePolicy`, …)
        /// that differ.
        changed: Vec<String>,
        /// The create-only properties, as JSON pointers, whose change
        /// decides `effect` (empty for `Update`).
        because: Vec<String>,
    },
}

impl Change {
    /// The effect, with an added resource as `None`.
    pub fn effect(&self) -> Option<Effect> {
        match self {
            Change::Modify { effect, .. } => Some(*effect),
            Change::Remove => Some(Effect::Replace),
            Change::Add => None,
        }
    }
}

/// Every resource that differs between two templates (parsed JSON), by
/// logical ID.
pub fn compare(before: &Value, after: &Value) -> BTreeMap<String, Change> {
    let empty = Map::new();
    let resources = |t: &'_ Value| t["Resources"].as_object().cloned().unwrap_or_default();
    let (old, new) = (resources(before), resources(after));
    let volatile = volatile_parameters(before)
        .union(&volatile_parameters(after))
        .cloned()
        .collect::<BTreeSet<_>>();

    let mut out: BTreeMap<String, Change> = BTreeMap::new();
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        out.insert(id.clone(), Change::Remove);
    }
    for id in new.keys().filter(|id| !old.contains_key(*id)) {
        out.insert(id.clone(), Change::Add);
    }
    // Until nothing more changes: a replaced or updated resource can change
    // what refers to it.
    loop {
        let mut changed_any = false;
        for (id, after) in &new {
            let Some(before) = old.get(id) else { continue };
            let cx = Compare {
                volatile: &volatile,
                changes: &out,
            };
            let Some(change) = cx.resource(before, after, &empty) else {
                continue;
            };
            if out.get(id) != Some(&change) {
                out.insert(id.clone(), change);
                changed_any = true;
            }
        }
        if !changed_any {
            return out;
        }
    }
}

/// The parameters CloudFormation resolves again at every deploy.
fn volatile_parameters(template: &Value) -> BTreeSet<String> {
    template["Parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, p)| {
            p["Type"]
                .as_str()
                .is_some_and(|t| t.starts_with("AWS::SSM::Parameter::Value<"))
        })
        .map(|(id, _)| id.clone())
        .collect()
}

struct Compare<'a> {
    volatile: &'a BTreeSet<String>,
    changes: &'a BTreeMap<String, Change>,
}

impl Compare<'_> {
    /// The change to a resource both templates have, if any.
    fn resource(
        &self,
        before: &Value,
        after: &Value,
        empty: &Map<String, Value>,
    ) -> Option<Change> {
        let kind = after["Type"].as_str().unwrap_or_default();
        if before["Type"] != after["Type"] {
            return Some(Change::Modify {
                effect: Effect::Replace,
                changed: vec!["Type".into()],
                because: vec!["Type".into()],
            });
        }
        let (bp, ap) = (
            before["Properties"].as_object().unwrap_or(empty),
            after["Properties"].as_object().unwrap_or(empty),
        );
        let mut changed: Vec<String> = bp
            .keys()
            .chain(ap.keys())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter(|k| self.differs(bp.get(*k), ap.get(*k)))
            .cloned()
            .collect();
        let (bo, ao) = (before.as_object().unwrap(), after.as_object().unwrap());
        for key in [
            "DependsOn",
            "UpdatePolicy",
            "DeletionPolicy",
            "UpdateReplacePolicy",
        ] {
            if bo.get(key) != ao.get(key) {
                changed.push(key.to_string());
            }
        }
        if changed.is_empty() {
            return None;
        }
        let rule = RULES.types.get(kind);
        let at = |pointer: &str| {
            let path = pointer.strip_prefix("/properties").unwrap_or(pointer);
            // A wildcard compares the whole collection it stands in.
            let path = path.split("/*").next().unwrap_or(path);
            (
                before["Properties"].pointer(path),
                after["Properties"].pointer(path),
            )
        };
        let hit = |pointers: &[String]| -> Vec<String> {
            pointers
                .iter()
                .filter(|p| {
                    let (b, a) = at(p);
                    self.differs(b, a)
                })
                .cloned()
                .collect()
        };
        let (always, maybe) = rule.map_or((Vec::new(), Vec::new()), |r| {
            (hit(&r.create_only), hit(&r.conditional))
        });
        // A create-only value whose text is the same but that refers to a
        // replaced resource (or an SSM-resolved parameter) changes only if
        // the new id or value does (a fixed name survives a replacement):
        // CloudFormation itself calls that a conditional replacement,
        // decided at update time. A launch template's version number
        // changes for certain.
        let mut textual = Vec::new();
        let mut by_reference = Vec::new();
        for p in always {
            let (b, a) = at(&p);
            match a.and_then(|v| self.changed_reference(v)) {
                Some((target, false)) if b == a => {
                    by_reference.push(format!("{p} (refers to {target}, which may change)"));
                }
                _ => textual.push(p),
            }
        }
        let (effect, because) = if textual.is_empty() {
            let effect = maybe
                .iter()
                .map(|p| resolve(kind, p, after))
                .chain((!by_reference.is_empty()).then_some(Effect::MayReplace))
                .max()
                .unwrap_or(Effect::Update);
            (effect, by_reference.into_iter().chain(maybe).collect())
        } else {
            (Effect::Replace, textual)
        };
        Some(Change::Modify {
            effect,
            changed,
            because: if effect == Effect::Update {
                Vec::new()
            } else {
                because
            },
        })
    }

    /// Whether a property's value may differ after the update: its text
    /// differs, or it refers to something that changes.
    fn differs(&self, before: Option<&Value>, after: Option<&Value>) -> bool {
        before != after || after.is_some_and(|v| self.refers_to_change(v))
    }

    fn refers_to_change(&self, v: &Value) -> bool {
        self.changed_reference(v).is_some()
    }

    /// The first resource or parameter that v refers to and that changes
    /// under it, and whether the value certainly changes with it (a launch
    /// template's version number) or only may (a replaced resource's id,
    /// an SSM-resolved value).
    fn changed_reference(&self, v: &Value) -> Option<(String, bool)> {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(target)) = o.get("Ref") {
                    return (self.volatile.contains(target) || self.replaced(target))
                        .then(|| (target.clone(), false));
                }
                if let Some(Value::Array(a)) = o.get("Fn::GetAtt") {
                    let target = a.first().and_then(Value::as_str)?;
                    let version = matches!(
                        a.get(1).and_then(Value::as_str),
                        Some("LatestVersionNumber" | "DefaultVersionNumber")
                    ) && self.changes.contains_key(target);
                    return (version || self.replaced(target))
                        .then(|| (target.to_string(), version));
                }
                if let Some(Value::String(text)) = o.get("Fn::Sub") {
                    return self.sub_changed_reference(text);
                }
                o.values().find_map(|x| self.changed_reference(x))
            }
            Value::Array(a) => a.iter().find_map(|x| self.changed_reference(x)),
            _ => None,
        }
    }

    /// `${Name}` and `${Name.Attribute}` in an `Fn::Sub` text.
    fn sub_changed_reference(&self, text: &str) -> Option<(String, bool)> {
        text.split("${").skip(1).find_map(|rest| {
            let name = rest.split('}').next().unwrap_or_default();
            if name.starts_with('!') {
                return None;
            }
            let target = name.split('.').next().unwrap_or(name);
            (self.volatile.contains(target) || self.replaced(target))
                .then(|| (target.to_string(), false))
        })
    }

    fn replaced(&self, id: &str) -> bool {
        matches!(
            self.changes.get(id).and_then(Change::effect),
            Some(Effect::Replace | Effect::MayReplace)
        )
    }
}

/// What a conditional create-only property's change does, where the
/// reference documents the condition and topoform's output decides it.
fn resolve(kind: &str, pointer: &str, after: &Value) -> Effect {
    let property = pointer.strip_prefix("/properties/").unwrap_or(pointer);
    match (kind, property) {
        ("AWS::EC2::Instance", "InstanceType" | "UserData" | "EbsOptimized") => Effect::Restart,
        ("AWS::EC2::Instance", "SecurityGroupIds") => Effect::Update,
        ("AWS::AutoScaling::AutoScalingGroup", "LaunchTemplate" | "VPCZoneIdentifier")
            if after["UpdatePolicy"]
                .get("AutoScalingRollingUpdate")
                .is_some() =>
        {
            Effect::ReplaceInstances
        }
        _ => Effect::MayReplace,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Change, Effect, RULES, compare};

    fn template(resources: &serde_json::Value) -> serde_json::Value {
        json!({ "Resources": resources })
    }

    #[test]
    fn the_table_knows_every_type_topoform_emits() {
        // The instance's subnet and image are create-only; its type is
        // conditional: the schema's own words, not ours.
        let instance = &RULES.types["AWS::EC2::Instance"];
        assert!(
            instance
                .create_only
                .contains(&"/properties/SubnetId".into())
        );
        assert!(instance.create_only.contains(&"/properties/ImageId".into()));
        assert!(
            instance
                .conditional
                .contains(&"/properties/InstanceType".into())
        );
    }

    #[test]
    fn a_subnet_change_replaces_and_a_tag_change_updates() {
        let before = template(&json!({
            "I": {"Type": "AWS::EC2::Instance", "Properties": {"SubnetId": "subnet-a", "Tags": []}},
            "J": {"Type": "AWS::EC2::Instance", "Properties": {"SubnetId": "subnet-a", "Tags": []}},
        }));
        let after = template(&json!({
            "I": {"Type": "AWS::EC2::Instance", "Properties": {"SubnetId": "subnet-b", "Tags": []}},
            "J": {"Type": "AWS::EC2::Instance", "Properties": {"SubnetId": "subnet-a", "Tags": [{"Key": "k", "Value": "v"}]}},
        }));
        let c = compare(&before, &after);
        assert_eq!(c["I"].effect(), Some(Effect::Replace));
        assert_eq!(c["J"].effect(), Some(Effect::Update));
    }

    #[test]
    fn a_new_launch_template_version_replaces_the_instances_that_pin_it() {
        let lt = |user_data: &str| json!({"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"UserData": user_data}}});
        let instance = json!({"Type": "AWS::EC2::Instance", "Properties": {"LaunchTemplate": {
            "LaunchTemplateId": {"Ref": "Lt"},
            "Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}}}});
        let group = json!({"Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {"LaunchTemplate": {"Version": {"Fn::GetAtt": ["Lt", "LatestVersionNumber"]}}},
            "UpdatePolicy": {"AutoScalingRollingUpdate": {"MinInstancesInService": 0}}});
        let before = template(&json!({"Lt": lt("a"), "I": instance.clone(), "G": group.clone()}));
        let after = template(&json!({"Lt": lt("b"), "I": instance, "G": group}));
        let c = compare(&before, &after);
        assert_eq!(c["Lt"].effect(), Some(Effect::Update));
        assert_eq!(c["I"].effect(), Some(Effect::Replace));
        assert_eq!(c["G"].effect(), Some(Effect::ReplaceInstances));
        assert!(compare(&before, &before).is_empty());
    }

    #[test]
    fn what_refers_to_a_replaced_resource_or_a_fresh_ssm_value_changes() {
        let before = json!({
            "Parameters": {"Image": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"}},
            "Resources": {
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"VpcId": "vpc-a"}},
                "I": {"Type": "AWS::EC2::Instance", "Properties": {
                    "ImageId": "ami-1", "SecurityGroupIds": [{"Ref": "Sg"}]}},
                "K": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": {"Ref": "Image"}}},
                // (A made-up reference: only its shape matters here.)
                "L": {"Type": "AWS::EC2::Instance", "Properties": {
                    "ImageId": "ami-1", "SubnetId": {"Fn::GetAtt": ["Sg", "GroupId"]}}},
            }
        });
        let mut after = before.clone();
        after["Resources"]["Sg"]["Properties"]["VpcId"] = json!("vpc-b");
        let c = compare(&before, &after);
        assert_eq!(c["Sg"].effect(), Some(Effect::Replace));
        // A new group id: an in-place change in a VPC.
        assert_eq!(c["I"].effect(), Some(Effect::Update));
        // The same text, a value resolved again at the deploy: the image
        // may be another, so the instance may be replaced (CloudFormation's
        // "Conditional"), and the plan says why.
        assert_eq!(c["K"].effect(), Some(Effect::MayReplace));
        assert!(matches!(&c["K"], Change::Modify { because, .. }
            if because == &["/properties/ImageId (refers to Image, which may change)"]));
        // A create-only value that refers to a replaced resource: the same.
        assert_eq!(c["L"].effect(), Some(Effect::MayReplace));
        // A create-only value whose text changes replaces, whatever else.
        after["Resources"]["L"]["Properties"]["ImageId"] = json!("ami-2");
        assert_eq!(
            compare(&before, &after)["L"].effect(),
            Some(Effect::Replace)
        );
    }
}
