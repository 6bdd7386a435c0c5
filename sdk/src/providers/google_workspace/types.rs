//! Google Workspace's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// The Google Workspace user a reactivation restored.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceUser {
    /// The unique user id Google returned (the requested key if the answer had
    /// none).
    pub id: String,
    /// The primary email address.
    pub primary_email: Option<String>,
}
