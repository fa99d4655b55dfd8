//! `[stack]`: the CloudFormation stack the topology becomes.

use super::{Field, Sp, Table};

/// `[stack]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stack {
    /// CloudFormation stack name.
    pub(crate) name: Option<Sp<String>>,
    /// Region of the main stack.
    pub(crate) region: Option<Sp<String>>,
    /// Template description.
    pub(crate) description: Option<Sp<String>>,
    /// Tags for every taggable resource.
    pub(crate) tags: Vec<(Sp<String>, Sp<String>)>,
    /// E-mail address notified of every alarm.
    pub(crate) notify: Option<Sp<String>>,
}

impl Table for Stack {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("name", Field::Text(&mut self.name)),
            ("region", Field::Text(&mut self.region)),
            ("description", Field::Text(&mut self.description)),
            ("tags", Field::Map(&mut self.tags)),
            ("notify", Field::Text(&mut self.notify)),
        ]
    }
}
