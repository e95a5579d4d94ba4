//! Several analysts on one store: `precre decide` processes racing over the same queue leave
//! exactly one decision per application; every other attempt is refused with who decided and
//! when; an explicit override is logged as a new row that supersedes the first.

use crate::common;

use common::precre;

#[test]
fn racing_analysts_decide_each_application_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    assert!(precre(&db).arg("demo").output().unwrap().status.success());
    let store = precre::store::Store::open(&db).unwrap();
    let queue: Vec<String> = store
        .pending_queue()
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    drop(store);
    assert_eq!(queue.len(), 48);
    // Three analysts work through the whole queue at once, each in its own order.
    let analysts = ["ana", "ben", "chloe"];
    let handles: Vec<_> = analysts
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let db = db.clone();
            let mut order = queue.clone();
            order.rotate_left(k * 16);
            let name = name.to_string();
            std::thread::spawn(move || {
                let mut won = 0;
                let mut refused = Vec::new();
                for app in order {
                    let out = precre(&db)
                        .args([
                            "decide",
                            &app,
                            "--refer",
                            "--analyst",
                            &name,
                            "--note",
                            "race",
                        ])
                        .output()
                        .unwrap();
                    if out.status.success() {
                        won += 1;
                    } else {
                        refused.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                (won, refused)
            })
        })
        .collect();
    let mut total_won = 0;
    for h in handles {
        let (won, refused) = h.join().unwrap();
        total_won += won;
        for msg in refused {
            assert!(
                msg.contains("already decided by") && msg.contains(" at 20"),
                "a refusal names who and when: {msg}"
            );
        }
    }
    assert_eq!(total_won, 48, "every application decided exactly once");
    let store = precre::store::Store::open(&db).unwrap();
    let rows = store.decisions().unwrap();
    assert_eq!(rows.len(), 48);
    let mut ids: Vec<&str> = rows.iter().map(|d| d.application_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 48, "no application decided twice");
    assert!(store.pending_queue().unwrap().is_empty());
    assert!(store.check().unwrap().ok());

    // An explicit override needs a reason, and is logged as a new row superseding the first.
    let first = &rows[0];
    let out = precre(&db)
        .args([
            "decide",
            &first.application_id,
            "--refer",
            "--replace",
            "--analyst",
            "dan",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("override reason"));
    let out = precre(&db)
        .args([
            "decide",
            &first.application_id,
            "--refer",
            "--replace",
            "--override-reason",
            "new collateral",
            "--analyst",
            "dan",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = store.decisions().unwrap();
    assert_eq!(rows.len(), 49);
    assert_eq!(rows[48].supersedes, Some(first.id));
    assert_eq!(rows[48].override_reason.as_deref(), Some("new collateral"));
    assert!(store.check().unwrap().ok());
    let out = precre(&db).arg("check").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("the store is consistent"));
}
