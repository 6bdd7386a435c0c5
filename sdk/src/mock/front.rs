//! The simulator's front door: a TCP relay on the address clients call
//! ([`Simulator::base_url`](super::Simulator::base_url)), in front of the wiremock
//! server.
//!
//! It exists for the one failure wiremock cannot produce: a connection dropped
//! without an answer ([`Failure::ConnectionReset`](super::Failure::ConnectionReset)).
//! The relay tags every HTTP/1 request it forwards with the id of the connection
//! it came on ([`CONNECTION_HEADER`]); the responder, on a connection reset, asks
//! the relay to drop that connection ([`Hangups::hang_up`]) and holds its own
//! answer back, so the client sees the connection reset and no byte of an answer.
//!
//! Everything else is relayed byte for byte. The relay reads only the framing of
//! requests (the head, then `Content-Length` or chunked bodies) to know where the
//! next request starts; anything it does not understand (HTTP/2, a line over
//! 64 KiB, a bad chunk size) is relayed as it is, untagged, for the rest of that
//! connection.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinSet;

/// The request header naming the relay connection a request came on. Stripped
/// from [`ReceivedRequest`](super::ReceivedRequest)s.
pub(crate) const CONNECTION_HEADER: &str = "x-userbridge-simulator-connection";

/// The longest request line or header line the relay parses.
const MAX_LINE: u64 = 64 * 1024;

/// The open relay connections, by id: how the responder asks for a drop.
#[derive(Default)]
pub(crate) struct Hangups {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Notify>>>,
}

impl Hangups {
    /// Registers a new connection: its id and the signal that drops it. The
    /// registration ends when the [`Registration`] is dropped.
    fn open(self: &Arc<Self>) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let signal = Arc::new(Notify::new());
        self.connections().insert(id, signal.clone());
        Registration {
            id,
            signal,
            hangups: self.clone(),
        }
    }

    /// Drops the connection `id` at once, without an answer. `false` when no
    /// such connection is open.
    pub fn hang_up(&self, id: u64) -> bool {
        match self.connections().get(&id) {
            Some(signal) => {
                // Stored as a permit if the relay is not waiting right now.
                signal.notify_one();
                true
            }
            None => false,
        }
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Notify>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One open connection of the relay.
struct Registration {
    id: u64,
    signal: Arc<Notify>,
    hangups: Arc<Hangups>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hangups.connections().remove(&self.id);
    }
}

/// The running front door. Dropping it stops the relay and closes every
/// connection it holds.
pub(crate) struct Front {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Front {
    /// Listens on `127.0.0.1` (a free port) and relays every connection to
    /// `upstream`, on a thread of its own (so the simulator serves whatever
    /// runtime, if any, its caller has).
    pub fn start(upstream: SocketAddr, hangups: Arc<Hangups>) -> io::Result<Front> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("userbridge-simulator".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = TcpListener::from_std(listener) else {
                        return;
                    };
                    let mut relays = JoinSet::new();
                    tokio::select! {
                        _ = stopped => {}
                        () = accept(&listener, &mut relays, upstream, &hangups) => {}
                    }
                    // Dropping `relays` aborts every open connection.
                });
            })?;
        Ok(Front {
            address,
            stop: Some(stop),
        })
    }

    /// The address clients call.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The thread may be gone already; nothing to stop then.
            let _ = stop.send(());
        }
    }
}

async fn accept(
    listener: &TcpListener,
    relays: &mut JoinSet<()>,
    upstream: SocketAddr,
    hangups: &Arc<Hangups>,
) {
    loop {
        while relays.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((client, _)) => {
                relays.spawn(relay(client, upstream, hangups.open()));
            }
            // Out of file descriptors or the like: try again shortly.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Relays one client connection to a fresh upstream connection until either
/// side closes, or resets it when the responder asks.
async fn relay(mut client: TcpStream, upstream: SocketAddr, registration: Registration) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let hang_up = {
        let (from_client, mut to_client) = client.split();
        let (mut from_server, to_server) = server.split();
        let requests = forward_requests(from_client, to_server, registration.id);
        let responses = tokio::io::copy(&mut from_server, &mut to_client);
        tokio::pin!(requests, responses);
        let mut requests_done = false;
        loop {
            tokio::select! {
                biased;
                () = registration.signal.notified() => break true,
                _ = &mut responses => break false,
                _ = &mut requests, if !requests_done => requests_done = true,
            }
        }
    };
    if hang_up {
        // Closing with a zero linger sends a reset: the client sees the
        // connection reset, not a clean close.
        let _ = client.set_zero_linger();
    }
}

/// Copies requests from the client to the server, adding
/// `CONNECTION_HEADER: id` to each request head.
async fn forward_requests<R, W>(from: R, mut to: W, id: u64) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut from = BufReader::new(from);
    let tag = format!("{CONNECTION_HEADER}: {id}\r\n");
    loop {
        let mut head = Vec::new();
        let line = read_line(&mut from, &mut head).await?;
        if line == Line::End {
            break;
        }
        if line == Line::TooLong || head.starts_with(b"PRI * HTTP/2") {
            to.write_all(&head).await?;
            tokio::io::copy(&mut from, &mut to).await?;
            break;
        }
        if is_blank(&head) {
            // An empty line between requests (RFC 9112 allows it).
            to.write_all(&head).await?;
            continue;
        }
        head.extend_from_slice(tag.as_bytes());
        let mut length = 0u64;
        let mut chunked = false;
        let mut complete = false;
        loop {
            let start = head.len();
            let line = read_line(&mut from, &mut head).await?;
            if line != Line::Read {
                break;
            }
            let text = String::from_utf8_lossy(&head[start..]);
            if is_blank(&head[start..]) {
                complete = true;
                break;
            }
            if let Some((name, value)) = text.split_once(':') {
                let (name, value) = (name.trim(), value.trim());
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.to_ascii_lowercase().contains("chunked");
                }
            }
        }
        to.write_all(&head).await?;
        if !complete {
            tokio::io::copy(&mut from, &mut to).await?;
            break;
        }
        let framed = if chunked {
            copy_chunked(&mut from, &mut to).await?
        } else {
            let copied = tokio::io::copy(&mut (&mut from).take(length), &mut to).await?;
            copied == length
        };
        if !framed {
            tokio::io::copy(&mut from, &mut to).await?;
            break;
        }
    }
    to.shutdown().await
}

/// How reading a line went.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A whole line (ending in `\n`) was appended.
    Read,
    /// The stream ended before a line started.
    End,
    /// The stream ended mid-line, or the line is longer than [`MAX_LINE`]; what
    /// was read is appended.
    TooLong,
}

async fn read_line<R: AsyncBufReadExt + Unpin>(
    from: &mut R,
    into: &mut Vec<u8>,
) -> io::Result<Line> {
    let n = from.take(MAX_LINE).read_until(b'\n', into).await?;
    Ok(if n == 0 {
        Line::End
    } else if into.ends_with(b"\n") {
        Line::Read
    } else {
        Line::TooLong
    })
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\r\n" || line == b"\n"
}

/// Copies one chunked body (chunks, the last chunk, trailers). `false` when it
/// could not be parsed; what was read is copied.
async fn copy_chunked<R, W>(from: &mut R, to: &mut W) -> io::Result<bool>
where
    R: AsyncBufReadExt + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        let mut line = Vec::new();
        if read_line(from, &mut line).await? != Line::Read {
            to.write_all(&line).await?;
            return Ok(false);
        }
        to.write_all(&line).await?;
        let text = String::from_utf8_lossy(&line);
        let size = text.split(';').next().unwrap_or_default().trim();
        let Ok(size) = u64::from_str_radix(size, 16) else {
            return Ok(false);
        };
        if size == 0 {
            // Trailers, up to an empty line.
            loop {
                let mut line = Vec::new();
                let read = read_line(from, &mut line).await?;
                to.write_all(&line).await?;
                if read != Line::Read {
                    return Ok(false);
                }
                if is_blank(&line) {
                    return Ok(true);
                }
            }
        }
        // The chunk and its CRLF.
        let want = size.saturating_add(2);
        let copied = tokio::io::copy(&mut from.take(want), to).await?;
        if copied != want {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn forwarded(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        forward_requests(input, &mut out, 7).await.unwrap();
        out
    }

    #[tokio::test]
    async fn requests_are_tagged_and_framed() {
        let two = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPATCH /b HTTP/1.1\r\n\r\n";
        assert_eq!(
            String::from_utf8(forwarded(two).await).unwrap(),
            "POST /a HTTP/1.1\r\nx-userbridge-simulator-connection: 7\r\nContent-Length: 3\r\n\r\nabc\
             PATCH /b HTTP/1.1\r\nx-userbridge-simulator-connection: 7\r\n\r\n"
        );
        let chunked = b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                        3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        let out = String::from_utf8(forwarded(chunked).await).unwrap();
        assert_eq!(
            out.matches("x-userbridge-simulator-connection: 7").count(),
            2
        );
        assert!(out.ends_with("GET / HTTP/1.1\r\nx-userbridge-simulator-connection: 7\r\n\r\n"));
        // Not understood: relayed as it is.
        let h2 = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        assert_eq!(forwarded(h2).await, h2);
        let bad_chunk = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET";
        let out = forwarded(bad_chunk).await;
        assert!(out.ends_with(b"zz\r\nGET"));
    }
}
