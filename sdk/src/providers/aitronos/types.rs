//! Aitronos's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// Aitronos' user object, as returned by a reactivation.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AitronosUser {
    /// `usr_*` id.
    pub id: String,
    /// Full name.
    pub full_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// User name.
    pub user_name: Option<String>,
    /// Account state (`"active"` after a reactivation).
    pub account_state: String,
    /// Role ids, restored by the reactivation.
    pub role_ids: Vec<String>,
    /// Department ids, restored by the reactivation.
    pub department_ids: Vec<String>,
    /// `org_*` id.
    pub organization_id: Option<String>,
    /// Pending invitation link, if any.
    pub invitation_link: Option<String>,
    /// When the user was invited, if pending.
    pub invited_at: Option<String>,
    /// When the user was deactivated (`None` once active).
    pub deactivated_at: Option<String>,
}
