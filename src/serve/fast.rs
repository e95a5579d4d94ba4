//! The accept loop's own reading of the usual score request. A keep-alive HTTP/1.1
//! `POST /v1/score` with a `Content-Length` body within the limit is read, scored
//! (`handlers::score_body`, the work every score path ends in) and answered here, without
//! hyper's per-request machinery: its request and header maps, body channel, encoder and
//! buffers were ~15% of the service's CPU a score under load (perf, 64 clients), as much as
//! reading the firm's JSON. Anything else (another route or method, a chunked body, `Expect`,
//! `Upgrade`, HTTP/1.0, a head past 16 KiB or 32 headers, a body past the limit, a malformed
//! head) hands the connection, with the bytes read so far, to hyper for the rest of its life,
//! where the router and the direct path answer it as they always have.
//!
//! The connection's deadlines are kept: the watchdog cuts one that sends nothing or reads
//! nothing for a header timeout, the request timeout (from the head's arrival) covers the
//! body and the work, and on shutdown the request in flight is answered and the connection
//! closed.

use super::direct;
use super::handlers;
use super::state::AppState;
use super::watch::{Progress, Watchdog};
use crate::ops::tokens::Scope;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use std::io;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Interval;

/// Headers a usual request may have (httparse's array); more go to hyper.
const MAX_HEADERS: usize = 32;
/// The longest head read here; a longer one goes to hyper.
const MAX_HEAD: usize = 16 * 1024;

/// How a connection's time here ended.
pub enum Next {
    /// The connection is done with (closed by either side, cut off, or shut down).
    Closed,
    /// A request this loop does not read: hyper takes the connection, these bytes first
    /// (`Watched::give_back`).
    HandOver(Vec<u8>),
}

/// A usual score request's head, at the front of the buffer.
#[derive(Debug, PartialEq)]
struct Head {
    /// Its length, the blank line included.
    len: usize,
    /// The body's length (`Content-Length`).
    body: usize,
    /// Where the `Authorization` header's value is in the buffer.
    authorization: Option<(usize, usize)>,
    /// The client asked for the connection to close after this answer.
    close: bool,
}

#[derive(Debug, PartialEq)]
enum Parsed {
    Usual(Head),
    /// More bytes are needed to tell.
    Partial,
    /// Hyper's to read.
    Other,
}

/// What the front of `buf` holds.
fn parse(buf: &[u8], max_body: usize) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() <= MAX_HEAD => return Parsed::Partial,
        _ => return Parsed::Other,
    };
    if req.method != Some("POST") || req.path != Some(direct::ROUTE) || req.version != Some(1) {
        return Parsed::Other;
    }
    let (mut body, mut authorization, mut close) = (None, None, false);
    for h in req.headers.iter() {
        let (name, value) = (h.name, h.value);
        if name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(value).ok().filter(|v| {
                !v.is_empty() && v.len() <= 18 && v.bytes().all(|b| b.is_ascii_digit())
            });
            match (body, n.and_then(|v| v.parse::<usize>().ok())) {
                (None, Some(n)) => body = Some(n),
                _ => return Parsed::Other,
            }
        } else if name.eq_ignore_ascii_case("authorization") {
            if authorization.is_some() {
                return Parsed::Other;
            }
            let start = value.as_ptr() as usize - buf.as_ptr() as usize;
            authorization = Some((start, start + value.len()));
        } else if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case(b"close") {
                close = true;
            } else if !value.eq_ignore_ascii_case(b"keep-alive") {
                return Parsed::Other;
            }
        } else if ["transfer-encoding", "expect", "upgrade"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            return Parsed::Other;
        }
    }
    match body {
        Some(body) if body <= max_body => Parsed::Usual(Head {
            len,
            body,
            authorization,
            close,
        }),
        _ => Parsed::Other,
    }
}

/// A header value as `HeaderValue::to_str` reads it: text of visible ASCII, else none.
fn header_text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

/// Serves the connection's usual score requests until it closes or another request comes.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    state: &Arc<AppState>,
    stream: &mut S,
    progress: &Arc<Progress>,
    ticks: &mut Interval,
    dog: &mut Watchdog,
    stop: &mut watch::Receiver<()>,
) -> Next {
    let mut buf: Vec<u8> = Vec::with_capacity(8 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(4 * 1024);
    let mut stopping = false;
    loop {
        let head = loop {
            match parse(&buf, state.opts.max_body) {
                Parsed::Usual(head) => break head,
                Parsed::Other => return Next::HandOver(buf),
                Parsed::Partial => {}
            }
            if stopping && buf.is_empty() {
                return Next::Closed;
            }
            // Idle, or part of a head in: the watchdog cuts a connection quiet for too long.
            tokio::select! {
                read = read_more(stream, &mut buf, 0) => match read {
                    Ok(0) | Err(_) => return Next::Closed,
                    Ok(_) => {}
                },
                _ = ticks.tick() => if dog.expired() {
                    return Next::Closed;
                },
                _ = stop.changed(), if !stopping => stopping = true,
            }
        };
        let busy = progress.begin();
        let started = Instant::now();
        let end = head.len + head.body;
        let work = async {
            while buf.len() < end {
                if read_more(stream, &mut buf, end).await? == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
            }
            let authorization = head
                .authorization
                .and_then(|(from, to)| header_text(&buf[from..to]));
            let token = match handlers::authorize_value(state, authorization, Scope::Score).await {
                Ok(token) => token,
                Err(e) => return Ok(Err(e)),
            };
            Ok::<_, io::Error>(handlers::score_body(state, token, &buf[head.len..end]).await)
        };
        let done = direct::within(state, started, work).await;
        drop(busy);
        stopping |= stop.has_changed().unwrap_or(true);
        out.clear();
        let close = match done {
            // The client left before its body was in: no one to answer.
            Some(Err(_)) => return Next::Closed,
            Some(Ok(Ok(json))) => {
                let close = head.close || stopping;
                write_head(&mut out, StatusCode::OK, JSON, json.len(), close);
                out.extend_from_slice(&json);
                super::count_status(state, direct::ROUTE, 200, None, started);
                close
            }
            Some(Ok(Err(e))) => {
                let resp = e.into_response();
                super::count(state, direct::ROUTE, &resp, started);
                let close = head.close || stopping;
                write_answer(&mut out, resp, close).await;
                close
            }
            // Past the request timeout, perhaps with its body half in: answered and closed.
            None => {
                let resp = StatusCode::REQUEST_TIMEOUT.into_response();
                super::count(state, direct::ROUTE, &resp, started);
                write_answer(&mut out, resp, true).await;
                true
            }
        };
        if !write_watched(stream, &out, ticks, dog).await {
            return Next::Closed;
        }
        if close {
            let _ = stream.shutdown().await;
            return Next::Closed;
        }
        buf.drain(..end);
        if buf.capacity() > 64 * 1024 && buf.len() < 8 * 1024 {
            buf.shrink_to(8 * 1024);
        }
    }
}

/// Reads what comes into `buf`, with room for at least the rest of a body ending at `end`.
async fn read_more<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    end: usize,
) -> io::Result<usize> {
    let want = end.saturating_sub(buf.len()).max(4 * 1024);
    if buf.capacity() - buf.len() < want {
        buf.reserve(want);
    }
    stream.read_buf(buf).await
}

/// Writes `out`, cut off by the watchdog if the client reads nothing for a header timeout.
async fn write_watched<S: AsyncWrite + Unpin>(
    stream: &mut S,
    out: &[u8],
    ticks: &mut Interval,
    dog: &mut Watchdog,
) -> bool {
    let mut write = std::pin::pin!(stream.write_all(out));
    loop {
        tokio::select! {
            written = &mut write => return written.is_ok(),
            _ = ticks.tick() => if dog.expired() {
                return false;
            },
        }
    }
}

const JSON: &[(&str, &[u8])] = &[("content-type", b"application/json")];

/// An answer's status line and headers as hyper writes them (lower-case names, a `date`),
/// for a body of `len` bytes.
fn write_head(
    out: &mut Vec<u8>,
    status: StatusCode,
    headers: &[(&str, &[u8])],
    len: usize,
    close: bool,
) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-length: ");
    out.extend_from_slice(len.to_string().as_bytes());
    if close {
        out.extend_from_slice(b"\r\nconnection: close");
    }
    out.extend_from_slice(b"\r\ndate: ");
    http_date(out);
    out.extend_from_slice(b"\r\n\r\n");
}

/// Any other answer (an error, a timeout): its head and its whole body.
async fn write_answer(out: &mut Vec<u8>, resp: axum::response::Response, close: bool) {
    let (parts, body) = resp.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != axum::http::header::CONTENT_LENGTH)
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    write_head(out, parts.status, &headers, body.len(), close);
    out.extend_from_slice(&body);
}

/// Now as an HTTP date (`Wed, 02 Dec 2026 15:04:05 GMT`), formatted once a second per thread.
fn http_date(out: &mut Vec<u8>) {
    thread_local! {
        static CACHED: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let now = std::time::SystemTime::now();
    let second = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.0 != second {
            *cached = (second, httpdate::fmt_http_date(now));
        }
        out.extend_from_slice(cached.1.as_bytes());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const USUAL: &str = "POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer abc\r\n\
                         Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

    #[test]
    fn a_usual_score_head_is_read_here_with_its_token_and_length() {
        let Parsed::Usual(head) = parse(USUAL.as_bytes(), 100) else {
            panic!("not read here")
        };
        assert_eq!(head.len, USUAL.len() - 2);
        assert_eq!(head.body, 2);
        assert!(!head.close);
        let (from, to) = head.authorization.unwrap();
        assert_eq!(&USUAL[from..to], "Bearer abc");
        // Every prefix of the head is partial, never misread.
        for cut in 0..head.len {
            assert_eq!(
                parse(&USUAL.as_bytes()[..cut], 100),
                Parsed::Partial,
                "{cut}"
            );
        }
        let close = USUAL.replace("Host: x", "Connection: close");
        assert!(matches!(
            parse(close.as_bytes(), 100),
            Parsed::Usual(Head { close: true, .. })
        ));
    }

    #[test]
    fn anything_unusual_is_left_to_hyper() {
        let cases = [
            USUAL.replace("POST /v1/score", "GET /v1/score"),
            USUAL.replace("/v1/score", "/v1/score/batch"),
            USUAL.replace("/v1/score", "/v1/score?x=1"),
            USUAL.replace("HTTP/1.1", "HTTP/1.0"),
            USUAL.replace("Content-Length: 2", "Transfer-Encoding: chunked"),
            USUAL.replace(
                "Content-Length: 2",
                "Content-Length: 2\r\nContent-Length: 2",
            ),
            USUAL.replace("Content-Length: 2", "Content-Length: +2"),
            USUAL.replace("Content-Length: 2", "Content-Length: 101"),
            USUAL.replace("Host: x", "Expect: 100-continue"),
            USUAL.replace("Host: x", "Upgrade: h2c"),
            USUAL.replace("Host: x", "Connection: keep-alive, Upgrade"),
            USUAL.replace("Host: x", "Authorization: Bearer other"),
            USUAL.replace("Host: x", "Host x"),
            USUAL.replace("Host: x", &"X-Pad: y\r\n".repeat(MAX_HEADERS)),
            USUAL.replace("Content-Length: 2\r\n", ""),
            "GARBAGE\r\n\r\n".to_string(),
        ];
        for case in &cases {
            assert_eq!(parse(case.as_bytes(), 100), Parsed::Other, "{case:?}");
        }
        // A head that never ends is not buffered past the bound.
        let endless = format!("POST /v1/score HTTP/1.1\r\nX: {}", "y".repeat(MAX_HEAD));
        assert_eq!(parse(endless.as_bytes(), 100), Parsed::Other);
    }

    #[test]
    fn a_header_value_is_text_only_when_visible_ascii() {
        assert_eq!(header_text(b"Bearer a\tb"), Some("Bearer a\tb"));
        assert_eq!(header_text("Bearer é".as_bytes()), None);
        assert_eq!(header_text(b"Bearer \x01"), None);
    }

    #[test]
    fn an_answer_head_is_what_hyper_writes() {
        let mut out = Vec::new();
        write_head(&mut out, StatusCode::OK, JSON, 17, false);
        let text = String::from_utf8(out).unwrap();
        let date = text.split("date: ").nth(1).unwrap().trim_end();
        assert!(httpdate::parse_http_date(date).is_ok(), "{date}");
        assert_eq!(
            text.replace(date, "D"),
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 17\r\ndate: D\r\n\r\n"
        );
        let mut out = Vec::new();
        write_head(&mut out, StatusCode::REQUEST_TIMEOUT, &[], 0, true);
        assert!(String::from_utf8(out).unwrap().starts_with(
            "HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\ndate: "
        ));
    }
}
