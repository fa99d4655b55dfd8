//! `[zone.NAME]`: an existing hosted zone. It produces no resource.

use crate::naming::parts;

/// An existing hosted zone.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Hosted zone id.
    pub id: String,
    /// Domain, lower case, without the trailing dot.
    pub domain: String,
    /// Private hosted zone.
    pub private: bool,
}

parts! {
    /// A zone produces nothing: blocks write records into it.
    pub Part {}
}
