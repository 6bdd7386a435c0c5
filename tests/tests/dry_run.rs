//! `ReactivateRequest::dry_run`: providers that read a user first say what a
//! reactivation would do and send no write; the others refuse a dry run before
//! anything is sent.

use userbridge::mock::{Simulator, UserState};
use userbridge::{Client, Details, ErrorKind, OktaTransition, Provider, ReactivateRequest};
use userbridge_tests::Credentials;

fn client(sim: &Simulator) -> Client {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .organization(sim.organization())
        .credentials(sim.provider(), sim.token())
        .build()
        .expect("a client")
}

/// A user id every provider's request rules accept.
const USER: &str = "usr_dry0001";

#[tokio::test]
async fn readers_say_what_they_would_do_and_write_nothing() {
    for p in Provider::ALL.into_iter().filter(|p| p.reads_users()) {
        let sim = Simulator::start(p).await;
        let id = USER;
        sim.add_user(id, sim.organization(), UserState::Deactivated);
        let client = client(&sim);
        let plan = client
            .users()
            .reactivate(ReactivateRequest::new(id).dry_run())
            .await
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(plan.is_dry_run(), "{p}");
        assert_eq!(
            sim.user_state(id),
            Some(UserState::Deactivated),
            "{p}: unchanged"
        );
        // Only the reads of a reactivation (a GET, or Firebase's POST
        // `accounts:lookup`): its requests before the write.
        let flow = userbridge_tests::sim::normal_flow(p);
        let sent: Vec<String> = sim.requests().iter().map(|r| r.method.clone()).collect();
        assert!(sent.len() < flow.len(), "{p}: only reads: {sent:?}");
        let reads: Vec<String> = flow
            .iter()
            .take(sent.len())
            .map(|(m, _)| m.clone())
            .collect();
        assert_eq!(sent, reads, "{p}: only reads");
        match plan.details() {
            Details::Keycloak(k) => assert!(k.re_enabled),
            Details::Okta(o) => {
                assert_eq!(o.status.as_deref(), Some(o.previous_status.as_str()));
                assert_ne!(o.transition, OktaTransition::Unlock, "{o:?}");
            }
            Details::Auth0(a) => assert!(a.admin_block_lifted || a.brute_force_blocks_lifted > 0),
            Details::Cognito(c) => assert!(c.re_enabled && c.user_status.is_some(), "{c:?}"),
            Details::EntraId(_)
            | Details::GoogleWorkspace(_)
            | Details::Firebase(_)
            | Details::None => {}
            other => panic!("{p}: {other:?}"),
        }
        // The real call then does it.
        let done = client
            .users()
            .reactivate(id)
            .await
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(!done.is_dry_run());
        assert_eq!(sim.user_state(id), Some(UserState::Active), "{p}");
        // An active user: the dry run says so, as the call would.
        let err = client
            .users()
            .reactivate(ReactivateRequest::new(id).dry_run())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotDeactivated, "{p}: {err}");
        let ok = client
            .users()
            .reactivate(ReactivateRequest::new(id).dry_run().allow_already_active())
            .await
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        assert!(ok.already_active() && ok.is_dry_run(), "{p}");
        // An unknown user.
        let err = client
            .users()
            .reactivate(ReactivateRequest::new("usr_dry0002").dry_run())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{p}: {err}");
    }
}

#[tokio::test]
async fn the_others_refuse_a_dry_run_before_sending() {
    let readers: Vec<Provider> = Provider::ALL
        .into_iter()
        .filter(|p| p.reads_users())
        .collect();
    assert_eq!(
        readers,
        [
            Provider::Scim,
            Provider::Keycloak,
            Provider::EntraId,
            Provider::Okta,
            Provider::Auth0,
            Provider::GoogleWorkspace,
            Provider::Firebase,
            Provider::Cognito
        ]
    );
    for p in Provider::ALL.into_iter().filter(|p| !p.reads_users()) {
        let sim = Simulator::start(p).await;
        let id = USER;
        sim.add_user(id, sim.organization(), UserState::Deactivated);
        let err = client(&sim)
            .users()
            .reactivate(ReactivateRequest::new(id).dry_run())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{p}: {err}");
        assert!(err.to_string().contains("dry run"), "{p}: {err}");
        assert!(sim.requests().is_empty(), "{p}: nothing sent");
        assert_eq!(sim.user_state(id), Some(UserState::Deactivated));
    }
}

/// Okta: each status plans the transition it needs.
#[tokio::test]
async fn okta_plans_the_transition_of_each_status() {
    let sim = Simulator::start(Provider::Okta).await;
    let client = client(&sim);
    for (status, transition) in [
        ("SUSPENDED", OktaTransition::Unsuspend),
        ("LOCKED_OUT", OktaTransition::Unlock),
        ("DEPROVISIONED", OktaTransition::Activate),
        ("STAGED", OktaTransition::Activate),
        ("PROVISIONED", OktaTransition::Reactivate),
    ] {
        let id = format!("00u{status}");
        sim.add_user_with_status(&id, sim.organization(), status)
            .expect("a status Okta's simulator knows");
        let plan = client
            .users()
            .reactivate(ReactivateRequest::new(id.as_str()).dry_run())
            .await
            .unwrap_or_else(|e| panic!("{status}: {e}"));
        let okta = plan.okta().expect("Okta's plan");
        assert_eq!(okta.transition, transition, "{status}");
        assert_eq!(okta.previous_status, status);
        assert_eq!(sim.user_status(&id).as_deref(), Some(status), "unchanged");
    }
}
