//! Helpers shared by the integration tests: running the binary in a clean environment, loading
//! a shared data set as feature rows, and the hang guard (a watchdog, not a time limit).

use precre::analysis::Matrix;
use precre::ingest::{import_file, FeatureOptions, ImportOptions, Kind};
use precre::store::features::FeatureRow;
use precre::store::Store;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The path of a data set under ../shared/datasets, or `None` (with a message) where it is absent.
pub fn shared_dataset(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (the shared data sets are not beside this clone)",
            path.display()
        );
        None
    }
}

/// Runs precre on the store `db` in a clean environment: exit code, standard output and error.
pub fn run(db: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = precre(db).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rows of a data set under ../shared/datasets, or `None` (with a message) where it is absent.
pub fn dataset_rows(rel: &str, id: Option<&str>, label: &str) -> Option<Vec<FeatureRow>> {
    let path = shared_dataset(rel)?;
    let mut store = Store::open_in_memory().unwrap();
    let mut o = ImportOptions::new(Kind::Features);
    o.features = FeatureOptions {
        id_column: id.map(Into::into),
        label_column: Some(label.into()),
        name: Some("x".into()),
        replace: false,
    };
    import_file(&mut store, &path, &o).unwrap();
    Some(store.feature_rows("x").unwrap())
}

pub fn matrix(rows: &[&FeatureRow]) -> Matrix {
    let v: Vec<Vec<f64>> = rows.iter().map(|r| r.values.clone()).collect();
    Matrix::from_rows(&v)
}

/// The training row ids of the reference protocol's Polish 1year split (tools/polish_reference_split.py).
pub fn polish_train_ids() -> HashSet<String> {
    include_str!("../fixtures/polish1_train_ids.txt")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Iris as a matrix and class indexes (setosa 0, versicolor 1, virginica 2).
pub fn iris() -> Option<(Matrix, Vec<usize>)> {
    let rows = dataset_rows("iris/iris.csv", None, "species")?;
    let y = rows
        .iter()
        .map(|r| {
            ["setosa", "versicolor", "virginica"]
                .iter()
                .position(|c| Some(*c) == r.label.as_deref())
                .unwrap_or(0)
        })
        .collect();
    Some((matrix(&rows.iter().collect::<Vec<_>>()), y))
}

/// The precre binary with every `PRECRE_*` variable of the test's environment cleared (a
/// developer's PRECRE_DB, PRECRE_ANALYST, PRECRE_THEME or PRECRE_CONFIG must not reach a test)
/// and no store chosen.
pub fn precre_clean() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_precre"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PRECRE_") {
            c.env_remove(&name);
        }
    }
    c
}

/// The precre binary on the store `db`, in a clean environment (see [`precre_clean`]).
pub fn precre(db: &Path) -> std::process::Command {
    let mut c = precre_clean();
    c.arg("--db").arg(db);
    c
}

/// The same as an `assert_cmd` command, for tests that assert on its output.
pub fn precre_assert(db: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(precre(db))
}

/// A hang guard: how long a test waits for something that normally takes seconds (a child to
/// finish, an answer, a screen) before it calls it a hang and fails. Far above any normal run on
/// a slow machine, so it is never a speed goal: the tests assert what happened, not how fast.
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `cmd` to its end with its output captured, as `Command::output` does, under the
/// [`HANG_GUARD`] watchdog: a child still running then is killed and the test fails.
pub fn output_or_hang(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes while waiting, so that a child with much to say never blocks on them.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hang guard: {cmd:?} was still running after {HANG_GUARD:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Runs `f` on a thread of its own and returns what it returns (its panic, if it panics),
/// under the [`HANG_GUARD`] watchdog: `f` not done by then fails the test, naming `what`.
pub fn within_hang_guard<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(HANG_GUARD) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread ended without a value or a panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("hang guard: {what} had not finished after {HANG_GUARD:?}")
        }
    }
}

/// Every statement of these firms with its ratios, in words (to compare two stores).
pub fn everything(store: &Store, ids: &[String]) -> Vec<String> {
    ids.iter()
        .flat_map(|id| store.firm_statements(id, None).unwrap())
        .map(|(s, r)| format!("{s:?} {r:?}"))
        .collect()
}

/// The firm ids of a generated portfolio's `firms.csv`.
pub fn firm_ids(data: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(data.join("firms.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}
