//! The command line: `userbridge reactivate` and `userbridge simulate`, every
//! setting a flag and (but the input and the output) a `USERBRIDGE_*`
//! environment variable. Secrets are never flags: the token and the client
//! secret come from the environment or from files, and no environment value
//! is shown in `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{FalseyValueParser, RangedU64ValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use userbridge::{Provider, DEFAULT_BULK_CONCURRENCY};

/// The environment variable of the bearer (or API) token.
pub const TOKEN_VAR: &str = "USERBRIDGE_TOKEN";
/// The environment variable of the OAuth 2.0 client secret.
pub const CLIENT_SECRET_VAR: &str = "USERBRIDGE_CLIENT_SECRET";

const REACTIVATE_AFTER_HELP: &str = "\
Secrets come from the environment or from files only, never from a flag:
  USERBRIDGE_TOKEN          the bearer token (or, with --api-token, the API token)
  USERBRIDGE_CLIENT_SECRET  the client secret of --client-id
Every other flag has its USERBRIDGE_* variable (--base-url: USERBRIDGE_BASE_URL).

Users already active count as done, so running the same input again is safe:
rerun the ids that did not succeed with --input FILE of --failures FILE.

Exit status: 0 every user done, 1 some failed, 2 usage or configuration error
(nothing was sent), 3 the run stopped before the end (a failure no user could
get past, such as a refused token, or Ctrl-C): the users not attempted are in
--failures FILE.";

/// Reactivate deactivated, suspended or locked-out users on any identity
/// provider userbridge supports (SCIM, Keycloak, Entra ID, Okta, Auth0,
/// Zitadel, ...), checked first and resumable.
#[derive(Debug, Parser)]
#[command(name = "userbridge", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[allow(clippy::large_enum_variant)] // parsed once
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reactivate users, given as arguments or read from a file (lines, CSV
    /// or JSON lines); check first with --dry-run.
    #[command(after_help = REACTIVATE_AFTER_HELP)]
    Reactivate(ReactivateArgs),
    /// Serve one provider's simulator on 127.0.0.1 until interrupted: its
    /// first line on stdout is one JSON object with `base_url` and `token`.
    #[cfg(feature = "simulate")]
    Simulate(SimulateArgs),
}

/// The input's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One id per line; blank lines and `#` comments skipped.
    Lines,
    /// CSV with a header; --column names the column holding the id.
    Csv,
    /// One JSON object per line; --column names the field holding the id
    /// (default `id`).
    Jsonl,
}

/// How a SCIM PATCH is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PatchForm {
    /// RFC 7644: `{"op": "replace", "path": "active", "value": true}`.
    Rfc,
    /// `{"op": "replace", "value": {"active": true}}`, as servers built for
    /// Okta expect.
    PathLess,
}

#[derive(Debug, Args)]
pub struct ReactivateArgs {
    /// The provider (aitronos, flashback, zitadel-v1, zitadel-v2, nethesis,
    /// scim, keycloak, entra-id, okta, auth0).
    #[arg(long, value_name = "P", env = "USERBRIDGE_PROVIDER", hide_env_values = true,
          value_parser = provider)]
    pub provider: Provider,

    /// The users to reactivate (or --input).
    #[arg(value_name = "ID", conflicts_with = "input")]
    pub ids: Vec<String>,

    /// Read the user ids from FILE (`-`: stdin). The whole input is read and
    /// checked before the first request.
    #[arg(long, short = 'i', value_name = "FILE|-", help_heading = "Input")]
    pub input: Option<String>,

    /// The input's format. Without it: CSV when --column is given, else one id
    /// per line, and a file that looks like CSV or JSON is refused.
    #[arg(long, value_enum, help_heading = "Input")]
    pub format: Option<Format>,

    /// The CSV column (by its header) or JSON field holding the user id.
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub column: Option<String>,

    /// The CSV field delimiter (default `,`).
    #[arg(long, value_name = "CHAR", value_parser = delimiter, help_heading = "Input")]
    pub delimiter: Option<u8>,

    /// Check only: validate every id and the configuration and, where the
    /// provider can read a user (SCIM, Keycloak, Entra ID, Okta, Auth0), read
    /// each one and say what would be done. Nothing is changed.
    #[arg(long, env = "USERBRIDGE_DRY_RUN", hide_env_values = true,
          value_parser = FalseyValueParser::new())]
    pub dry_run: bool,

    /// Count users that are already active as failures (by default they count
    /// as done).
    #[arg(long, env = "USERBRIDGE_REQUIRE_DEACTIVATED", hide_env_values = true,
          value_parser = FalseyValueParser::new())]
    pub require_deactivated: bool,

    /// One JSON object per user on stdout (id, outcome, kind, transition,
    /// status, message), in input order.
    #[arg(long, help_heading = "Output")]
    pub json: bool,

    /// Write the ids to rerun (failed and not attempted) to FILE, in the
    /// input's format (CSV: the same header and rows). It may be the input
    /// file itself.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub failures: Option<PathBuf>,

    /// Calls in flight at most.
    #[arg(long, short = 'c', value_name = "N", env = "USERBRIDGE_CONCURRENCY",
          hide_env_values = true, default_value_t = DEFAULT_BULK_CONCURRENCY,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=1024),
          help_heading = "Pace")]
    pub concurrency: usize,

    /// At most N calls (users) start in any one-second window. A call may
    /// make several HTTP requests (Okta: three); to bound the requests, use
    /// --request-rate.
    #[arg(long, value_name = "N", env = "USERBRIDGE_RATE", hide_env_values = true,
          value_parser = RangedU64ValueParser::<u32>::new().range(1..),
          help_heading = "Pace")]
    pub rate: Option<u32>,

    /// At most N HTTP requests start in any one-second window, every request
    /// of every call counted (reads, writes, retries). Without it the run
    /// still keeps within the budget the provider reports on its answers
    /// (Okta, Auth0); with it, N is an upper bound on top.
    #[arg(long, value_name = "N", env = "USERBRIDGE_REQUEST_RATE",
          hide_env_values = true,
          value_parser = RangedU64ValueParser::<u32>::new().range(1..),
          help_heading = "Pace")]
    pub request_rate: Option<u32>,

    #[command(flatten)]
    pub client: ClientArgs,
}

/// The settings of the client.
#[derive(Debug, Args)]
#[command(next_help_heading = "Client")]
pub struct ClientArgs {
    /// The provider's API root (e.g. https://acme.okta.com; required where
    /// the provider has no public host).
    #[arg(
        long,
        value_name = "URL",
        env = "USERBRIDGE_BASE_URL",
        hide_env_values = true
    )]
    pub base_url: Option<String>,

    /// The organization (Aitronos: required; Zitadel v1: x-zitadel-orgid).
    #[arg(
        long,
        value_name = "ORG",
        env = "USERBRIDGE_ORGANIZATION",
        hide_env_values = true,
        conflicts_with = "realm"
    )]
    pub organization: Option<String>,

    /// The Keycloak realm (its name; required for Keycloak).
    #[arg(
        long,
        value_name = "REALM",
        env = "USERBRIDGE_REALM",
        hide_env_values = true
    )]
    pub realm: Option<String>,

    /// The Microsoft Entra ID directory (tenant) id or domain, for its token
    /// endpoint.
    #[arg(
        long,
        value_name = "TENANT",
        env = "USERBRIDGE_TENANT",
        hide_env_values = true
    )]
    pub tenant: Option<String>,

    /// The AWS region of an Amazon Cognito user pool (e.g. eu-west-1, the
    /// prefix of the pool id; default AWS_REGION or AWS_DEFAULT_REGION). Its
    /// credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
    /// AWS_SESSION_TOKEN, as the SDK reads them.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Read the token from FILE instead of USERBRIDGE_TOKEN.
    #[arg(
        long,
        value_name = "FILE",
        env = "USERBRIDGE_TOKEN_FILE",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    pub token_file: Option<PathBuf>,

    /// Send the token with the provider's API-token scheme (Okta: SSWS)
    /// instead of Bearer (a switch: the token itself stays in
    /// USERBRIDGE_TOKEN or --token-file).
    #[arg(long, env = "USERBRIDGE_API_TOKEN", hide_env_values = true,
          value_parser = FalseyValueParser::new(), conflicts_with = "client_id",
          help_heading = "Credentials")]
    pub api_token: bool,

    /// OAuth 2.0 client credentials: the client id; the tool fetches and
    /// renews its own tokens, with the secret in USERBRIDGE_CLIENT_SECRET or
    /// --client-secret-file, or a key in --private-key.
    #[arg(
        long,
        value_name = "ID",
        env = "USERBRIDGE_CLIENT_ID",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    pub client_id: Option<String>,

    /// Read the client secret from FILE instead of USERBRIDGE_CLIENT_SECRET.
    #[arg(
        long,
        value_name = "FILE",
        env = "USERBRIDGE_CLIENT_SECRET_FILE",
        hide_env_values = true,
        requires = "client_id",
        conflicts_with = "private_key",
        help_heading = "Credentials"
    )]
    pub client_secret_file: Option<PathBuf>,

    /// Authenticate --client-id with a private key JWT signed by this RSA key
    /// (PEM file; Okta service apps) instead of a secret.
    #[arg(
        long,
        value_name = "FILE",
        env = "USERBRIDGE_PRIVATE_KEY_FILE",
        hide_env_values = true,
        requires = "client_id",
        help_heading = "Credentials"
    )]
    pub private_key: Option<PathBuf>,

    /// The key id (`kid`) of --private-key, as registered with the provider.
    #[arg(
        long,
        value_name = "KID",
        env = "USERBRIDGE_KEY_ID",
        hide_env_values = true,
        requires = "private_key",
        help_heading = "Credentials"
    )]
    pub key_id: Option<String>,

    /// A Google service account key file (its JSON, as downloaded), for
    /// Google Workspace and Firebase: the tool fetches and renews its own
    /// tokens with it (the JWT bearer grant at the key's token_uri).
    #[arg(
        long,
        value_name = "FILE",
        env = "USERBRIDGE_GOOGLE_SERVICE_ACCOUNT",
        hide_env_values = true,
        conflicts_with_all = ["client_id", "token_file", "api_token"],
        help_heading = "Credentials"
    )]
    pub google_service_account: Option<PathBuf>,

    /// The user --google-service-account acts as, by domain-wide delegation
    /// (Google Workspace: an administrator's email).
    #[arg(
        long,
        value_name = "EMAIL",
        env = "USERBRIDGE_SUBJECT",
        hide_env_values = true,
        requires = "google_service_account",
        help_heading = "Credentials"
    )]
    pub subject: Option<String>,

    /// The token endpoint of --client-id, instead of the provider's own.
    #[arg(
        long,
        value_name = "URL",
        env = "USERBRIDGE_TOKEN_URL",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    pub token_url: Option<String>,

    /// A scope to ask the token endpoint for, instead of the provider's
    /// defaults (repeatable; the variable: separated by spaces).
    #[arg(
        long,
        value_name = "SCOPE",
        env = "USERBRIDGE_SCOPE",
        hide_env_values = true,
        value_delimiter = ' ',
        help_heading = "Credentials"
    )]
    pub scope: Vec<String>,

    /// Timeout of one attempt (`15s`, `500ms`, or seconds).
    #[arg(long, value_name = "DURATION", env = "USERBRIDGE_TIMEOUT", hide_env_values = true,
          value_parser = duration)]
    pub timeout: Option<Duration>,

    /// Deadline of one user's call, retries and waits included (`60s`, `2m`).
    #[arg(long, value_name = "DURATION", env = "USERBRIDGE_DEADLINE", hide_env_values = true,
          value_parser = duration)]
    pub deadline: Option<Duration>,

    /// Attempts per user at most, the first included (1: no retries).
    #[arg(long, value_name = "N", env = "USERBRIDGE_MAX_ATTEMPTS", hide_env_values = true,
          value_parser = RangedU64ValueParser::<u32>::new().range(1..=100))]
    pub max_attempts: Option<u32>,

    /// The largest answer read, in bytes.
    #[arg(long, value_name = "BYTES", env = "USERBRIDGE_MAX_RESPONSE_BYTES",
          hide_env_values = true, value_parser = RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_response_bytes: Option<usize>,

    /// How a SCIM PATCH is written.
    #[arg(
        long,
        value_enum,
        value_name = "FORM",
        env = "USERBRIDGE_SCIM_PATCH_FORM",
        hide_env_values = true
    )]
    pub scim_patch_form: Option<PatchForm>,

    /// Accept plain http to a host of a private network (http://keycloak:8080).
    /// Tokens and secrets then travel unencrypted on that network.
    #[arg(long, env = "USERBRIDGE_DANGER_ACCEPT_PLAIN_HTTP_ON_PRIVATE_NETWORK",
          hide_env_values = true, value_parser = FalseyValueParser::new())]
    pub danger_accept_plain_http_on_private_network: bool,
}

#[cfg(feature = "simulate")]
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The provider to simulate.
    #[arg(value_name = "PROVIDER", value_parser = provider)]
    pub provider: Provider,

    /// The users to seed: a JSON array of {"id", "state", "login"?, "email"?};
    /// `state` is `active`, `deactivated` or a state word of that provider's
    /// simulator (Okta: `suspended`, `locked-out`, `provisioned`, ...;
    /// Keycloak: `disabled+locked-out`), joined with `+` where they hold
    /// together.
    /// Without it: `usr_deactivated1` (deactivated) and `usr_active1`.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,

    /// Listen on this port of 127.0.0.1 (default: a free one).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
}

/// A provider by its machine name.
fn provider(name: &str) -> Result<Provider, String> {
    name.parse::<Provider>().map_err(|_| {
        format!(
            "`{name}` is not a provider; one of: {}",
            Provider::ALL.map(Provider::as_str).join(", ")
        )
    })
}

/// `15s`, `500ms`, `2m`, or a number of seconds (`1.5`).
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"));
    }
    humantime::parse_duration(text).map_err(|e| format!("`{text}`: {e} (e.g. 15s, 500ms, 2m)"))
}

/// One ASCII character (`,`, `;`, `\t` or `tab`).
fn delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ => match text.as_bytes() {
            [b] if b.is_ascii() && !b.is_ascii_alphanumeric() && *b != b'"' => Ok(*b),
            _ => Err(format!(
                "`{text}` is not one punctuation character (e.g. `,`, `;`, `tab`)"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_take_units_or_seconds() {
        assert_eq!(duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(duration("soon").is_err());
        assert!(duration("-1").is_err());
    }

    #[test]
    fn delimiters_are_one_punctuation_character() {
        assert_eq!(delimiter(";"), Ok(b';'));
        assert_eq!(delimiter("tab"), Ok(b'\t'));
        assert!(delimiter("ab").is_err());
        assert!(delimiter("a").is_err());
    }
}
