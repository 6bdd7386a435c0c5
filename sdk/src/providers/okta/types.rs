//! Okta's public result types: data only (a leaf module, so that
//! `outcome.rs` at the bottom of the house can name them).

use std::fmt;

use serde::Serialize;

/// The Okta lifecycle operation a reactivation ran.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OktaTransition {
    /// `POST …/lifecycle/unsuspend`, for a `SUSPENDED` user.
    Unsuspend,
    /// `POST …/lifecycle/unlock`, for a `LOCKED_OUT` user.
    Unlock,
    /// `POST …/lifecycle/activate?sendEmail=false`, for a `DEPROVISIONED`
    /// (deactivated) or `STAGED` user.
    Activate,
    /// `POST …/lifecycle/reactivate?sendEmail=false`, for a `PROVISIONED` user
    /// (activation restarted).
    Reactivate,
}

impl OktaTransition {
    /// The operation's name, as in its path: `unsuspend`, `unlock`, `activate`,
    /// `reactivate`.
    pub fn as_str(self) -> &'static str {
        match self {
            OktaTransition::Unsuspend => "unsuspend",
            OktaTransition::Unlock => "unlock",
            OktaTransition::Activate => "activate",
            OktaTransition::Reactivate => "reactivate",
        }
    }

    /// The transition a user of `status` needs; `None` for a status no
    /// transition reactivates.
    pub(super) fn for_status(status: &str) -> Option<Self> {
        match status {
            "SUSPENDED" => Some(OktaTransition::Unsuspend),
            "LOCKED_OUT" => Some(OktaTransition::Unlock),
            "DEPROVISIONED" | "STAGED" => Some(OktaTransition::Activate),
            "PROVISIONED" => Some(OktaTransition::Reactivate),
            _ => None,
        }
    }
}

impl fmt::Display for OktaTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an Okta reactivation did: the transition that ran and the status Okta
/// reports afterwards. [`OktaLifecycle::can_sign_in`] tells whether the user can
/// sign in now; a user without a password ends `PROVISIONED` and must finish
/// activation through [`OktaLifecycle::activation_link`] first (Okta sent no
/// email: the SDK calls it with `sendEmail=false`).
///
/// ```
/// # fn show(done: &userbridge::Reactivated) {
/// if let Some(okta) = done.okta() {
///     println!("{} -> {}: {:?}", okta.previous_status, okta.transition, okta.status);
///     if !okta.can_sign_in() {
///         if let Some(link) = okta.activation_link() {
///             // Deliver it to the user yourself: it lets them set a password.
///             let _ = link.url();
///         }
///     }
/// }
/// # }
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OktaLifecycle {
    /// The lifecycle operation that ran.
    pub transition: OktaTransition,
    /// The user's status before it (`SUSPENDED`, `LOCKED_OUT`, `DEPROVISIONED`,
    /// `STAGED` or `PROVISIONED`).
    pub previous_status: String,
    /// The user's status as Okta reports it after the transition: `ACTIVE`,
    /// `PROVISIONED` (activation to finish), or the previous status while an
    /// asynchronous activation runs (then [`OktaLifecycle::transitioning_to_status`]
    /// is `ACTIVE`). `None` when the read after the transition failed (the
    /// transition itself succeeded; [`Reactivated::message`](crate::Reactivated::message) says why).
    pub status: Option<String>,
    /// The target of an asynchronous transition still under way, if any.
    pub transitioning_to_status: Option<String>,
    #[serde(skip)]
    pub(super) activation: Option<ActivationLink>,
}

impl OktaLifecycle {
    /// True when Okta reports the user `ACTIVE` with no transition under way:
    /// the user can sign in. False when the status could not be read.
    pub fn can_sign_in(&self) -> bool {
        self.status.as_deref() == Some("ACTIVE") && self.transitioning_to_status.is_none()
    }

    /// The activation link Okta returned (`activate` and `reactivate` only).
    /// A user who ends `PROVISIONED` must open it to set a password before
    /// signing in; Okta sent no email.
    pub fn activation_link(&self) -> Option<&ActivationLink> {
        self.activation.as_ref()
    }
}

/// An activation link Okta returned instead of emailing it. It is a credential
/// (whoever holds it can set the user's password): `Debug` shows
/// `<redacted>`, and the serde form of a result leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationLink {
    pub(super) url: String,
    pub(super) token: String,
}

impl ActivationLink {
    /// The link the user opens (`https://{domain}/tokens/{token}/verify`, or
    /// `/welcome/{token}` on Classic orgs).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The activation token in it, for a custom activation link.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Debug for ActivationLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ActivationLink(<redacted>)")
    }
}
