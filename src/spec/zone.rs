//! `[zone.NAME]`: an existing Route 53 hosted zone.

use super::{Body, Field, Sp, Table, here};
use crate::kind::Kind;

/// The body of a `[zone.NAME]` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    /// Hosted zone id (`Z…`).
    pub(crate) id: Option<Sp<String>>,
    /// Its domain.
    pub(crate) domain: Option<Sp<String>>,
    /// Whether it is a private hosted zone.
    pub(crate) private: Option<Sp<bool>>,
}

impl Zone {
    /// The hosted zone `id` (`Z…`) and its `domain`.
    #[track_caller]
    pub fn new(id: impl Into<String>, domain: impl Into<String>) -> Self {
        Zone {
            id: Some(here(id)),
            domain: Some(here(domain)),
            private: None,
        }
    }

    /// `private`: whether it is a private hosted zone (default `false`).
    #[must_use]
    #[track_caller]
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(Sp::here(private));
        self
    }
}

impl Table for Zone {
    fn fields(&mut self) -> Vec<(&'static str, Field<'_>)> {
        vec![
            ("id", Field::Text(&mut self.id)),
            ("domain", Field::Text(&mut self.domain)),
            ("private", Field::Flag(&mut self.private)),
        ]
    }
}

impl Body for Zone {
    const KIND: Kind = Kind::Zone;
}
