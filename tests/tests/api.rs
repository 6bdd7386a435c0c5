//! The public API as a release freezes it (issue 33): every public type is
//! `Debug`, and the ones users hand between threads and tasks are `Send +
//! Sync`. A type that loses either fails to compile here.

use std::fmt::Debug;

fn debug_send_sync<T: Debug + Send + Sync>() {}
fn debug_send<T: Debug + Send>() {}

#[test]
fn every_public_type_is_debug_and_thread_safe() {
    use userbridge::*;
    debug_send_sync::<Client>();
    debug_send_sync::<ClientBuilder>();
    debug_send_sync::<Users>();
    debug_send_sync::<ReactivateRequest>();
    debug_send_sync::<Reactivated>();
    debug_send_sync::<Details>();
    debug_send_sync::<Error>();
    debug_send_sync::<ErrorKind>();
    debug_send_sync::<ApiError>();
    debug_send_sync::<FieldError>();
    debug_send_sync::<Provider>();
    debug_send_sync::<RetryPolicy>();
    debug_send_sync::<AccessToken>();
    debug_send_sync::<BulkItem>();
    debug_send_sync::<BulkReport>();
    debug_send_sync::<Progress>();
    debug_send_sync::<ActivationLink>();
    debug_send_sync::<AitronosUser>();
    debug_send_sync::<Auth0Unblock>();
    debug_send_sync::<ChangeDetails>();
    debug_send_sync::<EntraUser>();
    debug_send_sync::<KeycloakUser>();
    debug_send_sync::<OktaLifecycle>();
    debug_send_sync::<OktaTransition>();
    debug_send_sync::<ScimPatchForm>();
    debug_send_sync::<ScimUser>();
    // A bulk run is configured on one task and may be moved to another.
    debug_send::<ReactivateMany<'static>>();

    use userbridge::mock::*;
    debug_send_sync::<Simulator>();
    debug_send_sync::<UserState>();
    debug_send_sync::<Failure>();
    debug_send_sync::<Answer>();
    debug_send_sync::<ReceivedRequest>();
    debug_send_sync::<standalone::SeedUser>();
    debug_send_sync::<standalone::StandaloneError>();
    debug_send_sync::<standalone::Standalone>();

    debug_send_sync::<userbridge_blocking::Client>();
    debug_send_sync::<userbridge_blocking::ClientBuilder>();
    debug_send_sync::<userbridge_blocking::Users>();
    debug_send::<userbridge_blocking::ReactivateMany>();
    debug_send::<userbridge_blocking::BulkIter>();
}

/// `reactivate_many` takes borrowed ids (`ids.iter()`), not only owned ones:
/// the run reads its input on the caller's task and lives no longer than it.
#[tokio::test]
async fn a_bulk_run_takes_borrowed_ids() {
    use userbridge::mock::{Simulator, UserState};
    use userbridge::{Client, Provider};

    let sim = Simulator::start(Provider::Flashback).await;
    let ids: Vec<String> = (0..3).map(|i| format!("usr_{i}")).collect();
    for id in &ids {
        sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    }
    let client = Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .build()
        .unwrap();
    let report = client.users().reactivate_many(ids.iter()).run().await;
    assert_eq!(report.succeeded(), 3, "{report:?}");
    let mut seen: Vec<String> = Vec::new();
    {
        use futures_util::StreamExt as _;
        let mut stream = std::pin::pin!(client.users().reactivate_many(ids.iter()).stream());
        while let Some(item) = stream.next().await {
            seen.push(item.request().user_id().to_string());
        }
    }
    seen.sort();
    assert_eq!(seen, ids);
}
