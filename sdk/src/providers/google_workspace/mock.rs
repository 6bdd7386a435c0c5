//! Google Workspace simulator: the Directory API's `GET` and `PATCH
//! /admin/directory/v1/users/{userKey}` (the base URL ends in
//! `/admin/directory/v1`, as Google's does).
//!
//! Organizations are domains: a token sees the users of its own domain only
//! (another domain's user is 404, as an unknown key). A user is found by the
//! key it was added with, case-insensitively, or by `<key>@<domain>` for a key
//! without `@`. Statuses: `ACTIVE`, `SUSPENDED` (an administrator's
//! suspension, `suspensionReason: ADMIN`) and Google's own suspensions
//! `ABUSE`, `UNDER13`, `WEB_LOGIN_REQUIRED` (in the standalone simulator:
//! `active`, `suspended`, `abuse`, `under13`, `web-login-required`); the
//! `fields` parameter selects the fields returned. A token marked with
//! `deny_permission`, or issued to a service account without `sub`, may read
//! but not update (403 `forbidden`). Injected 429s are `rateLimitExceeded`
//! (`RESOURCE_EXHAUSTED`), 5xx `backendError`. The token endpoint is
//! Google's (`POST /token`, `providers::google::tokens`), scope
//! `admin.directory.user`, `sub` required to update.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::mock::model::UserState;
use crate::mock::state::{
    Auth, Call, Captures, Fault, Reply, Route, Simulate, State, TokenService,
};
use crate::providers::google::tokens::GoogleTokens;

/// The Google Workspace simulator.
pub(crate) struct Sim;

static ROUTES: [Route; 2] = [
    Route {
        name: "get-user",
        method: "GET",
        segments: &["users", "{id}"],
    },
    Route {
        name: "update-user",
        method: "PATCH",
        segments: &["users", "{id}"],
    },
];

static TOKENS: GoogleTokens = GoogleTokens {
    scopes: &[super::SCOPE],
    needs_subject: true,
};

/// An administrator's suspension.
const SUSPENDED: &str = "SUSPENDED";

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &ROUTES
    }

    fn base_path(&self) -> &'static str {
        "/admin/directory/v1"
    }

    fn default_organization(&self) -> &'static str {
        "example.com"
    }

    fn inactive_label(&self) -> &'static str {
        "suspended"
    }

    fn statuses(&self) -> &'static [(&'static str, UserState)] {
        &[
            ("ACTIVE", UserState::Active),
            (SUSPENDED, UserState::Deactivated),
            ("ABUSE", UserState::Deactivated),
            ("UNDER13", UserState::Deactivated),
            ("WEB_LOGIN_REQUIRED", UserState::Deactivated),
        ]
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let token = match &call.auth {
            Auth::Token(token) => token.clone(),
            Auth::Missing => {
                return error(401, "required", "Login Required.", Some("UNAUTHENTICATED"))
            }
            Auth::Malformed | Auth::Unknown => {
                return error(
                    401,
                    "authError",
                    "Invalid Credentials",
                    Some("UNAUTHENTICATED"),
                )
            }
        };
        let Some(key) = find(state, &token.organization, &to.user_id) else {
            return error(404, "notFound", "Resource Not Found: userKey", None);
        };
        match route.name {
            "update-user" if !token.permitted => error(
                403,
                "forbidden",
                "Not Authorized to access this resource/api",
                None,
            ),
            "update-user" => update_user(state, call, &key, &token.organization),
            _ => Reply::json(
                200,
                &user_json(state, &key, &token.organization, call.query),
            ),
        }
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        match fault {
            Fault::RateLimited { .. } => error(
                429,
                "rateLimitExceeded",
                "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per \
                 user'.",
                Some("RESOURCE_EXHAUSTED"),
            ),
            Fault::Internal | Fault::BadGateway => {
                error(fault.status(), "backendError", "Backend Error", None)
            }
            Fault::Unavailable => error(
                503,
                "backendError",
                "The service is currently unavailable.",
                Some("UNAVAILABLE"),
            ),
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&TOKENS)
    }
}

/// The user (its key in the state) that `key` names in `domain`.
fn find(state: &State, domain: &str, key: &str) -> Option<String> {
    state
        .users
        .iter()
        .filter(|(_, u)| u.organization == domain)
        .map(|(k, _)| k)
        .find(|k| k.eq_ignore_ascii_case(key) || email(k, domain).eq_ignore_ascii_case(key))
        .cloned()
}

/// The primary email of a user added as `key` in `domain`.
fn email(key: &str, domain: &str) -> String {
    if key.contains('@') {
        key.to_string()
    } else {
        format!("{key}@{domain}")
    }
}

/// A stable numeric id for a user key (Google's ids are 21 digits).
fn numeric_id(key: &str) -> String {
    let h = key
        .to_ascii_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("1{h:020}")
}

/// The fields `fields` selects (top-level names), if given.
fn selected(query: &str) -> Option<Vec<String>> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "fields").then(|| {
            percent_decode_str(&value.replace('+', " "))
                .decode_utf8_lossy()
                .split(',')
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
    })
}

fn user_json(state: &State, key: &str, domain: &str, query: &str) -> Value {
    let Some(user) = state.users.get(key) else {
        return Value::Null;
    };
    let suspended = user.state == UserState::Deactivated;
    let mut body = Map::new();
    body.insert("kind".into(), "admin#directory#user".into());
    body.insert("id".into(), numeric_id(key).into());
    body.insert("primaryEmail".into(), email(key, domain).into());
    body.insert("suspended".into(), suspended.into());
    if suspended {
        let reason = match user.status {
            Some(SUSPENDED) | None => "ADMIN",
            Some(word) => word,
        };
        body.insert("suspensionReason".into(), reason.into());
    }
    if let Some(fields) = selected(query) {
        body.retain(|name, _| fields.iter().any(|f| f == name));
    }
    Value::Object(body)
}

fn update_user(state: &mut State, call: &Call<'_>, key: &str, domain: &str) -> Reply {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(call.body) else {
        return error(400, "parseError", "Parse Error", None);
    };
    match fields.get("suspended") {
        Some(Value::Bool(false)) => {
            let by_google = state
                .users
                .get(key)
                .is_some_and(|u| u.state == UserState::Deactivated && u.status != Some(SUSPENDED));
            if by_google {
                // An administrator cannot lift Google's own suspension.
                return error(
                    412,
                    "conditionNotMet",
                    "The user was suspended by Google and cannot be restored by an \
                     administrator.",
                    None,
                );
            }
            state.activate(key);
        }
        Some(Value::Bool(true)) => state.set_status(key, SUSPENDED),
        Some(_) => return error(400, "invalid", "Invalid Input: suspended", None),
        None => {}
    }
    Reply::json(200, &user_json(state, key, domain, ""))
}

/// Google's error envelope.
fn error(status: u16, reason: &str, message: &str, canonical: Option<&str>) -> Reply {
    let mut error = serde_json::json!({
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": "global", "reason": reason}],
    });
    if let (Some(canonical), Some(obj)) = (canonical, error.as_object_mut()) {
        obj.insert("status".into(), canonical.into());
    }
    Reply::json(status, &serde_json::json!({ "error": error }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_fields() {
        assert_eq!(numeric_id("liz@example.com").len(), 21);
        assert_eq!(numeric_id("Liz@Example.com"), numeric_id("liz@example.com"));
        assert_eq!(email("liz", "example.com"), "liz@example.com");
        assert_eq!(
            selected("fields=id%2Csuspended"),
            Some(vec!["id".to_string(), "suspended".to_string()])
        );
        assert_eq!(selected("x=1"), None);
    }
}
