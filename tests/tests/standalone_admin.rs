//! The standalone simulator's admin interface (`/_userbridge`, issue 29): seed
//! users in any state word, queue failures for everyone or for one user, read
//! and clear the request record (query strings kept, credentials redacted),
//! over HTTP as a script in any language would; and the `simulator` example
//! with `--users FILE` and `--port`.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use userbridge::mock::standalone::{state_words, SeedUser, Standalone};
use userbridge::mock::UserState;
use userbridge::Provider;

async fn served(provider: Provider, users: &[(&str, &str)]) -> (Standalone, String, String) {
    let users: Vec<SeedUser> = users.iter().map(|(id, s)| SeedUser::new(*id, *s)).collect();
    let served = Standalone::start(provider, &users, None).await.unwrap();
    let line = served.announcement();
    let admin = line["admin_url"].as_str().unwrap().to_string();
    let base = line["base_url"].as_str().unwrap().to_string();
    (served, admin, base)
}

async fn get(url: &str) -> (u16, Value) {
    let answer = reqwest::get(url).await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn send(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let http = reqwest::Client::new();
    let mut request = http.request(method.parse().unwrap(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn admin_url_is_on_the_base_urls_port() {
    let (served, admin, base) = served(Provider::Nethesis, &[]).await;
    // My Nethesis' base URL ends in /api; the admin interface is at the root.
    assert!(base.ends_with("/api"), "{base}");
    assert_eq!(
        admin,
        format!("{}/_userbridge", base.trim_end_matches("/api"))
    );
    assert_eq!(served.admin_url(), admin);
}

#[tokio::test]
async fn every_state_word_of_every_provider_seeds_over_http() {
    for provider in Provider::ALL {
        let (served, admin, _) = served(provider, &[]).await;
        let words = state_words(provider);
        let users: Vec<Value> = words
            .iter()
            .enumerate()
            .map(|(i, w)| json!({"id": format!("u{i}"), "state": w}))
            .collect();
        let (status, added) = send("POST", &format!("{admin}/users"), Some(json!(users))).await;
        assert_eq!(
            (status, &added),
            (201, &json!({"added": words.len()})),
            "{provider}"
        );
        let (status, listed) = get(&format!("{admin}/users")).await;
        assert_eq!(status, 200);
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), words.len(), "{provider}: {listed:?}");
        for (i, word) in words.iter().enumerate() {
            let id = format!("u{i}");
            let entry = listed.iter().find(|u| u["id"] == id.as_str()).unwrap();
            let shown = entry["state"].as_str().unwrap();
            // `active`/`deactivated` show as the provider's word for them.
            let generic = ["active", "deactivated"].contains(&word.as_str());
            assert!(
                generic || shown == word,
                "{provider}: seeded {word}, listed {shown}"
            );
            let want = if word == "active" {
                UserState::Active
            } else if word == "deactivated" {
                UserState::Deactivated
            } else {
                served.simulator().user_state(&id).unwrap()
            };
            assert_eq!(served.simulator().user_state(&id), Some(want));
        }
    }
}

#[tokio::test]
async fn combined_states_and_the_providers_own_words() {
    let (served, admin, _) = served(
        Provider::Keycloak,
        &[("k1", "disabled+locked-out"), ("k2", "locked-out")],
    )
    .await;
    // The first line says the same words as GET /_userbridge/users.
    let line = served.announcement();
    assert_eq!(line["users"]["k1"], "disabled+locked-out");
    assert_eq!(line["users"]["k2"], "locked-out");
    let sim = served.simulator();
    assert_eq!(sim.user_state("k1"), Some(UserState::Deactivated));
    assert_eq!(sim.is_locked_out("k1"), Some(true));
    assert_eq!(sim.user_state("k2"), Some(UserState::Active));
    assert_eq!(sim.is_locked_out("k2"), Some(true));
    let one = json!({"id": "k3", "state": "LOCKED-OUT+Disabled", "login": "kim"});
    assert_eq!(
        send("POST", &format!("{admin}/users"), Some(one)).await,
        (201, json!({"added": 1}))
    );
    let (_, listed) = get(&format!("{admin}/users")).await;
    let k3 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "k3")
        .unwrap();
    assert_eq!(k3["state"], "disabled+locked-out");
    assert_eq!(k3["login"], "kim");

    // Auth0's two blocks hold together, in either order.
    let (served, _, _) = served_auth0().await;
    assert_eq!(
        served.simulator().user_status("a1").as_deref(),
        Some("blocked+brute-force-blocked")
    );
}

async fn served_auth0() -> (Standalone, String, String) {
    served(
        Provider::Auth0,
        &[("a1", "brute-force-blocked+blocked"), ("a2", "blocked")],
    )
    .await
}

#[tokio::test]
async fn bad_bodies_are_400_saying_what_is_accepted() {
    let (served, admin, _) = served(Provider::Okta, &[]).await;
    let (status, body) = send(
        "POST",
        &format!("{admin}/users"),
        Some(json!([{"id": "ok", "state": "active"}, {"id": "x", "state": "frozen"}])),
    )
    .await;
    assert_eq!(status, 400);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("frozen") && error.contains("password-expired"),
        "{error}"
    );
    // Nothing of a refused body is added.
    assert_eq!(served.simulator().user_state("ok"), None);

    let (status, body) = send(
        "POST",
        &format!("{admin}/failures"),
        Some(json!({"failure": "teapot"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("rate-limit, unavailable"));
    let (status, body) = send("POST", &format!("{admin}/failures"), Some(json!([1]))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = get(&format!("{admin}/nothing")).await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("/_userbridge/requests"));
}

#[tokio::test]
async fn a_rate_limit_for_one_user_then_the_record_with_query_strings() {
    let (_served, admin, base) = served(Provider::Okta, &[("00u1", "deprovisioned")]).await;
    assert_eq!(
        send(
            "POST",
            &format!("{admin}/failures"),
            Some(json!({"failure": "rate-limit", "user": "00u1", "retry_after_secs": 3}))
        )
        .await,
        (201, json!({"queued": 1}))
    );
    let http = reqwest::Client::new();
    // Another user is not hit.
    let other = http
        .get(format!("{base}/api/v1/users/00u9"))
        .header("authorization", "SSWS userbridge-simulator-token")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    let limited = http
        .post(format!(
            "{base}/api/v1/users/00u1/lifecycle/activate?sendEmail=false"
        ))
        .header("authorization", "SSWS userbridge-simulator-token")
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers()["x-rate-limit-remaining"], "0");
    assert_eq!(limited.headers()["retry-after"], "3");
    let done = http
        .post(format!(
            "{base}/api/v1/users/00u1/lifecycle/activate?sendEmail=false"
        ))
        .header("authorization", "SSWS userbridge-simulator-token")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 200);

    let (status, record) = get(&format!("{admin}/requests")).await;
    assert_eq!(status, 200);
    let record = record.as_array().unwrap();
    // The admin calls are not recorded.
    assert_eq!(record.len(), 3, "{record:?}");
    assert_eq!(record[1]["method"], "POST");
    assert_eq!(record[1]["path"], "/api/v1/users/00u1/lifecycle/activate");
    assert_eq!(record[1]["query"], "sendEmail=false");
    assert_eq!(record[1]["status"], 429);
    assert_eq!(record[0]["query"], "");
    assert_eq!(record[2]["body"], "{}");
    assert_eq!(record[2]["headers"]["authorization"], "SSWS [redacted]");
    assert_eq!(record[2]["status"], 200);
    assert!(!record
        .iter()
        .any(|r| r.to_string().contains("userbridge-simulator-token")));

    let cleared = http
        .delete(format!("{admin}/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    assert_eq!(get(&format!("{admin}/requests")).await, (200, json!([])));
}

#[tokio::test]
async fn failures_for_any_request_and_clearing_them() {
    let (_served, admin, base) = served(Provider::Flashback, &[("u1", "deleted")]).await;
    let queue = |body: Value| {
        let admin = admin.clone();
        async move { send("POST", &format!("{admin}/failures"), Some(body)).await }
    };
    assert_eq!(
        queue(json!({"failure": "unavailable", "times": 2})).await,
        (201, json!({"queued": 2}))
    );
    let http = reqwest::Client::new();
    let call = || {
        http.post(format!("{base}/organization/users/u1/activate"))
            .bearer_auth("userbridge-simulator-token")
            .send()
    };
    assert_eq!(call().await.unwrap().status().as_u16(), 503);
    let cleared = http
        .delete(format!("{admin}/failures"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    queue(json!({"failure": "server-error"})).await;
    assert_eq!(call().await.unwrap().status().as_u16(), 500);
    queue(json!({"failure": "bad-gateway"})).await;
    assert_eq!(call().await.unwrap().status().as_u16(), 502);
    queue(json!({"failure": "malformed"})).await;
    let malformed = call().await.unwrap();
    assert_eq!(malformed.status().as_u16(), 200);
    assert!(serde_json::from_str::<Value>(&malformed.text().await.unwrap()).is_err());
    queue(json!({"failure": "reset"})).await;
    assert!(call().await.is_err(), "a reset connection has no answer");
    queue(json!({"failure": "slow", "delay_ms": 300})).await;
    let started = std::time::Instant::now();
    assert_eq!(call().await.unwrap().status().as_u16(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    let (_, record) = get(&format!("{admin}/requests")).await;
    let statuses: Vec<u64> = record
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 500, 502, 200, 0, 200]);
}

/// The `simulator` example, killed when dropped.
struct Example(Child);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_example_takes_a_users_file_and_a_port() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("standalone-admin");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.json");
    std::fs::write(
        &file,
        r#"[{"id": "00u1", "state": "suspended", "login": "ann@example.com"},
            {"id": "00u2", "state": "password-expired", "email": "bob@example.com"}]"#,
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(env!("CARGO"))
        .current_dir(&workspace)
        .args(["run", "-q", "-p", "userbridge", "--features", "mock"])
        .args(["--example", "simulator", "--", "okta", "--users"])
        .arg(&file)
        .args(["--port", &port.to_string()])
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _example = Example(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let line: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{first}: {e}"));
    assert_eq!(line["base_url"], format!("http://127.0.0.1:{port}"));
    assert_eq!(
        line["admin_url"],
        format!("http://127.0.0.1:{port}/_userbridge")
    );
    let (_, users) = get(&format!("http://127.0.0.1:{port}/_userbridge/users")).await;
    assert_eq!(
        users,
        json!([
            {"id": "00u1", "state": "suspended", "login": "ann@example.com",
             "organization": line["organization"]},
            {"id": "00u2", "state": "password-expired", "email": "bob@example.com",
             "organization": line["organization"]},
        ])
    );
}
