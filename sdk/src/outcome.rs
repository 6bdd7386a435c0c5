//! What a successful reactivation returns: [`Reactivated`] and its typed
//! [`Details`]. At the bottom of the house with the provider enum, so that
//! the adapters (which make them) and the call path above them (which names
//! them) both import it and it imports neither.

use serde::Serialize;

use crate::provider::Provider;
use crate::providers::aitronos::types::AitronosUser;
use crate::providers::auth0::types::Auth0Unblock;
use crate::providers::cognito::types::CognitoUser;
use crate::providers::entra_id::types::EntraUser;
use crate::providers::firebase::types::FirebaseUser;
use crate::providers::google_workspace::types::WorkspaceUser;
use crate::providers::keycloak::types::KeycloakUser;
use crate::providers::okta::types::OktaLifecycle;
use crate::providers::scim::types::ScimUser;
use crate::providers::zitadel::types::ChangeDetails;

/// A successful reactivation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reactivated {
    pub(crate) provider: Provider,
    pub(crate) user_id: String,
    pub(crate) message: Option<String>,
    pub(crate) details: Details,
    pub(crate) already_active: bool,
    pub(crate) recovered: bool,
    pub(crate) attempts: u32,
    pub(crate) dry_run: bool,
}

// Every call moves its `Reactivated` several times and a bulk report keeps one
// per item: a provider's large payload goes in a box in `Details`.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(
    std::mem::size_of::<Reactivated>() <= 160,
    "Reactivated grew: box the new large Details payload"
);

impl Reactivated {
    /// A success of `provider`. Its user id is set by the call that owns the
    /// request (`users::Unnamed::named`), so that an adapter does not copy the id.
    pub(crate) fn new(provider: Provider, details: Details) -> Self {
        Reactivated {
            provider,
            user_id: String::new(),
            message: None,
            details,
            already_active: false,
            recovered: false,
            attempts: 1,
            dry_run: false,
        }
    }

    /// What a reactivation would do, as a dry run found it
    /// ([`Reactivated::is_dry_run`]).
    pub(crate) fn planned(mut self) -> Self {
        self.dry_run = true;
        self
    }

    pub(crate) fn with_message(mut self, message: Option<String>) -> Self {
        self.message = message;
        self
    }

    /// The provider that reactivated the user.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The user id as requested.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The provider's message (Flashback, My Nethesis); for Okta, why the
    /// user's status could not be read after a successful transition.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// What the provider returned, typed.
    pub fn details(&self) -> &Details {
        &self.details
    }

    /// Aitronos' updated user object (`None` for every other provider; their
    /// results are [`Reactivated::scim_user`], [`Reactivated::okta`], ... and
    /// [`Reactivated::details`]).
    pub fn aitronos_user(&self) -> Option<&AitronosUser> {
        match &self.details {
            Details::Aitronos(u) => Some(&**u),
            _ => None,
        }
    }

    /// Aitronos' updated user object.
    #[deprecated(
        since = "0.1.1",
        note = "Aitronos' user only: use `aitronos_user`, or `details` for any provider"
    )]
    pub fn user(&self) -> Option<&AitronosUser> {
        self.aitronos_user()
    }

    /// Zitadel's change details (sequence, change date, resource owner).
    pub fn change_details(&self) -> Option<&ChangeDetails> {
        match &self.details {
            Details::Zitadel(d) => Some(d),
            _ => None,
        }
    }

    /// Okta: the lifecycle transition that ran and the status the user ends in
    /// ([`OktaLifecycle::can_sign_in`] says whether they can sign in now).
    pub fn okta(&self) -> Option<&OktaLifecycle> {
        match &self.details {
            Details::Okta(d) => Some(&**d),
            _ => None,
        }
    }

    /// Amazon Cognito: the user name, its `UserStatus` and that it was enabled.
    pub fn cognito(&self) -> Option<&CognitoUser> {
        match &self.details {
            Details::Cognito(d) => Some(d),
            _ => None,
        }
    }

    /// Auth0: which blocks were lifted (an administrator's block, brute-force
    /// protection blocks).
    pub fn auth0(&self) -> Option<&Auth0Unblock> {
        match &self.details {
            Details::Auth0(d) => Some(d),
            _ => None,
        }
    }

    /// The User resource a SCIM server returned with its 200 to the PATCH
    /// (`None` after a 204, which carries no body).
    ///
    #[cfg_attr(feature = "mock", doc = "```")]
    #[cfg_attr(not(feature = "mock"), doc = "```ignore")]
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, Provider};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sim = Simulator::start(Provider::Scim).await;
    /// sim.add_user("2819c223", sim.organization(), UserState::Deactivated);
    /// let client = Client::builder(Provider::Scim)
    ///     .base_url(sim.base_url()) // the SCIM root: http://127.0.0.1:PORT/scim/v2
    ///     .bearer_token(sim.token())
    ///     .build()?;
    /// let done = client.users().reactivate("2819c223").await?;
    /// let user = done.scim_user().expect("the simulator answers 200 with the resource");
    /// assert_eq!(user.active, Some(true));
    /// assert_eq!(user.id.as_deref(), Some("2819c223"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scim_user(&self) -> Option<&ScimUser> {
        match &self.details {
            Details::Scim(u) => Some(&**u),
            _ => None,
        }
    }

    /// True when the user was already active before this call: the provider
    /// answered "not deactivated" to the first attempt of a request made with
    /// [`ReactivateRequest::allow_already_active`](crate::ReactivateRequest::allow_already_active). [`Reactivated::details`] is
    /// then [`Details::None`] and [`Reactivated::message`] `None` (the
    /// provider's "not deactivated" text is not a success message).
    pub fn already_active(&self) -> bool {
        self.already_active
    }

    /// True when an earlier attempt's answer was lost (a timeout, a connection
    /// lost after the request was sent, or a 5xx) and a retry was answered "not
    /// deactivated": the earlier attempt most likely did the reactivation, and
    /// its answer was recovered as this success. [`Reactivated::details`] is then
    /// [`Details::None`] and [`Reactivated::message`] `None`.
    /// [`Reactivated::already_active`] is false: the user was not active before
    /// the call, as far as the SDK can tell.
    pub fn recovered(&self) -> bool {
        self.recovered
    }

    /// True for the answer to a dry run
    /// ([`ReactivateRequest::dry_run`](crate::ReactivateRequest::dry_run)):
    /// nothing was changed; [`Reactivated::details`] is what a reactivation
    /// would do (Okta: the transition it would run, `status` the user's
    /// current one).
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// How many attempts the call took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// What a provider returned on success, typed.
///
/// The three large payloads (Aitronos' user, a SCIM resource, Okta's
/// lifecycle) are boxed, so that every [`Reactivated`](crate::Reactivated) is
/// small (152 bytes, not 320): it is moved on every call and kept per item in a
/// [`BulkReport`](crate::BulkReport). Read them through
/// [`Reactivated::user`](crate::Reactivated::user),
/// [`Reactivated::scim_user`](crate::Reactivated::scim_user) and
/// [`Reactivated::okta`](crate::Reactivated::okta), or match and use the box
/// as the value (`Details::Okta(lifecycle) => lifecycle.status`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Details {
    /// Nothing beyond a message (Flashback, My Nethesis), a SCIM server's 204,
    /// or an already active user.
    None,
    /// Aitronos' updated user object.
    Aitronos(Box<AitronosUser>),
    /// Zitadel's change details.
    Zitadel(ChangeDetails),
    /// The User resource a SCIM server returned with its 200.
    Scim(Box<ScimUser>),
    /// What a Keycloak reactivation did: re-enabled the user, or released a
    /// brute-force lockout.
    Keycloak(KeycloakUser),
    /// The Entra ID user, by object id and principal name.
    EntraId(EntraUser),
    /// Okta: the lifecycle transition that ran and the status the user ends in.
    Okta(Box<OktaLifecycle>),
    /// Auth0: which blocks were lifted.
    Auth0(Auth0Unblock),
    /// The Google Workspace user, by id and primary email.
    GoogleWorkspace(WorkspaceUser),
    /// The Firebase Authentication account, by uid and email.
    Firebase(FirebaseUser),
    /// Amazon Cognito: the user name, its `UserStatus`, and that it was
    /// enabled.
    Cognito(CognitoUser),
}
