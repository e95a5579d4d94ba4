//! A full disk (issue 15, item 3): an import, a training run and a decision that meet a full
//! disk fail with a message that says so and leave the store as it was; once space is freed,
//! the same actions work. The store lives on a small tmpfs mounted for the test (root, or a
//! user namespace, is needed; where neither is possible the test says SKIPPED and passes).

use crate::common;

use common::run;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `mb` MiB mounted on a fresh folder, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    mnt: PathBuf,
}

impl Tmpfs {
    fn mount(mb: usize) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let mnt = dir.path().join("mnt");
        std::fs::create_dir(&mnt).ok()?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(&mnt)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { _dir: dir, mnt }),
            Ok(o) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs here ({}); run as root to test a full disk",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount ({e}); run as root to test a full disk");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mnt).status();
    }
}

/// Fills the file system holding `dir` with a file until a write fails for want of space.
fn fill(dir: &Path) -> PathBuf {
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).unwrap();
    let block = vec![7u8; 64 << 10];
    loop {
        match f.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
                break;
            }
        }
    }
    // Byte by byte to the last one: nothing is left.
    while f.write(&[7u8]).is_ok_and(|n| n == 1) {}
    p
}

/// The row counts `precre check` prints, and that it passes.
fn counts(db: &Path) -> Vec<String> {
    let (code, out, err) = run(db, &["check"]);
    assert_eq!(code, Some(0), "check after a full disk:\n{out}{err}");
    out.lines()
        .filter(|l| l.trim_end().ends_with(" rows") && !l.contains("api_requests"))
        .map(str::to_string)
        .collect()
}

fn assert_disk_full(what: &str, code: Option<i32>, err: &str) {
    assert_eq!(code, Some(1), "{what} on a full disk:\n{err}");
    assert!(
        err.contains("disk holding the store is full") && err.contains("free some space"),
        "{what} on a full disk:\n{err}"
    );
    assert!(err.len() < 2_000, "{what}: {} bytes of message", err.len());
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_full_disk_fails_cleanly_and_the_next_run_works() {
    let Some(fs) = Tmpfs::mount(64) else { return };
    let db = fs.mnt.join("s.db");
    let (code, _, err) = run(&db, &["demo"]);
    assert_eq!(code, Some(0), "{err}");
    let before = counts(&db);
    assert!(
        before.iter().any(|l| l.contains("firms: 2400 rows")),
        "{before:?}"
    );

    // A bigger portfolio's statements, kept off the small disk.
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        &db,
        &[
            "demo",
            "generate",
            "--firms",
            "6000",
            "--out",
            data.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let statements = data.path().join("statements.csv");

    // 1. An import.
    let import = [
        "import",
        statements.to_str().unwrap(),
        "--kind",
        "statements",
        "--create-firms",
    ];
    let filler = fill(&fs.mnt);
    let (code, _, err) = run(&db, &import);
    assert_disk_full("an import", code, &err);
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(counts(&db), before, "the failed import changed the store");

    // 2. A training run that saves a new model (not the demo's default, which is stored).
    let train = [
        "train",
        "--max-depth",
        "3",
        "--seed",
        "7",
        "--save",
        "full-disk",
    ];
    let filler = fill(&fs.mnt);
    let (code, _, err) = run(&db, &train);
    assert_disk_full("a training run", code, &err);
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(
        counts(&db),
        before,
        "the failed training run changed the store"
    );

    // 3. A decision.
    let (_, out, _) = run(&db, &["queue", "--format", "json"]);
    let queue: serde_json::Value = serde_json::from_str(&out).unwrap();
    let app = queue["applications"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    let filler = fill(&fs.mnt);
    let (code, _, err) = run(&db, &["decide", &app, "--refer", "--note", "disk full"]);
    assert_disk_full("a decision", code, &err);
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(counts(&db), before, "the failed decision changed the store");

    // With space again, each works.
    let (code, _, err) = run(&db, &["decide", &app, "--refer", "--note", "space again"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&db, &train);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&db, &import);
    assert_eq!(code, Some(0), "{err}");
    let after = counts(&db);
    assert_ne!(after, before);
}
