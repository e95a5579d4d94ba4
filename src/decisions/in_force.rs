//! Which decision is in force on an application, from its log: the newest decision that no undo
//! cancelled. An undo cancels the decision it supersedes, so what that decision had replaced (a
//! referral taken up, a decision overridden) is in force again, as it was before.

use super::DecisionRecord;

/// The decision in force among one application's log rows (any order): `None` when every
/// decision was undone (the application is pending).
pub fn in_force(rows: &[DecisionRecord]) -> Option<&DecisionRecord> {
    let mut newest_first: Vec<&DecisionRecord> = rows.iter().collect();
    newest_first.sort_by_key(|d| std::cmp::Reverse(d.id));
    let mut cancelled = std::collections::HashSet::new();
    for row in newest_first {
        if row.decision == "undo" {
            if let Some(undone) = row.supersedes {
                cancelled.insert(undone);
            }
            continue;
        }
        if !cancelled.contains(&row.id) {
            return Some(row);
        }
    }
    None
}

/// The status a decision in force leaves its application in (`None`: pending).
pub fn status_of(in_force: Option<&DecisionRecord>) -> &'static str {
    in_force.map_or("pending", |d| status_for(&d.decision))
}

/// The status a decision leaves its application in (an undo, or anything else: pending).
pub fn status_for(decision: &str) -> &'static str {
    match decision {
        "approve" => "approved",
        "decline" => "declined",
        "refer" => "referred",
        _ => "pending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, decision: &str, supersedes: Option<i64>) -> DecisionRecord {
        DecisionRecord {
            id,
            application_id: "A".into(),
            decision: decision.into(),
            supersedes,
            ..DecisionRecord::default()
        }
    }

    fn in_force_id(rows: &[DecisionRecord]) -> Option<i64> {
        in_force(rows).map(|d| d.id)
    }

    #[test]
    fn an_undo_brings_back_what_the_undone_decision_replaced() {
        // Nothing, then one decision, then its undo.
        assert_eq!(in_force_id(&[]), None);
        let approve = [row(1, "approve", None)];
        assert_eq!(in_force_id(&approve), Some(1));
        let undone = [row(1, "approve", None), row(2, "undo", Some(1))];
        assert_eq!(in_force_id(&undone), None);
        assert_eq!(status_of(in_force(&undone)), "pending");
        // A referral taken up, then the approval undone: the referral stands again.
        let taken_up = [
            row(1, "refer", None),
            row(2, "approve", Some(1)),
            row(3, "undo", Some(2)),
        ];
        assert_eq!(in_force_id(&taken_up), Some(1));
        assert_eq!(status_of(in_force(&taken_up)), "referred");
        // An override undone: the decision it overrode stands again; undone too: pending.
        let mut log = vec![
            row(1, "approve", None),
            row(2, "decline", Some(1)),
            row(3, "undo", Some(2)),
        ];
        assert_eq!(in_force_id(&log), Some(1));
        log.push(row(4, "undo", Some(1)));
        assert_eq!(in_force_id(&log), None);
        // A new decision after an undo is in force, whatever the order the rows come in.
        log.push(row(5, "decline", None));
        log.reverse();
        assert_eq!(in_force_id(&log), Some(5));
        assert_eq!(status_of(in_force(&log)), "declined");
    }
}
