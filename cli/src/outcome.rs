//! What happened to each user, in plain words: one line of text or one JSON
//! object per user. Outcomes that leave work for a person say so (an Okta
//! user who must set a password, a Keycloak lockout released, Auth0 blocks
//! lifted).

use userbridge::{BulkItem, Details, Error, ErrorKind, Reactivated};

use crate::client::said;

/// The outcome of one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reactivated now.
    Reactivated,
    /// Active already: nothing to do.
    AlreadyActive,
    /// Dry run: the user was read and would be reactivated.
    WouldReactivate,
    /// Dry run of a provider that cannot read a user: the id and the
    /// configuration are valid; nothing was sent.
    Checked,
    /// An error (dry run: the error the reactivation would meet).
    Failed,
    /// Never sent: the run stopped before it.
    NotAttempted,
    /// Ctrl-C came before its answer: it may or may not have been done.
    Interrupted,
}

impl Outcome {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reactivated => "reactivated",
            Outcome::AlreadyActive => "already_active",
            Outcome::WouldReactivate => "would_reactivate",
            Outcome::Checked => "checked",
            Outcome::Failed => "failed",
            Outcome::NotAttempted => "not_attempted",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// The words of a text line.
    fn words(self) -> &'static str {
        match self {
            Outcome::Reactivated => "reactivated",
            Outcome::AlreadyActive => "already active",
            Outcome::WouldReactivate => "would reactivate",
            Outcome::Checked => "valid",
            Outcome::Failed => "failed",
            Outcome::NotAttempted => "not attempted",
            Outcome::Interrupted => "interrupted",
        }
    }

    /// Done: nothing to rerun.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            Outcome::Reactivated
                | Outcome::AlreadyActive
                | Outcome::WouldReactivate
                | Outcome::Checked
        )
    }
}

/// How the results are read.
pub struct Rules {
    /// Already active users are failures (`--require-deactivated`).
    pub require_deactivated: bool,
    /// A dry run of a provider that cannot read users: the SDK's refusal of
    /// a valid id's dry run, word for word (any other refusal is the id's).
    pub unread_refusal: Option<String>,
}

/// One user's result, described.
pub struct Line {
    pub index: usize,
    pub id: String,
    pub outcome: Outcome,
    pub kind: Option<ErrorKind>,
    /// The provider's transition (Okta: `unsuspend`, `unlock`, `activate`,
    /// `reactivate`).
    pub transition: Option<String>,
    /// The user's status afterwards as far as known (Okta's own status; else
    /// `active` after a reactivation).
    pub status: Option<String>,
    pub message: String,
    /// A person still has to act (an Okta user without a password).
    pub needs_person: bool,
    pub attempts: u32,
}

impl Line {
    pub fn of(item: &BulkItem, rules: &Rules) -> Line {
        let id = item.request().user_id().to_string();
        let mut line = Line {
            index: item.index(),
            id,
            outcome: Outcome::Failed,
            kind: None,
            transition: None,
            status: None,
            message: String::new(),
            needs_person: false,
            attempts: 0,
        };
        match item.result() {
            Ok(done) => line.success(done),
            Err(e) => line.failure(e, rules),
        }
        line
    }

    /// A line for a user whose call Ctrl-C cut off.
    pub fn interrupted(index: usize, id: &str) -> Line {
        Line {
            index,
            id: id.to_string(),
            outcome: Outcome::Interrupted,
            kind: None,
            transition: None,
            status: None,
            message: "interrupted before its answer: it may or may not be reactivated; rerun it"
                .into(),
            needs_person: false,
            attempts: 0,
        }
    }

    fn success(&mut self, done: &Reactivated) {
        self.attempts = done.attempts();
        let dry = done.is_dry_run();
        if done.already_active() {
            self.outcome = Outcome::AlreadyActive;
            self.status = Some("active".into());
            self.message = "already active; nothing to do".into();
            return;
        }
        self.outcome = if dry {
            Outcome::WouldReactivate
        } else {
            Outcome::Reactivated
        };
        if !dry {
            self.status = Some("active".into());
        }
        let mut message = match done.details() {
            Details::Okta(okta) => {
                self.transition = Some(okta.transition.as_str().to_string());
                self.status = okta.status.clone();
                let provisioned = okta.status.as_deref() == Some("PROVISIONED");
                if dry {
                    let then = if okta.previous_status == "PROVISIONED" {
                        "; the user must then set a password before signing in"
                    } else {
                        ""
                    };
                    format!(
                        "would run {} ({} now){then}",
                        okta.transition, okta.previous_status
                    )
                } else if provisioned
                    || (okta.previous_status == "PROVISIONED" && !okta.can_sign_in())
                {
                    self.needs_person = true;
                    "reactivated; must set a password before signing in (Okta sent no email: \
                     send the activation from Okta's admin console)"
                        .to_string()
                } else if let Some(to) = &okta.transitioning_to_status {
                    format!(
                        "reactivation under way ({}: {} -> {to})",
                        okta.transition, okta.previous_status
                    )
                } else {
                    match &okta.status {
                        Some(status) => format!(
                            "reactivated ({}: {} -> {status})",
                            okta.transition, okta.previous_status
                        ),
                        None => format!(
                            "reactivated ({}); its status could not be read afterwards",
                            okta.transition
                        ),
                    }
                }
            }
            Details::Keycloak(k) => {
                let what = match (k.re_enabled, k.lockout_cleared) {
                    (true, true) => "re-enabled and brute-force lockout released",
                    (false, true) => "brute-force lockout released (the user was enabled)",
                    _ => "re-enabled",
                };
                if dry {
                    format!("would be {what}")
                } else {
                    format!("reactivated: {what}")
                }
            }
            Details::Auth0(a) => {
                let mut lifted = Vec::new();
                if a.admin_block_lifted {
                    lifted.push("an administrator's block".to_string());
                }
                if a.brute_force_blocks_lifted > 0 {
                    lifted.push(format!(
                        "{} brute-force protection block{}",
                        a.brute_force_blocks_lifted,
                        if a.brute_force_blocks_lifted == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ));
                }
                let lifted = if lifted.is_empty() {
                    "its blocks".to_string()
                } else {
                    lifted.join(" and ")
                };
                if dry {
                    format!("would lift {lifted}")
                } else {
                    format!("reactivated: blocks lifted ({lifted})")
                }
            }
            Details::Aitronos(user) if !dry => {
                self.status = Some(user.account_state.clone());
                "reactivated".to_string()
            }
            Details::EntraId(user) => match &user.user_principal_name {
                Some(upn) if dry => format!("would enable {upn}"),
                Some(upn) => format!("reactivated: {upn} enabled"),
                None if dry => "would enable the account".to_string(),
                None => "reactivated: account enabled".to_string(),
            },
            _ if dry => "would reactivate".to_string(),
            _ => "reactivated".to_string(),
        };
        if done.recovered() {
            message.push_str(" (an earlier attempt did it; its answer was lost)");
        }
        if let Some(said) = done.message() {
            if !message.contains(said) {
                message.push_str(&format!(": {said}"));
            }
        }
        self.message = message;
    }

    fn failure(&mut self, e: &Error, rules: &Rules) {
        self.kind = Some(e.kind());
        self.attempts = e.attempts();
        self.message = said(e);
        match e {
            Error::NotDeactivated(_) if !rules.require_deactivated => {
                self.outcome = Outcome::AlreadyActive;
                self.kind = None;
                self.status = Some("active".into());
                self.message = "already active; nothing to do".into();
            }
            Error::NotDeactivated(_) => self.status = Some("active".into()),
            Error::InvalidRequest { reason, .. }
                if rules.unread_refusal.as_deref() == Some(reason.as_str()) =>
            {
                self.outcome = Outcome::Checked;
                self.kind = None;
                self.message = "id and configuration valid; not read (see below)".into();
            }
            Error::NotAttempted { .. } => {
                self.outcome = Outcome::NotAttempted;
                self.message = "not sent: the run stopped (see below)".into();
            }
            _ => {}
        }
    }

    /// One line of text: the outcome, the id, what happened.
    pub fn text(&self) -> String {
        one_line(&format!(
            "{:<16} {}  {}",
            self.outcome.words(),
            self.id,
            self.message
        ))
    }

    /// One JSON object.
    pub fn json(&self) -> String {
        serde_json::json!({
            "index": self.index,
            "id": self.id,
            "outcome": self.outcome.as_str(),
            "kind": self.kind.map(|k| k.to_string()),
            "transition": self.transition,
            "status": self.status,
            "message": self.message,
            "needs_person": self.needs_person,
            "attempts": self.attempts,
        })
        .to_string()
    }
}

/// `text` on one line, control characters (a newline, an escape sequence in
/// a hostile id or answer) shown escaped.
pub fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(one_line("plain"), "plain");
    }
}
