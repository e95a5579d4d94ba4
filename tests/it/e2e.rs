//! The real binary in a pseudo-terminal: start with `--demo` on a new store (the demo loads), triage three
//! applications, export the decisions from the Export screen, quit; then `precre export
//! decisions` holds those three decisions with the analyst, the model id and the reasons.
//! The screen is read back through a VT100 parser, as a terminal would show it.

#![cfg(unix)]

use crate::common;
use crate::common::HANG_GUARD;

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 30;

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}
const COLS: u16 = 100;

struct Pty {
    master: std::fs::File,
    screen: Arc<Mutex<vt100::Parser>>,
    child: std::process::Child,
    /// Tells the reader thread to let go of its end of the terminal.
    stop: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Pty {
    fn spawn(args: &[&str], env: &[(&str, &str)]) -> Pty {
        let mut master: libc::c_int = 0;
        let mut slave: libc::c_int = 0;
        let size = libc::winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills two descriptors we then own; the size struct outlives the call.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty failed");
        // Close-on-exec, both: the tests share one process, and another test's child must not
        // inherit this terminal (a pty held open by a stranger never hangs up or ends).
        for fd in [master, slave] {
            // SAFETY: F_SETFD on a descriptor we own.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        // SAFETY: both descriptors are fresh and owned by nobody else.
        let slave_fd = unsafe { OwnedFd::from_raw_fd(slave) };
        let master_file = unsafe { std::fs::File::from_raw_fd(master) };
        let mut cmd = common::precre_clean();
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env_remove("CI")
            .stdin(Stdio::from(slave_fd.try_clone().unwrap()))
            .stdout(Stdio::from(slave_fd.try_clone().unwrap()))
            .stderr(Stdio::from(slave_fd));
        for (k, v) in env {
            cmd.env(k, v);
        }
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY as _, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start precre");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nz(ROWS), nz(COLS), 0)));
        let reader_screen = screen.clone();
        let mut reader = master_file.try_clone().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let reader_stop = stop.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !reader_stop.load(Ordering::Relaxed) {
                let mut fds = libc::pollfd {
                    fd: std::os::fd::AsRawFd::as_raw_fd(&reader),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: poll on one descriptor we own, into a pollfd we own.
                if unsafe { libc::poll(&mut fds, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => reader_screen.lock().unwrap().process(&buf[..n]),
                }
            }
        });
        Pty {
            master: master_file,
            screen,
            child,
            stop,
            reader: Some(reader),
        }
    }

    /// Closes the terminal as an SSH server or a terminal window does when the line drops: the
    /// last descriptor of its master end goes (the kernel then hangs the terminal up).
    fn close_terminal(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        let null = std::fs::File::open("/dev/null").unwrap();
        // SAFETY: dup2 over our own master descriptor: the master's last reference closes.
        let rc = unsafe {
            libc::dup2(
                std::os::fd::AsRawFd::as_raw_fd(&null),
                std::os::fd::AsRawFd::as_raw_fd(&self.master),
            )
        };
        assert!(rc >= 0, "dup2: {}", std::io::Error::last_os_error());
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text` (up to the hang guard: liveness, not speed).
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < HANG_GUARD {
            if self.contents().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "hang guard: the screen never showed {text:?}; it shows:\n{}",
            self.contents()
        );
    }

    /// Waits until the screen's state satisfies `ready` (up to the hang guard).
    fn wait_until(&self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) {
        let start = Instant::now();
        while !ready(self.screen.lock().unwrap().screen()) {
            assert!(start.elapsed() < HANG_GUARD, "hang guard: {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until precre ends (up to the hang guard); its exit status.
    fn wait_exit(&mut self, what: &str) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(start.elapsed() < HANG_GUARD, "hang guard: {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
        self.master.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// A test that fails midway still ends its precre.
impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn start_triage_three_export_and_quit_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let db_s = db.to_str().unwrap();
    let out = dir.path().join("from-screen.csv");
    let mut pty = Pty::spawn(&["--db", db_s, "--analyst", "e2e-analyst", "--demo"], &[]);
    pty.wait_for("Loaded the demo portfolio");
    pty.wait_for("2,400 firms");
    pty.send("6");
    pty.wait_for("0 of 48 decided");
    // 1: decline with the prefilled reasons and a note (Tab x4 reaches the note).
    pty.send("d");
    pty.wait_for("Decline APP-");
    pty.send("\t\t\t\tliquidity too thin\r");
    pty.wait_for("1 of 48 decided");
    // 2: refer to kim with a note.
    pty.send("r");
    pty.wait_for("Refer APP-");
    pty.send("kim\tsecond opinion\r");
    pty.wait_for("1 of 48 decided · 1 referred");
    // 3: decline again.
    pty.send("d");
    pty.wait_for("Decline APP-");
    pty.send("\r");
    pty.wait_for("2 of 48 decided · 1 referred");
    // Export from the screen to a file of our choosing.
    pty.send("7");
    pty.wait_for("precre export decisions");
    pty.send("p");
    pty.send("\x15"); // ctrl-u clears the prefilled path
    pty.send(&format!("{}\r", out.display()));
    pty.send("e");
    pty.wait_for("3 rows written");
    pty.send("q");
    let status = pty.wait_exit("precre did not quit");
    assert!(status.success());

    let from_screen = std::fs::read_to_string(&out).unwrap();
    let csv_out = dir.path().join("d.csv");
    let cli = common::precre_clean()
        .args(["--db", db_s, "export", "decisions", "--out"])
        .arg(&csv_out)
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let text = std::fs::read_to_string(&csv_out).unwrap();
    assert_eq!(text, from_screen);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    let decisions: Vec<&str> = rows.iter().map(|r| &r[col("decision")]).collect();
    assert_eq!(decisions, ["decline", "refer", "decline"]);
    for r in &rows {
        assert_eq!(&r[col("analyst")], "e2e-analyst");
        assert_eq!(&r[col("model_id")], "e29a0fc0c5b56756");
    }
    assert!(!rows[0][col("reasons")].is_empty());
    assert!(!rows[2][col("reasons")].is_empty());
    assert_eq!(&rows[0][col("note")], "liquidity too thin");
    assert_eq!(&rows[1][col("note")], "second opinion");
}

#[test]
fn no_color_and_a_resize_storm_leave_a_working_screen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nc.db");
    let mut pty = Pty::spawn(
        &["--db", db.to_str().unwrap(), "--analyst", "nc", "--demo"],
        &[("NO_COLOR", "1")],
    );
    pty.wait_for("2,400 firms");
    // Resize to 40x10, 1x1 and back, many times: never a panic, then the screen draws again.
    let fd = std::os::fd::AsRawFd::as_raw_fd(&pty.master);
    for (r, c) in [(10u16, 40u16), (1, 1), (24, 80), (10, 40), (30, 100)]
        .iter()
        .cycle()
        .take(25)
    {
        let size = libc::winsize {
            ws_row: *r,
            ws_col: *c,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ on our own pty master with a valid struct.
        unsafe { libc::ioctl(fd, libc::TIOCSWINSZ, &size) };
        pty.screen.lock().unwrap().set_size(nz(*r), nz(*c));
        std::thread::sleep(Duration::from_millis(20));
    }
    pty.send("2");
    pty.wait_for("2,400 firms");
    assert!(
        pty.child.try_wait().unwrap().is_none(),
        "precre is still running"
    );
    // No colour was sent: no SGR colour codes 30-37/90-97/38;5 in what the screen holds.
    let text = pty.screen.lock().unwrap().screen().contents_formatted();
    assert!(
        !text.contains("38;5;") && !text.contains("\x1b[31m"),
        "colour sent under NO_COLOR"
    );
    pty.send("q");
}

#[test]
fn a_hang_up_in_the_middle_of_triage_keeps_the_decision_taken() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hup.db");
    let db_s = db.to_str().unwrap();
    let mut pty = Pty::spawn(&["--db", db_s, "--analyst", "hup", "--demo"], &[]);
    pty.wait_for("2,400 firms");
    pty.send("6");
    pty.wait_for("0 of 48 decided");
    pty.send("r");
    pty.wait_for("Refer APP-");
    pty.send("\ttaken before the line dropped\r");
    pty.wait_for("0 of 48 decided · 1 referred");
    // A second decision half typed when the SSH connection drops.
    pty.send("r");
    pty.wait_for("Refer APP-");
    pty.send("never finished");
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(pty.child.id() as i32, libc::SIGHUP) };
    // It ends as a hang-up ends a program, also where this test's parent ignores SIGHUP
    // (`nohup cargo test`): the workbench handles the signal itself.
    let status = pty.wait_exit("precre ignored SIGHUP");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGHUP),
        "{status:?}"
    );
    // The terminal was restored first: out of raw mode, off the alternate screen, the cursor
    // shown again.
    let mut modes: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr on our own pty master (Linux answers with the terminal's modes) into a
    // termios we own.
    let rc = unsafe { libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&pty.master), &mut modes) };
    assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
    assert_ne!(modes.c_lflag & libc::ICANON, 0, "left in raw mode");
    assert_ne!(modes.c_lflag & libc::ECHO, 0, "left without echo");
    pty.wait_until("the alternate screen left and the cursor shown", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
    let store = precre::store::Store::open(&db).unwrap();
    assert!(store.check().unwrap().ok());
    let rows = store.decisions().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "the saved decision is there; the unfinished one is not"
    );
    assert_eq!(
        rows[0].note.as_deref(),
        Some("taken before the line dropped")
    );
    drop(store);
    // The next start shows it: 47 still waiting, and the portfolio counts one decided here.
    let mut again = Pty::spawn(&["--db", db_s, "--analyst", "hup"], &[]);
    again.wait_for("1 decided here");
    again.send("6");
    again.wait_for("47 pending");
    again.send("q");
}

#[test]
fn a_terminal_closed_under_the_workbench_ends_it_instead_of_spinning() {
    // tmux kill-server, a closed terminal window, sshd dropping the line: the terminal's master
    // end closes; the workbench reads end-of-file on its input and must end, not spin reading
    // nothing forever.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gone.db");
    let mut pty = Pty::spawn(&["--db", db.to_str().unwrap(), "--demo"], &[]);
    pty.wait_for("2,400 firms");
    pty.send("6");
    pty.wait_for("0 of 48 decided");
    pty.close_terminal();
    pty.wait_exit("precre kept running after its terminal closed");
}
