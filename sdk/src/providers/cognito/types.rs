//! Amazon Cognito's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use serde::Serialize;

/// What an Amazon Cognito reactivation did, with the user as `AdminGetUser`
/// showed it.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CognitoUser {
    /// The user name Cognito returned (the one asked for, or the user name an
    /// alias such as an email address stands for).
    pub username: String,
    /// The user's `UserStatus` (`CONFIRMED`, `FORCE_CHANGE_PASSWORD`,
    /// `RESET_REQUIRED`, `UNCONFIRMED`, `EXTERNAL_PROVIDER`, ...), kept as
    /// Cognito spells it (AWS adds values); `None` when not given. Enabling a
    /// user does not change it: a `FORCE_CHANGE_PASSWORD` user must still set
    /// a password at the next sign-in.
    pub user_status: Option<String>,
    /// The user was disabled and is enabled now (`AdminEnableUser`).
    pub re_enabled: bool,
}
