//! Zitadel's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// Zitadel's details of a change.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChangeDetails {
    /// The sequence of the change event (a uint64 sent as a decimal string;
    /// `None` if absent or not a number).
    pub sequence: Option<u64>,
    /// When the change happened (RFC 3339, as sent).
    pub change_date: Option<String>,
    /// When the object was created (RFC 3339, as sent).
    pub creation_date: Option<String>,
    /// The organization that owns the user.
    pub resource_owner: Option<String>,
}
