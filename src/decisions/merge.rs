//! The rules of bringing a field kit back to the store it was taken out of: what happens to a
//! register row (a firm, a statement, a firm's business factors) and to the decisions on an
//! application, given what each side did. Nothing here knows a store: the store hands in hashes
//! and counts, and writes what these rules say.
//!
//! The principle: whatever changed on both sides is a conflict, kept whole and shown; nothing is
//! ever settled by the order in which kits arrive.

use serde::Serialize;

/// What a register row of a kit becomes on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowMerge {
    /// The kit did not change it (it is as it was taken out): the server's row stands.
    Unchanged,
    /// The server has no such row: the kit's is added.
    New,
    /// Both sides hold the same content: nothing to do.
    Same,
    /// Only the kit changed it: the kit's content replaces the server's.
    TakeKit,
    /// Both sides changed it, differently: a conflict, the server's row stands until resolved.
    Conflict,
}

/// Three-way rule for one row, by content hashes: `base` as the kit took it out (`None`: the
/// kit added it), `server` as the server holds it now (`None`: not there), `kit` as the kit
/// holds it now.
pub fn merge_row(base: Option<&str>, server: Option<&str>, kit: &str) -> RowMerge {
    match server {
        Some(s) if s == kit => RowMerge::Same,
        _ if base == Some(kit) => RowMerge::Unchanged,
        None => RowMerge::New,
        Some(s) if Some(s) == base => RowMerge::TakeKit,
        Some(_) => RowMerge::Conflict,
    }
}

/// What the decisions of a kit on one application become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionMerge {
    /// Every decision of the kit on it is on the server already (an earlier merge).
    AlreadyMerged,
    /// Only the kit decided it since it was taken out: its decisions are added and the
    /// application takes the state they leave.
    Apply,
    /// It was also decided elsewhere since it was taken out (on the server after a revoke, or
    /// in another copy of the kit): the kit's decisions are added, kept whole beside the
    /// others, and the application is in conflict until someone resolves it.
    Conflict,
}

/// The rule for one application: `new_from_kit` decisions of the kit not yet on the server,
/// and whether decisions made elsewhere since the kit was taken out exist.
pub fn merge_decisions(new_from_kit: usize, decided_elsewhere: bool) -> DecisionMerge {
    match (new_from_kit, decided_elsewhere) {
        (0, _) => DecisionMerge::AlreadyMerged,
        (_, false) => DecisionMerge::Apply,
        (_, true) => DecisionMerge::Conflict,
    }
}

/// What a conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    Decision,
    Firm,
    Statement,
    Factors,
}

impl ConflictKind {
    pub const ALL: [ConflictKind; 4] = [
        ConflictKind::Decision,
        ConflictKind::Firm,
        ConflictKind::Statement,
        ConflictKind::Factors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Decision => "decision",
            ConflictKind::Firm => "firm",
            ConflictKind::Statement => "statement",
            ConflictKind::Factors => "factors",
        }
    }

    pub fn parse(s: &str) -> Option<ConflictKind> {
        ConflictKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which version of a conflict stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Server,
    Kit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Kit => "kit",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "server" => Some(Side::Server),
            "kit" => Some(Side::Kit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_the_kit_left_alone_keeps_the_server_version() {
        assert_eq!(merge_row(Some("a"), Some("b"), "a"), RowMerge::Unchanged);
        assert_eq!(merge_row(Some("a"), Some("a"), "a"), RowMerge::Same);
    }

    #[test]
    fn a_row_changed_only_in_the_kit_is_taken() {
        assert_eq!(merge_row(Some("a"), Some("a"), "k"), RowMerge::TakeKit);
    }

    #[test]
    fn a_row_changed_on_both_sides_is_a_conflict_unless_equal() {
        assert_eq!(merge_row(Some("a"), Some("s"), "k"), RowMerge::Conflict);
        assert_eq!(merge_row(Some("a"), Some("k"), "k"), RowMerge::Same);
        // Added on both sides with different content: a conflict too.
        assert_eq!(merge_row(None, Some("s"), "k"), RowMerge::Conflict);
        assert_eq!(merge_row(None, None, "k"), RowMerge::New);
    }

    #[test]
    fn decisions_conflict_only_when_both_sides_decided() {
        assert_eq!(merge_decisions(0, true), DecisionMerge::AlreadyMerged);
        assert_eq!(merge_decisions(2, false), DecisionMerge::Apply);
        assert_eq!(merge_decisions(1, true), DecisionMerge::Conflict);
    }

    #[test]
    fn kinds_and_sides_read_back() {
        for k in ConflictKind::ALL {
            assert_eq!(ConflictKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Side::parse("kit"), Some(Side::Kit));
        assert_eq!(Side::parse("both"), None);
    }
}
