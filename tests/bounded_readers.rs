//! Hostile files that used to hurt: a JSON file of deeply nested brackets made the import abort
//! with a stack overflow (exit 134); a 30 MB cell was printed whole in the refusal. Now each is
//! a clear error naming the file and the limit, in a message of a few hundred bytes.

mod common;

use common::precre;

#[test]
fn deeply_nested_json_is_refused_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("deep.json");
    std::fs::write(&f, "[".repeat(200_000) + &"]".repeat(200_000)).unwrap();
    let out = precre(&dir.path().join("t.db"))
        .args(["import", f.to_str().unwrap(), "--kind", "firms"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("deep.json") && err.contains("nested deeper than 64"),
        "{err}"
    );
    // Brackets inside strings do not count.
    let ok = dir.path().join("ok.json");
    std::fs::write(
        &ok,
        format!(
            "[{{\"id\": \"A\", \"name\": \"{}\", \"sector\": \"retail\"}}]",
            "[".repeat(150)
        ),
    )
    .unwrap();
    let out = precre(&dir.path().join("t.db"))
        .args(["import", ok.to_str().unwrap(), "--kind", "firms"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_huge_cell_is_quoted_in_a_hundred_characters() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("firms.csv");
    std::fs::write(
        &f,
        format!("id,name,sector\nA,{},retail\n", "x".repeat(30_000_000)),
    )
    .unwrap();
    let out = precre(&dir.path().join("t.db"))
        .args(["import", f.to_str().unwrap(), "--kind", "firms"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.len() < 2_000, "{} bytes of message", err.len());
    // The reader refuses the cell by its size before any field sees it: the file, the line,
    // the column and the limit are named, the value is not repeated.
    assert!(err.contains("firms.csv") && err.contains("line 2"), "{err}");
    assert!(err.contains("column \"name\""), "{err}");
    assert!(
        err.contains("30,000,000 bytes") && err.contains("at most 1 MiB"),
        "{err}"
    );
    assert!(!err.contains("xxxxxxxxxx"), "{err}");
    // A long cell under the limit reaches the field's check and is quoted in 100 characters.
    std::fs::write(
        &f,
        format!("id,name,sector\nA,{},retail\n", "x".repeat(600_000)),
    )
    .unwrap();
    let out = precre(&dir.path().join("t.db"))
        .args(["import", f.to_str().unwrap(), "--kind", "firms"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.len() < 2_000, "{} bytes of message", err.len());
    assert!(err.contains("(600000 characters in all)"), "{err}");
    assert!(err.contains("column \"name\""), "{err}");
}
