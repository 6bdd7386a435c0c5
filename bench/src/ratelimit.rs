//! `ratelimit`: bulk runs against a provider's quota (issue 31). N users
//! reactivated against the Okta and Auth0 simulators under a quota of L
//! requests per window of W, through a relay that adds a round-trip latency
//! (loopback has none; a provider is across the internet), for:
//!
//! - `(a)` userbridge with no rate set (paced by the provider's headers);
//! - `(b)` userbridge with the provider's number set as a fixed `rate_limit`
//!   (calls per second: what a user did before issue 31);
//! - userbridge with the provider's number as `request_rate`;
//! - `(c)` a hand-written loop that sends the same requests and, on a 429,
//!   waits and retries exactly as the provider's official SDK does
//!   ([`Rule`]), giving up where that SDK gives up.
//!
//! Each figure is the wall time against the theoretical minimum
//! (requests answered / L x W), the 429 answers per request, and the users a
//! side gave up on. A run starts at an offset into a window (as a user's run
//! does: nobody starts on the boundary), the same offset for every side of a
//! round; the sides alternate, their order rotating per round, each against a
//! fresh simulator (a fresh quota).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use userbridge::mock::{ReceivedRequest, Simulator, UserState};
use userbridge::{Client, Provider, ReactivateRequest, RetryPolicy};

/// The settings of a run. `users`, `limit` and `window`, when set, replace
/// every provider's own ([`SETTINGS`]).
#[derive(Clone, Debug)]
pub struct Options {
    pub users: Option<usize>,
    pub limit: Option<u32>,
    pub window: Option<Duration>,
    /// The added round trip (half each way).
    pub latency: Duration,
    pub rounds: usize,
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            users: None,
            limit: None,
            window: None,
            latency: Duration::from_millis(40),
            rounds: 2,
            concurrency: 8,
        }
    }
}

impl Options {
    pub fn quick() -> Options {
        Options {
            users: Some(20),
            limit: Some(20),
            window: Some(Duration::from_secs(1)),
            rounds: 1,
            ..Options::default()
        }
    }
}

/// A provider's quota as the bench sets it, and the retry rules of its
/// official SDKs.
struct Setting {
    provider: Provider,
    users: usize,
    limit: u32,
    window: Duration,
    rules: &'static [Rule],
}

/// Okta: a limit per minute per endpoint group (600 a minute for a user's
/// read and lifecycle operations in many orgs). Auth0's Management API: a
/// sustained rate per second (16 on paid self-service tenants); Auth0
/// refills a token bucket, which the simulator's fixed one-second window
/// approximates (its burst is the limit itself).
const SETTINGS: [Setting; 2] = [
    Setting {
        provider: Provider::Okta,
        users: 300,
        limit: 600,
        window: Duration::from_secs(60),
        rules: &[Rule::OktaSdk],
    },
    Setting {
        provider: Provider::Auth0,
        users: 100,
        limit: 16,
        window: Duration::from_secs(1),
        rules: &[Rule::Auth0Python5, Rule::Auth0Python4],
    },
];

/// Where into a window round `r` starts (a fraction of the window), the same
/// for every side of the round.
const OFFSETS: [f64; 5] = [0.37, 0.71, 0.13, 0.55, 0.89];

/// How an official SDK retries a 429 (read from their sources, named here;
/// no code of theirs is used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// okta-sdk-python 3.4.4 (`okta/request_executor.py`, `calculate_backoff`)
    /// and okta-sdk-nodejs 8.2.0 (`src/default-request-executor.js`,
    /// `getRetryDelayMs`): wait `X-Rate-Limit-Reset` minus the answer's `Date`
    /// plus one second; `maxRetries` 2, then the 429 is the caller's error
    /// (no `Date` or reset header: an error at once).
    OktaSdk,
    /// auth0-python 5.8.0 (`src/auth0/management/core/http_client.py`,
    /// `_retry_timeout`): `Retry-After` (at most 60 s); else
    /// `x-ratelimit-reset` minus the local clock, if in the future, at most
    /// 60 s, plus 0-20% jitter; else 1 s x 2^retries, +-10% jitter;
    /// `max_retries` 2.
    Auth0Python5,
    /// auth0-python 4.13.0 (`auth0/rest.py`, `_calculate_wait`): 100 ms x
    /// 2^(attempt - 1) plus 1-100 ms of jitter, within 100 ms..1 s, whatever
    /// the headers say; 3 retries, then `RateLimitError`.
    Auth0Python4,
}

impl Rule {
    fn name(self) -> &'static str {
        match self {
            Rule::OktaSdk => "(c) Okta SDKs' retry",
            Rule::Auth0Python5 => "(c) auth0-python 5.8 retry",
            Rule::Auth0Python4 => "(c) auth0-python 4.13 retry",
        }
    }

    /// Retries after the first send.
    fn retries(self) -> u32 {
        match self {
            Rule::OktaSdk | Rule::Auth0Python5 => 2,
            Rule::Auth0Python4 => 3,
        }
    }

    /// The wait before retry `retry` (1 for the first) after a 429 with
    /// `headers`; `None`: the SDK gives up (an error to its caller).
    fn wait(self, headers: &reqwest::header::HeaderMap, retry: u32) -> Option<Duration> {
        let text = |name: &str| headers.get(name)?.to_str().ok();
        let number = |name: &str| -> Option<f64> { text(name)?.trim().parse().ok() };
        let unix_now = || {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO)
                .as_secs_f64()
        };
        let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
        match self {
            Rule::OktaSdk => {
                let date = httpdate::parse_http_date(text("date")?).ok()?;
                let date = date.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
                let reset = number("x-rate-limit-reset")?;
                Some(secs(reset - date + 1.0))
            }
            Rule::Auth0Python5 => {
                if let Some(after) = number("retry-after").filter(|s| *s > 0.0) {
                    return Some(secs(after.min(60.0)));
                }
                let until = number("x-ratelimit-reset").map(|r| r - unix_now());
                if let Some(until) = until.filter(|u| *u > 0.0) {
                    return Some(secs(until.min(60.0) * (1.0 + fastrand::f64() * 0.2)));
                }
                let backoff = (2f64.powi(retry as i32 - 1)).min(60.0);
                Some(secs(backoff * (1.0 + (fastrand::f64() - 0.5) * 0.2)))
            }
            Rule::Auth0Python4 => {
                let ms = 100u64 * 2u64.pow(retry - 1) + fastrand::u64(1..=100);
                Some(Duration::from_millis(ms.clamp(100, 1000)))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Sdk,
    SdkRate,
    SdkReq,
    Loop(Rule),
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Sdk => "(a) sdk, no rate",
            Side::SdkRate => "(b) sdk, rate_limit(L/W)",
            Side::SdkReq => "    sdk, request_rate(L/W)",
            Side::Loop(rule) => rule.name(),
        }
    }
}

/// One run's figures.
#[derive(Clone, Copy, Debug, Default)]
struct Figures {
    seconds: f64,
    /// Seconds from the opening of the last window the requests answered
    /// need (with the run started `offset` into the first) to the end.
    late: f64,
    /// Wall time / theoretical minimum.
    ratio: f64,
    /// 429 answers / requests sent.
    refused: f64,
    refusals: u64,
    /// Users not reactivated (the side gave up on them).
    failed: usize,
}

pub fn run(opts: &Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(compare(opts))
}

async fn compare(opts: &Options) -> Result<(), String> {
    println!(
        "ratelimit: concurrency {}, round trip +{:?} (a relay), {} round(s), each round \
         started at an offset into the window ({:?} of it, by round); after last: seconds \
         from the opening of the last window the requests need to the end",
        opts.concurrency,
        opts.latency,
        opts.rounds,
        &OFFSETS[..opts.rounds.min(OFFSETS.len())]
    );
    let mut sdk_failed = 0;
    for setting in &SETTINGS {
        let provider = setting.provider;
        let users = opts.users.unwrap_or(setting.users);
        let limit = opts.limit.unwrap_or(setting.limit);
        let window = opts.window.unwrap_or(setting.window);
        let script = script(provider).await?;
        let sides: Vec<Side> = [Side::Sdk, Side::SdkRate, Side::SdkReq]
            .into_iter()
            .chain(setting.rules.iter().map(|r| Side::Loop(*r)))
            .collect();
        let requests = users * script.len();
        println!(
            "\n{provider}: {users} users x {} requests = {requests}, quota {limit} per {window:?}: \
             minimum {:.1} s",
            script.len(),
            requests as f64 / f64::from(limit) * window.as_secs_f64()
        );
        let mut all: Vec<(Side, Vec<Figures>)> = sides.iter().map(|s| (*s, Vec::new())).collect();
        for round in 0..opts.rounds {
            let offset = OFFSETS[round % OFFSETS.len()];
            for k in 0..sides.len() {
                let side = sides[(k + round) % sides.len()];
                let run = Run {
                    provider,
                    users,
                    limit,
                    window,
                    offset,
                };
                let f = once(&run, side, opts, &script).await?;
                if !matches!(side, Side::Loop(_)) {
                    sdk_failed += f.failed;
                }
                eprintln!(
                    "  round {round} {:<28} {:>7.1} s (+{:.2} s) {:>7.3}x {:>5} 429s {:>4} gave up",
                    side.name(),
                    f.seconds,
                    f.late,
                    f.ratio,
                    f.refusals,
                    f.failed
                );
                if let Some((_, v)) = all.iter_mut().find(|(s, _)| *s == side) {
                    v.push(f);
                }
            }
        }
        println!(
            "  {:<28} {:>9} {:>12} {:>10} {:>10} {:>8} {:>8}",
            "side", "seconds", "after last", "time/min", "429/req", "429s", "gave up"
        );
        let med = |s: Side, f: fn(&Figures) -> f64| {
            all.iter()
                .find(|(x, _)| *x == s)
                .map(|(_, v)| median(v.iter().map(f).collect()))
                .unwrap_or(f64::NAN)
        };
        for side in &sides {
            println!(
                "  {:<28} {:>9.1} {:>10.2} s {:>9.3}x {:>9.2}% {:>8.0} {:>8.0}",
                side.name(),
                med(*side, |f| f.seconds),
                med(*side, |f| f.late),
                med(*side, |f| f.ratio),
                med(*side, |f| f.refused) * 100.0,
                med(*side, |f| f.refusals as f64),
                med(*side, |f| f.failed as f64),
            );
        }
        let a = |f: fn(&Figures) -> f64| med(Side::Sdk, f);
        let targets = a(|f| f.ratio) <= 1.05 && a(|f| f.refused) <= 0.01;
        println!(
            "  target (a) <= 1.05x the minimum and <= 1% 429s: {}",
            if targets { "met" } else { "NOT met" }
        );
        for rule in setting.rules {
            let c = |f: fn(&Figures) -> f64| med(Side::Loop(*rule), f);
            // Per round, (c) - (a) in seconds: the same offset on both sides.
            let diffs = paired(&all, Side::Loop(*rule), Side::Sdk);
            println!(
                "  (a) against {}: time (a)/(c) {:.3} (per round, (c) - (a): {}), 429s {:.0} \
                 against {:.0}, gave up {:.0} against {:.0}",
                rule.name(),
                a(|f| f.seconds) / c(|f| f.seconds),
                diffs
                    .iter()
                    .map(|d| format!("{d:+.1} s"))
                    .collect::<Vec<_>>()
                    .join(", "),
                a(|f| f.refusals as f64),
                c(|f| f.refusals as f64),
                a(|f| f.failed as f64),
                c(|f| f.failed as f64),
            );
        }
    }
    if sdk_failed > 0 {
        return Err(format!(
            "{sdk_failed} reactivation(s) by the SDK did not succeed"
        ));
    }
    Ok(())
}

/// Per round, `x`'s seconds less `y`'s.
fn paired(all: &[(Side, Vec<Figures>)], x: Side, y: Side) -> Vec<f64> {
    let get = |s: Side| all.iter().find(|(v, _)| *v == s).map(|(_, f)| f.as_slice());
    match (get(x), get(y)) {
        (Some(x), Some(y)) => x
            .iter()
            .zip(y)
            .map(|(a, b)| a.seconds - b.seconds)
            .collect(),
        _ => Vec::new(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The requests one reactivation of a deactivated user makes, as the SDK sends
/// them (method, path, body), its user id as `{id}`: what the hand-written
/// loop sends.
async fn script(provider: Provider) -> Result<Vec<ReceivedRequest>, String> {
    let sim = Simulator::start(provider).await;
    let id = user_id(usize::MAX);
    sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    client(&sim, &sim.base_url())?
        .users()
        .reactivate(id.as_str())
        .await
        .map_err(|e| e.to_string())?;
    Ok(sim
        .requests()
        .into_iter()
        .map(|mut r| {
            r.path = r.path.replace(&encoded(&id), "{id}");
            r
        })
        .collect())
}

fn encoded(id: &str) -> String {
    id.replace('|', "%7C")
}

/// The id of simulated user `i`: one every provider accepts.
fn user_id(i: usize) -> String {
    format!("usr_bench{i}")
}

fn client(sim: &Simulator, base_url: &str) -> Result<Client, String> {
    Client::builder(sim.provider())
        .base_url(base_url)
        .bearer_token(sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::default().max_attempts(20))
        .build()
        .map_err(|e| e.to_string())
}

/// A TCP relay to `upstream` that delivers every chunk `one_way` after it
/// arrived, in each direction (chunks in order; reading is not held up): a
/// round trip of twice `one_way`. Its address.
async fn relay(upstream: SocketAddr, one_way: Duration) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Ok((down, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = (down.set_nodelay(true), up.set_nodelay(true));
                let (down_read, down_write) = down.into_split();
                let (up_read, up_write) = up.into_split();
                futures_util::future::join(
                    pump(down_read, up_write, one_way),
                    pump(up_read, down_write, one_way),
                )
                .await;
            });
        }
    });
    Ok(address)
}

/// Copies `from` to `to`, each chunk `delay` after it was read.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(tokio::time::Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n @ 1..) = from.read(&mut buf).await {
            if tx
                .send((tokio::time::Instant::now() + delay, buf[..n].to_vec()))
                .is_err()
            {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    futures_util::future::join(reader, writer).await;
}

/// The simulator's base URL with the relay's address in place of its own.
async fn relayed(sim: &Simulator, latency: Duration) -> Result<String, String> {
    let mut url = reqwest::Url::parse(&sim.base_url()).map_err(|e| e.to_string())?;
    let upstream = url
        .socket_addrs(|| None)
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("the simulator's URL names no address")?;
    let address = relay(upstream, latency / 2).await?;
    url.set_port(Some(address.port()))
        .map_err(|()| "the simulator's URL takes no port")?;
    // As the simulator wrote it: no `/` added to an empty path.
    let text = url.to_string();
    Ok(if sim.base_url().ends_with('/') {
        text
    } else {
        text.trim_end_matches('/').to_string()
    })
}

/// Sleeps until `offset` (a fraction) into a window (windows are aligned on
/// Unix time), at least a little ahead.
async fn window_offset(window: Duration, offset: f64) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let w = window.as_nanos().max(1);
    let into = now.as_nanos() % w;
    let target = (offset * w as f64) as u128;
    let left = if target > into + 10_000_000 {
        target - into
    } else {
        w - into + target
    };
    tokio::time::sleep(Duration::from_nanos(u64::try_from(left).unwrap_or(0))).await;
}

/// What one run is against.
struct Run {
    provider: Provider,
    users: usize,
    limit: u32,
    window: Duration,
    offset: f64,
}

async fn once(
    run: &Run,
    side: Side,
    opts: &Options,
    script: &[ReceivedRequest],
) -> Result<Figures, String> {
    let sim = Simulator::start(run.provider).await;
    let ids: Vec<String> = (0..run.users).map(user_id).collect();
    for id in &ids {
        sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    }
    sim.set_quota(run.limit, run.window);
    let per_second = (f64::from(run.limit) / run.window.as_secs_f64()).max(1.0) as u32;
    let base_url = relayed(&sim, opts.latency).await?;
    let client = client(&sim, &base_url)?;
    window_offset(run.window, run.offset).await;
    let started = Instant::now();
    let failed = match side {
        Side::Loop(rule) => {
            hand_written(&sim, &base_url, &ids, script, opts.concurrency, rule).await?
        }
        _ => {
            let run = client
                .users()
                .reactivate_many(ids.clone().into_iter().map(ReactivateRequest::new))
                .concurrency(opts.concurrency);
            let run = match side {
                Side::SdkRate => run.rate_limit(per_second),
                Side::SdkReq => run.request_rate(per_second),
                _ => run,
            };
            run.run().await.failed()
        }
    };
    let took = started.elapsed();
    let requests = sim.requests().len();
    let refusals = sim.quota_refusals();
    let answered = requests as f64 - refusals as f64;
    let minimum = answered / f64::from(run.limit) * run.window.as_secs_f64();
    let windows = (answered / f64::from(run.limit)).ceil().max(1.0);
    let opening = ((windows - 1.0 - run.offset) * run.window.as_secs_f64()).max(0.0);
    Ok(Figures {
        seconds: took.as_secs_f64(),
        late: took.as_secs_f64() - opening,
        ratio: took.as_secs_f64() / minimum,
        refused: refusals as f64 / requests.max(1) as f64,
        refusals,
        failed,
    })
}

/// The hand-written loop: each user's requests in order, `concurrency` users
/// at a time; a 429 is retried as `rule` says, and a user whose request the
/// rule gives up on fails (its remaining requests are not sent). Returns the
/// users that failed.
async fn hand_written(
    sim: &Simulator,
    base_url: &str,
    ids: &[String],
    script: &[ReceivedRequest],
    concurrency: usize,
    rule: Rule,
) -> Result<usize, String> {
    let http = reqwest::Client::new();
    // The recorded paths are whole (the base URL's path included).
    let base = reqwest::Url::parse(base_url).map_err(|e| e.to_string())?;
    let base = Arc::new(base.origin().ascii_serialization());
    let token = sim.token();
    let failed = futures_util::stream::iter(ids.iter().cloned())
        .map(|id| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                for step in script {
                    let url = format!("{base}{}", step.path.replace("{id}", &encoded(&id)));
                    let mut retry = 0;
                    loop {
                        let method = reqwest::Method::from_bytes(step.method.as_bytes())
                            .unwrap_or(reqwest::Method::GET);
                        let mut req = http.request(method, &url).bearer_auth(token);
                        if !step.body.is_empty() {
                            req = req
                                .header("content-type", "application/json")
                                .body(step.body.clone());
                        }
                        let Ok(r) = req.send().await else {
                            return false;
                        };
                        let status = r.status();
                        let headers = r.headers().clone();
                        let _ = r.bytes().await;
                        if status.as_u16() != 429 {
                            if !status.is_success() {
                                eprintln!("loop: {} {url}: {status}", step.method);
                                return false;
                            }
                            break;
                        }
                        retry += 1;
                        if retry > rule.retries() {
                            return false;
                        }
                        let Some(wait) = rule.wait(&headers, retry) else {
                            return false;
                        };
                        tokio::time::sleep(wait).await;
                    }
                }
                true
            }
        })
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn the_okta_rule_waits_from_the_date_to_the_reset_and_a_second() {
        let date = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let h = headers(&[
            ("date", httpdate::fmt_http_date(date)),
            ("x-rate-limit-reset", "1800000042".into()),
        ]);
        assert_eq!(Rule::OktaSdk.wait(&h, 1), Some(Duration::from_secs(43)));
        // Without a Date the SDKs give up.
        let h = headers(&[("x-rate-limit-reset", "1800000042".into())]);
        assert_eq!(Rule::OktaSdk.wait(&h, 1), None);
        assert_eq!(Rule::OktaSdk.retries(), 2);
    }

    #[test]
    fn the_auth0_rules() {
        let none = HeaderMap::new();
        // 4.13: 100 ms x 2^(n-1) + 1..100 ms, within 100 ms..1 s, headers ignored.
        for (retry, low, high) in [(1, 101, 200), (2, 201, 300), (3, 401, 500), (5, 1000, 1000)] {
            let w = Rule::Auth0Python4.wait(&none, retry).unwrap().as_millis();
            assert!((low..=high).contains(&w), "retry {retry}: {w} ms");
        }
        // 5.8: Retry-After first, then the reset plus 0-20%, then 1 s x 2^n +-10%.
        let h = headers(&[("retry-after", "7".into())]);
        assert_eq!(Rule::Auth0Python5.wait(&h, 1), Some(Duration::from_secs(7)));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let h = headers(&[("x-ratelimit-reset", (now + 10).to_string())]);
        let w = Rule::Auth0Python5.wait(&h, 1).unwrap().as_secs_f64();
        assert!((8.9..=12.1).contains(&w), "{w}");
        let w = Rule::Auth0Python5.wait(&none, 2).unwrap().as_secs_f64();
        assert!((1.8..=2.2).contains(&w), "{w}");
    }
}
