//! The scoring service through a real server on a free loopback port, started and stopped by
//! the test: each route's happy path; 401 / 403 / 400 / 413 / 422 / 503; a decision through the
//! API and one through `precre decide` on the same application (exactly one wins, the other is
//! told who decided); the API's scores equal `precre classify` for the same firm and model;
//! SIGTERM during a batch loses nothing that was acknowledged; the request log names tokens.

#![cfg(unix)]

use crate::common;

use common::{precre, HANG_GUARD};
use precre::store::Store;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

/// A running `precre serve` on a free port.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(db: &Path) -> Server {
        Server::start_with(db, &[])
    }

    fn start_with(db: &Path, flags: &[&str]) -> Server {
        let mut child = precre(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(flags)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        err.read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in: {line}"))
            .parse()
            .unwrap();
        // Keep reading stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = err.read_to_string(&mut sink);
        });
        Server { child, addr }
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: signalling our own child process by its pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        self.child.wait().unwrap()
    }
}

/// A test that fails before `stop` still ends its server.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; (status, headers, body).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    // A hang guard, not a time limit: an answer that never comes reads as status 0.
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    // Chunked bodies (axum streams some answers): join the chunks.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = String::new();
        let mut r = rest;
        while let Some((size, tail)) = r.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            r = &tail[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    (status, head.to_string(), body)
}

fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, Value) {
    let (code, _, body) = http(addr, "GET", path, token, "application/json", b"");
    (
        code,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn post(addr: SocketAddr, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let (code, _, text) = http(
        addr,
        "POST",
        path,
        token,
        "application/json",
        body.to_string().as_bytes(),
    );
    (
        code,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn token(db: &Path, name: &str, scope: &str) -> String {
    let out = precre(db)
        .args(["token", "create", name, "--scope", scope])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A firm's statements from the demo files, as a partner would post them.
fn posted_firm(firm: &str, store_it: bool) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let mut statements = Vec::new();
    let mut r = csv::Reader::from_path(root.join("statements.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[0] != firm {
            continue;
        }
        let mut items = serde_json::Map::new();
        for (h, c) in header.iter().zip(rec.iter()).skip(3) {
            if let Ok(v) = c.parse::<f64>() {
                items.insert(h.to_string(), json!(v));
            }
        }
        statements.push(json!({"fiscal_year": rec[1].parse::<i32>().unwrap(), "items": items}));
    }
    let mut r = csv::Reader::from_path(root.join("firms.csv")).unwrap();
    let header = r.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "sector").unwrap();
    let sector = r
        .records()
        .map(|x| x.unwrap())
        .find(|x| &x[0] == firm)
        .map(|x| x[col].to_string())
        .unwrap();
    json!({"firm": {"id": firm, "sector": sector}, "statements": statements, "store": store_it})
}

/// The id of the first firm of the demo files.
fn first_demo_firm() -> String {
    csv::Reader::from_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/firms.csv"))
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap()[0]
        .to_string()
}

/// The service's `/metrics` text, read with `token`.
fn metrics(addr: SocketAddr, token: &str) -> String {
    let (code, _, m) = http(addr, "GET", "/metrics", Some(token), "text/plain", b"");
    assert_eq!(code, 200, "{m}");
    m
}

fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    assert!(precre(&db).arg("demo").output().unwrap().status.success());
    (dir, db)
}

#[test]
fn every_route_answers_and_refuses_what_it_should() {
    let (_dir, db) = demo_store();
    let read = token(&db, "reader", "read");
    let score = token(&db, "partner", "score");
    let decide = token(&db, "kim", "decide");
    // No token cache: a revoked token is refused at its next request (the default cache trusts
    // a token for 5 s; a test must not sleep that out).
    let server = Server::start_with(&db, &["--token-cache", "0"]);
    let a = server.addr;

    // /healthz needs no token; everything else does, and tells nothing about tokens.
    assert_eq!(get(a, "/healthz", None).0, 200);
    for path in ["/v1/queue", "/v1/models", "/metrics", "/openapi.json"] {
        let (code, body) = get(a, path, None);
        assert_eq!(code, 401, "{path}");
        assert!(!body.to_string().contains("reader"), "{body}");
        assert_eq!(get(a, path, Some("precre_not_a_token")).0, 401);
    }

    // Reads.
    let (code, q) = get(a, "/v1/queue", Some(&read));
    assert_eq!(code, 200);
    assert_eq!(q["pending"], 48);
    let (code, models) = get(a, "/v1/models", Some(&read));
    assert_eq!(code, 200);
    assert_eq!(models.as_array().unwrap().len(), 1);
    let firm = q["applications"][0]["firm_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, f) = get(a, &format!("/v1/firms/{firm}"), Some(&read));
    assert_eq!(code, 200);
    assert_eq!(f["firm"]["id"], firm.as_str());
    assert_eq!(get(a, "/v1/firms/nobody", Some(&read)).0, 404);

    // The API's score of a stored firm equals `precre classify --firm` (same model).
    let (code, s) = get(a, &format!("/v1/firms/{firm}/score"), Some(&read));
    assert_eq!(code, 200, "{s}");
    let out = precre(&db)
        .args(["classify", "--firm", &firm, "--format", "json"])
        .output()
        .unwrap();
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["model_id"], c["model_id"]);
    assert_eq!(s["class"], c["predictions"][0]["class"]);
    for pair in c["predictions"][0]["probabilities"].as_array().unwrap() {
        let class = pair[0].as_str().unwrap();
        assert_eq!(s["probabilities"][class], pair[1], "{class}");
    }

    // Scoring posted data: the same firm's statements give the same class and probabilities.
    let (code, p) = post(a, "/v1/score", Some(&score), &posted_firm(&firm, false));
    assert_eq!(code, 200, "{p}");
    assert_eq!(p["class"], s["class"]);
    assert_eq!(p["probabilities"], s["probabilities"]);
    // The same reasons, in words with the sector's medians, as the stored firm's score.
    assert!(p["reasons"].is_array(), "{p}");
    assert_eq!(p["reasons"], s["reasons"], "{p}\n{s}");
    assert_eq!(p["stored"], false);
    assert!(p["ratios"]["current_ratio"].is_number());
    // A read token cannot score; a score token cannot decide.
    assert_eq!(
        post(a, "/v1/score", Some(&read), &posted_firm(&firm, false)).0,
        403
    );
    let app = q["applications"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    let refer = json!({"verdict": "refer", "note": "from the portal"});
    let path = format!("/v1/applications/{app}/decision");
    assert_eq!(post(a, &path, Some(&score), &refer).0, 403);

    // Faults, each named.
    let (code, _, body) = http(
        a,
        "POST",
        "/v1/score",
        Some(&score),
        "application/json",
        b"{\"firm\": ",
    );
    assert_eq!(code, 400, "{body}");
    let (code, e) = post(a, "/v1/score", Some(&score), &json!({"statements": []}));
    assert_eq!(code, 422);
    assert_eq!(e["error"]["field"], "firm");
    let mut wrong = posted_firm(&firm, false);
    wrong["statements"][0]["items"]["revenue"] = json!("a lot");
    let (code, e) = post(a, "/v1/score", Some(&score), &wrong);
    assert_eq!(code, 422);
    assert_eq!(e["error"]["field"], "statements[0].items.revenue");
    let mut mining = posted_firm(&firm, false);
    mining["firm"]["sector"] = json!("asteroid_mining");
    let (code, e) = post(a, "/v1/score", Some(&score), &mining);
    assert_eq!(code, 422);
    assert_eq!(e["error"]["field"], "firm.sector");
    let mut unknown = posted_firm(&firm, false);
    unknown["statements"][0]["items"]["goodwill_fairy"] = json!(1.0);
    let (code, e) = post(a, "/v1/score", Some(&score), &unknown);
    assert_eq!(code, 422);
    assert!(e["error"]["field"]
        .as_str()
        .unwrap()
        .contains("goodwill_fairy"));
    // A number too large for a float is not finite: refused, not scored.
    let (code, _, body) = http(
        a,
        "POST",
        "/v1/score",
        Some(&score),
        "application/json",
        posted_firm(&firm, false)
            .to_string()
            .replacen("\"revenue\":", "\"revenue\":1e999,\"x\":", 1)
            .as_bytes(),
    );
    assert!(code == 400 || code == 422, "{code} {body}");
    // A 5 MiB body is too large.
    let big = vec![b' '; 5 << 20];
    let (code, _, _) = http(
        a,
        "POST",
        "/v1/score",
        Some(&score),
        "application/json",
        &big,
    );
    assert_eq!(code, 413);

    // A batch, as a JSON array and as NDJSON: one result per row, errors in place.
    let rows = json!([posted_firm(&firm, false), {"firm": {"sector": "retail"}}]);
    let (code, b) = post(a, "/v1/score/batch", Some(&score), &rows);
    assert_eq!(code, 200, "{b}");
    assert_eq!(b[0]["class"], s["class"]);
    assert_eq!(b[1]["row"], 1);
    assert_eq!(b[1]["error"]["field"], "statements");
    let nd = format!(
        "{}\n{}\n",
        posted_firm(&firm, false),
        posted_firm(&firm, false)
    );
    let (code, _, text) = http(
        a,
        "POST",
        "/v1/score/batch",
        Some(&score),
        "application/x-ndjson",
        nd.as_bytes(),
    );
    assert_eq!(code, 200);
    assert_eq!(text.lines().count(), 2, "{text}");
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["class"], s["class"]);
    // A line that is not JSON refuses the batch, naming the line; so does a body that is not
    // an array.
    let broken = format!("{}\n\n{{\"firm\": \n", posted_firm(&firm, false));
    let (code, _, text) = http(
        a,
        "POST",
        "/v1/score/batch",
        Some(&score),
        "application/x-ndjson",
        broken.as_bytes(),
    );
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("line 3"), "{text}");
    let (code, e) = post(
        a,
        "/v1/score/batch",
        Some(&score),
        &posted_firm(&firm, false),
    );
    assert_eq!(code, 422, "{e}");

    // A decision through the API records the token's name as the analyst.
    let (code, d) = post(a, &path, Some(&decide), &refer);
    assert_eq!(code, 200, "{d}");
    assert_eq!(d["analyst"], "kim");
    assert_eq!(d["decision"], "refer");
    let (code, e) = post(a, &path, Some(&decide), &refer);
    assert_eq!(code, 409);
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already decided by kim"));
    let (code, e) = post(a, &path, Some(&decide), &json!({"verdict": "maybe"}));
    assert_eq!(code, 422);
    assert_eq!(e["error"]["field"], "verdict");

    // Metrics and the OpenAPI document describe the routes.
    let m = metrics(a, &read);
    assert!(
        m.contains("precre_requests_total{route=\"/v1/score\",status=\"200\"}"),
        "{m}"
    );
    assert!(m.contains("precre_request_duration_seconds_bucket"), "{m}");
    assert!(m.contains("precre_errors_total{kind=\"invalid\"}"), "{m}");
    let (code, doc) = get(a, "/openapi.json", Some(&read));
    assert_eq!(code, 200);
    for route in [
        "/v1/score",
        "/v1/score/batch",
        "/v1/firms/{id}",
        "/v1/firms/{id}/score",
        "/v1/queue",
        "/v1/applications/{id}/decision",
        "/v1/models",
        "/healthz",
        "/metrics",
    ] {
        assert!(
            doc["paths"][route].is_object(),
            "{route} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ScoreRequest"].is_object());

    // A revoked token is refused.
    assert!(precre(&db)
        .args(["token", "revoke", "reader"])
        .output()
        .unwrap()
        .status
        .success());
    assert_eq!(get(a, "/v1/queue", Some(&read)).0, 401);

    assert!(server.stop().success(), "SIGTERM ends the service cleanly");
    // Every scoring call and decision is in the request log, with the token's name.
    let log = Store::open(&db).unwrap().request_log().unwrap();
    assert!(log
        .iter()
        .any(|l| l.token == "partner" && l.route == "/v1/score"));
    assert!(log
        .iter()
        .any(|l| l.token == "kim" && l.route.contains("decision")));
    assert!(log.iter().all(|l| l.model_id.is_some()));
    let listed = precre(&db)
        .args(["token", "list", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&listed.stdout).contains("precre_"),
        "no secret is stored or shown"
    );
}

#[test]
fn one_decision_wins_between_the_api_and_the_command_line() {
    let (_dir, db) = demo_store();
    let api = token(&db, "portal", "decide");
    let server = Server::start(&db);
    let (_, q) = get(server.addr, "/v1/queue", Some(&api));
    let apps: Vec<String> = q["applications"]
        .as_array()
        .unwrap()
        .iter()
        .take(5)
        .map(|a| a["application_id"].as_str().unwrap().to_string())
        .collect();
    for app in &apps {
        let addr = server.addr;
        let path = format!("/v1/applications/{app}/decision");
        let t = api.clone();
        let from_api =
            std::thread::spawn(move || post(addr, &path, Some(&t), &json!({"verdict": "refer"})));
        let from_cli = precre(&db)
            .args(["--analyst", "lee", "decide", app, "--refer"])
            .output()
            .unwrap();
        let (code, body) = from_api.join().unwrap();
        let cli_won = from_cli.status.success();
        let api_won = code == 200;
        assert!(cli_won ^ api_won, "{app}: exactly one wins ({code} {body})");
        if cli_won {
            assert_eq!(code, 409);
            assert!(body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already decided by lee"));
        } else {
            let err = String::from_utf8_lossy(&from_cli.stderr);
            assert!(err.contains("already decided by portal"), "{err}");
        }
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(store.decisions().unwrap().len(), apps.len());
    assert!(server.stop().success());
}

#[test]
fn a_store_held_by_an_import_answers_503_with_retry_after_never_a_hang() {
    let (_dir, db) = demo_store();
    let t = token(&db, "portal", "decide");
    let server = Server::start(&db);
    let (_, q) = get(server.addr, "/v1/queue", Some(&t));
    let app = q["applications"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another process's import holds the write lock.
    let mut holder = Store::open(&db).unwrap();
    let tx = holder.begin_import().unwrap();
    // Answered while the lock is still held (so not after waiting for it): a hang would read
    // as status 0 at the hang guard.
    let (code, head, body) = http(
        server.addr,
        "POST",
        &format!("/v1/applications/{app}/decision"),
        Some(&t),
        "application/json",
        br#"{"verdict": "refer"}"#,
    );
    assert_eq!(code, 503, "{body}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: 1"),
        "{head}"
    );
    // Reads go on meanwhile (WAL).
    assert_eq!(get(server.addr, "/v1/queue", Some(&t)).0, 200);
    drop(tx);
    let (code, _) = post(
        server.addr,
        &format!("/v1/applications/{app}/decision"),
        Some(&t),
        &json!({"verdict": "refer"}),
    );
    assert_eq!(code, 200, "after the import, the same request works");
    assert!(server.stop().success());
}

#[test]
fn sigterm_during_a_batch_loses_nothing_acknowledged() {
    let (_dir, db) = demo_store();
    let t = token(&db, "loader", "score");
    let server = Server::start(&db);
    // 300 stored firms in one batch (new ids), SIGTERM while it runs.
    let first_firm = first_demo_firm();
    let base = posted_firm(&first_firm, true);
    let rows: Vec<Value> = (0..300)
        .map(|i| {
            let mut r = base.clone();
            r["firm"]["id"] = json!(format!("NEW-{i:04}"));
            r
        })
        .collect();
    let addr = server.addr;
    let token_c = t.clone();
    let batch = std::thread::spawn(move || {
        post(addr, "/v1/score/batch", Some(&token_c), &Value::Array(rows))
    });
    std::thread::sleep(Duration::from_millis(150));
    let status = server.stop();
    let (code, body) = batch.join().unwrap();
    assert!(status.success(), "a clean exit after draining");
    let store = Store::open(&db).unwrap();
    let stored = (0..300)
        .filter(|i| store.firm(&format!("NEW-{i:04}")).is_ok())
        .count();
    if code == 200 {
        // Acknowledged: every row it reports stored is in the store.
        let acked = body
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["stored"] == true)
            .count();
        assert_eq!(acked, 300, "first row: {}", body[0]);
        assert_eq!(stored, 300);
    } else {
        // Not acknowledged (the server stopped before it read the request): nothing half-done
        // beyond whole firms.
        assert!(stored == 0 || stored == 300, "{stored} {code}");
    }
}

/// A client that trickles its headers (slowloris), one byte every 200 ms so that it is never
/// silent for the 1 s header timeout, is cut off all the same: the deadline is on the whole
/// head, not on silence. A normal request on the same server is answered.
#[test]
fn a_client_trickling_its_headers_is_cut_off() {
    let (_dir, db) = demo_store();
    let server = Server::start_with(&db, &["--header-timeout", "1"]);
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
        .unwrap();
    let started = std::time::Instant::now();
    let mut trickled = 0;
    // One header byte every 200 ms, never a complete request, until the server cuts the
    // connection (or the hang guard, far above the header timeout, gives up).
    let cut = loop {
        if started.elapsed() > HANG_GUARD {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
        if slow.write_all(b"X").is_err() {
            break true;
        }
        trickled += 1;
        let mut buf = [0u8; 256];
        slow.set_nonblocking(true).unwrap();
        let read = slow.read(&mut buf);
        slow.set_nonblocking(false).unwrap();
        match read {
            // An answer (408) or the end of the connection.
            Ok(_) => break true,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break true,
        }
    };
    assert!(
        cut,
        "hang guard: the trickling client was still connected after {trickled} bytes"
    );
    let (code, _) = get(server.addr, "/healthz", None);
    assert_eq!(code, 200);
    assert!(server.stop().success());
}

/// A score request whose body stops coming gets 408 at the request timeout (its body is read
/// within it), and the timeout is counted in the metrics.
#[test]
fn a_score_whose_body_stalls_gets_408_at_the_request_timeout() {
    let (_dir, db) = demo_store();
    let score = token(&db, "slow", "score");
    let read = token(&db, "reader", "read");
    let server = Server::start_with(&db, &["--timeout", "1"]);
    let mut slow = TcpStream::connect(server.addr).unwrap();
    // The body never comes: only the server's request timeout can answer (a hang reads as an
    // error at the hang guard).
    slow.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let head = format!(
        "POST /v1/score HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {score}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"firm\": "
    );
    slow.write_all(head.as_bytes()).unwrap();
    let mut answer = [0u8; 64];
    let n = slow.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let m = metrics(server.addr, &read);
    assert!(m.contains("precre_errors_total{kind=\"timeout\"}"), "{m}");
    assert!(server.stop().success());
}

/// Many clients arriving together at a cold service: the token is looked up in the store once
/// and the active model is read once, not once per client (32 reads of the model and the
/// sector medians at once stalled the first requests for over a second under wrk).
#[test]
fn clients_arriving_together_read_the_store_once() {
    let (_dir, db) = demo_store();
    let score = token(&db, "partner", "score");
    let read = token(&db, "reader", "read");
    // A token cache that outlives the test, so that a slow run never sees an entry expire.
    let server = Server::start_with(&db, &["--token-cache", "3600"]);
    let firm = &first_demo_firm();
    let body = posted_firm(firm, false);
    let started = std::time::Instant::now();
    let clients: Vec<_> = (0..32)
        .map(|_| {
            let (addr, score, body) = (server.addr, score.clone(), body.clone());
            std::thread::spawn(move || post(addr, "/v1/score", Some(&score), &body).0)
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().unwrap(), 200);
    }
    let took = started.elapsed();
    let m = metrics(server.addr, &read);
    let reads = |what: &str| -> u64 {
        let key = format!("precre_store_reads_total{{what=\"{what}\"}} ");
        m.lines()
            .find_map(|l| l.strip_prefix(&key))
            .unwrap_or_else(|| panic!("no {key} in {m}"))
            .parse()
            .unwrap()
    };
    // The score token once, and the read token once (the metrics request's own look-up).
    assert!(reads("token") <= 2, "{m}");
    // The model at start, then at most one refresh behind each second that went by (the
    // allowance grows with the run's length: a slow run cannot fail it).
    assert!(
        reads("snapshot") <= 1 + took.as_secs() + 1,
        "took {took:?}: {m}"
    );
    assert!(server.stop().success());
}

/// A client that reads a large batch answer slowly, for longer than the header timeout, gets
/// all of it: a connection is cut only when it makes no progress (no request, nothing written
/// to it) for a whole timeout, and reading an answer is progress.
#[test]
fn a_slow_reader_of_a_large_answer_gets_all_of_it() {
    let (_dir, db) = demo_store();
    let score = token(&db, "partner", "score");
    let server = Server::start_with(&db, &["--header-timeout", "1"]);
    let firm = &first_demo_firm();
    let line = posted_firm(firm, false).to_string();
    // ~7 MB of answers: more than the server's send buffer can hold (4 MiB at most on Linux),
    // so the server writes as this client reads.
    let rows = 4000;
    let body = format!("{line}\n").repeat(rows);
    let mut s = TcpStream::connect(server.addr).unwrap();
    // A small receive buffer, so that the server's writes wait for this reader.
    let small: libc::c_int = 16 * 1024;
    // SAFETY: setting an option of our own open socket, with a pointer to a live c_int.
    unsafe {
        use std::os::fd::AsRawFd;
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&small as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    let head = format!(
        "POST /v1/score/batch HTTP/1.1\r\nHost: test\r\nConnection: close\r\nAuthorization: Bearer {score}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    // Reads of at most 64 KiB with a 10 ms pause after each: the reading lasts at least the sum
    // of the pauses, which is counted (not timed) below.
    let pause = Duration::from_millis(10);
    let mut paused = Duration::ZERO;
    let mut raw = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
            Err(e) => panic!(
                "cut off after {} bytes and {paused:?} of pauses: {e}",
                raw.len()
            ),
        }
        std::thread::sleep(pause);
        paused += pause;
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, answer) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // Each row's answer is one line: all of them came, the last one whole.
    let lines: Vec<&str> = answer.lines().collect();
    assert_eq!(lines.len(), rows);
    assert!(serde_json::from_str::<Value>(lines[rows - 1]).unwrap()["class"].is_string());
    // The pauses alone outlast the 1 s timeout, so the rule was put to the test.
    assert!(
        paused > Duration::from_secs(1),
        "{paused:?} of pauses: make the answer larger"
    );
    assert!(server.stop().success());
}

/// One keep-alive connection, as a partner's client holds one: two score requests sent in one
/// write (pipelined), then a chunked score and a `GET /healthz`, which the service's own
/// reading of usual scores leaves to hyper with what it has read. Every request is answered,
/// in order, the scores equal, and the connection stays open until the client closes it.
#[test]
fn one_connection_carries_pipelined_scores_then_other_requests() {
    let (_dir, db) = demo_store();
    let score = token(&db, "partner", "score");
    let server = Server::start(&db);
    let body = posted_firm(&first_demo_firm(), false).to_string();
    let usual = format!(
        "POST /v1/score HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {score}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let chunked = format!(
        "POST /v1/score HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {score}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let health = "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n";
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    s.write_all(format!("{usual}{usual}").as_bytes()).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    // One answer off the connection: (status, body), read by its Content-Length.
    let mut answer = || {
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            assert!(!lower.starts_with("connection: close"), "{status}{line}");
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        (status, String::from_utf8(body).unwrap())
    };
    let (first, second) = (answer(), answer());
    assert!(first.0.starts_with("HTTP/1.1 200"), "{first:?}");
    assert_eq!(first, second);
    let scored: Value = serde_json::from_str(&first.1).unwrap();
    assert!(scored["class"].is_string(), "{scored}");
    s.write_all(chunked.as_bytes()).unwrap();
    let third = answer();
    assert!(third.0.starts_with("HTTP/1.1 200"), "{third:?}");
    let rescored: Value = serde_json::from_str(&third.1).unwrap();
    assert_eq!(rescored["probabilities"], scored["probabilities"]);
    assert_eq!(rescored["reasons"], scored["reasons"]);
    s.write_all(health.as_bytes()).unwrap();
    let fourth = answer();
    assert!(fourth.0.starts_with("HTTP/1.1 200"), "{fourth:?}");
    assert!(server.stop().success());
}

/// Sends a request head (and whatever of the body is given) and reads the answer, with a limit
/// on the wait; `None` when no answer came in time.
fn answer_to(addr: SocketAddr, raw: &[u8], wait: Duration) -> Option<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(raw).unwrap();
    let mut buf = vec![0u8; 65536];
    let n = s.read(&mut buf).ok()?;
    (n > 0).then(|| String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[test]
fn the_token_is_checked_before_any_body_byte_is_read() {
    let (_dir, db) = demo_store();
    let server = Server::start(&db);
    // A wrong token and a 1 MiB body of which no byte is sent: the answer comes at once.
    let head = "POST /v1/score HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer wrong\r\n\
                Content-Type: application/json\r\nContent-Length: 1048000\r\n\r\n";
    let got = answer_to(server.addr, head.as_bytes(), Duration::from_secs(20))
        .expect("an answer without the body");
    assert!(got.starts_with("HTTP/1.1 401"), "{got}");
    // A read token on a score route: 403, also before the body.
    let read = token(&db, "reader", "read");
    let head = head.replace("Bearer wrong", &format!("Bearer {read}"));
    let got = answer_to(server.addr, head.as_bytes(), Duration::from_secs(20))
        .expect("an answer without the body");
    assert!(got.starts_with("HTTP/1.1 403"), "{got}");
}

#[test]
fn repeated_headers_positional_bodies_and_hostile_text_are_refused() {
    let (_dir, db) = demo_store();
    let server = Server::start(&db);
    let score = token(&db, "partner", "score");
    let firm = first_demo_firm();
    // Two Authorization headers, two Host headers: 400, neither read by its first.
    for extra in [
        format!("Authorization: Bearer {score}\r\nAuthorization: Bearer other\r\nHost: t\r\n"),
        format!("Authorization: Bearer {score}\r\nHost: a\r\nHost: b\r\n"),
    ] {
        let raw = format!("GET /v1/models HTTP/1.1\r\n{extra}Connection: close\r\n\r\n");
        let got = answer_to(server.addr, raw.as_bytes(), Duration::from_secs(20)).unwrap();
        assert!(got.starts_with("HTTP/1.1 400"), "{got}");
    }
    // The documented object, not its positional form.
    let posted = posted_firm(&firm, false);
    let positional = json!([posted["firm"], posted["statements"]]);
    let (code, body) = post(server.addr, "/v1/score", Some(&score), &positional);
    assert_eq!(code, 422, "{body}");
    // Unknown and non-numeric factors are refused, naming the field.
    for factors in [json!({"market_shrae": 3}), json!({"market_share": "high"})] {
        let mut p = posted.clone();
        p["factors"] = factors;
        let (code, body) = post(server.addr, "/v1/score", Some(&score), &p);
        assert_eq!(code, 422, "{body}");
    }
    // Ids and names with control characters or past the register's length.
    for (field, value) in [
        ("id", "ab\u{1b}[2Jcd".to_string()),
        ("name", "nul\u{0}name".to_string()),
        ("name", "x".repeat(100_000)),
    ] {
        let mut p = posted.clone();
        p["firm"][field] = json!(value);
        let (code, body) = post(server.addr, "/v1/score", Some(&score), &p);
        assert_eq!(code, 422, "{field}: {body}");
        assert_eq!(body["error"]["field"], format!("firm.{field}"), "{body}");
    }
    // 70,000 distinct unknown item names: refused quickly, and the service still answers.
    let mut p = posted.clone();
    let items: serde_json::Map<String, Value> =
        (0..70_000).map(|i| (format!("n{i}"), json!(1))).collect();
    p["statements"][0]["items"] = Value::Object(items);
    let (code, body) = post(server.addr, "/v1/score", Some(&score), &p);
    assert_eq!(code, 422, "{body}");
    let (code, _) = get(server.addr, "/healthz", None);
    assert_eq!(code, 200);
}

#[test]
fn storing_a_posted_firm_needs_its_scope_and_never_erases_what_it_was_not_given() {
    let (_dir, db) = demo_store();
    let firm = first_demo_firm();
    let before = Store::open(&db).unwrap().firm(&firm).unwrap();
    assert!(before.region.is_some() && before.founded.is_some());
    let server = Server::start(&db);
    let score = token(&db, "partner", "score");
    let (code, body) = post(
        server.addr,
        "/v1/score",
        Some(&score),
        &posted_firm(&firm, true),
    );
    assert_eq!(code, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'store'"),
        "{body}"
    );
    let store = token(&db, "loader", "store");
    let (code, body) = post(
        server.addr,
        "/v1/score",
        Some(&store),
        &posted_firm(&firm, true),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["stored"], true);
    drop(server);
    let after = Store::open(&db).unwrap().firm(&firm).unwrap();
    assert_eq!(
        (&after.name, &after.region, &after.size, &after.founded),
        (&before.name, &before.region, &before.size, &before.founded),
        "a post without register fields keeps them"
    );
}

#[test]
fn a_damaged_store_is_not_described_to_an_unauthenticated_client() {
    let (dir, db) = demo_store();
    let server = Server::start(&db);
    let (code, _) = get(server.addr, "/healthz", None);
    assert_eq!(code, 200);
    // The store's firms table goes away under the running service.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF; DROP TABLE firms;")
        .unwrap();
    drop(conn);
    let (code, body) = get(server.addr, "/healthz", None);
    assert_eq!(code, 500, "{body}");
    let text = body.to_string();
    let path = dir.path().to_string_lossy().to_string();
    assert!(!text.contains(&path) && !text.contains("s.db"), "{text}");
}

#[test]
fn the_stored_and_the_posted_score_of_a_firm_are_one_answer() {
    let (_dir, db) = demo_store();
    let server = Server::start(&db);
    let read = token(&db, "partner", "score");
    let firm = first_demo_firm();
    let (code, stored) = get(server.addr, &format!("/v1/firms/{firm}/score"), Some(&read));
    assert_eq!(code, 200, "{stored}");
    let (code, posted) = post(
        server.addr,
        "/v1/score",
        Some(&read),
        &posted_firm(&firm, false),
    );
    assert_eq!(code, 200, "{posted}");
    for key in [
        "firm_id",
        "fiscal_year",
        "class",
        "probabilities",
        "reasons",
        "ratios",
        "model_id",
        "model_hash",
    ] {
        assert_eq!(stored[key], posted[key], "{key}");
    }
}
