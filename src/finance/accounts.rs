//! Account names of statement lines (Korean K-IFRS / K-GAAP, IFRS English, German, French)
//! matched to statement items, from the data table `accounts.toml`; names are normalised before
//! matching (NFC, case, numbering, spacing and punctuation).

use super::items::ITEMS;
use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// What an account name means to precre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// The line is this item (an index into `ITEMS`).
    Item(usize),
    /// A known line that is not an item: a sub-total, a heading or an account precre does not
    /// hold.
    NotUsed,
}

/// Roman numerals as Unicode has them (Ⅰ..Ⅻ, ⅰ..ⅻ) and circled numbers (① ..⑳).
fn is_numbering_symbol(c: char) -> bool {
    matches!(c, '\u{2160}'..='\u{217F}' | '\u{2460}'..='\u{2473}' | '\u{2474}'..='\u{2487}')
}

/// Takes numbering off the front of a line's name: "I.", "IV)", "1.", "(1)", "（1）", "가.",
/// "Ⅱ", "①", "A." (repeated: "Ⅰ. 1. 현금").
fn strip_numbering(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let before = t;
        let mut rest = t.trim_start_matches(is_numbering_symbol);
        if rest.len() == t.len() {
            // (1), （1）, [1]
            if let Some(inner) = t.strip_prefix(['(', '（', '[']) {
                let end = inner.find([')', '）', ']']);
                if let Some(end) = end {
                    let tag = &inner[..end];
                    if !tag.is_empty() && tag.chars().count() <= 4 && is_counter(tag) {
                        rest =
                            &inner[end + inner[end..].chars().next().map_or(1, char::len_utf8)..];
                    }
                }
            } else if let Some(k) = t.find(['.', ')']) {
                // 1. / IV. / 가. / a)
                let tag = &t[..k];
                if !tag.is_empty() && tag.chars().count() <= 4 && is_counter(tag) {
                    rest = &t[k + 1..];
                }
            }
        }
        let rest = rest.trim_start_matches(['.', ')', ' ', '\u{3000}']);
        if rest.len() == before.len() || rest.is_empty() {
            return if rest.is_empty() { before } else { rest };
        }
        s = rest;
    }
}

/// A counter of a numbered list: digits, a Roman numeral, one Latin letter or one Hangul
/// syllable.
fn is_counter(tag: &str) -> bool {
    let roman = tag
        .chars()
        .all(|c| matches!(c, 'I' | 'V' | 'X' | 'i' | 'v' | 'x'));
    let digits = tag.chars().all(|c| c.is_ascii_digit());
    let mut chars = tag.chars();
    let single = match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_ascii_alphabetic() || ('\u{AC00}'..='\u{D7A3}').contains(&c),
        _ => false,
    };
    roman || digits || single
}

/// An account name's normal form: NFC, numbering off the front, lower case, letters and
/// digits only.
pub fn normalize(name: &str) -> String {
    let nfc: String = name.nfc().collect();
    strip_numbering(&nfc)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The table of `accounts.toml` with the items' ids and aliases, by normal form.
fn table() -> &'static HashMap<String, Account> {
    static TABLE: OnceLock<HashMap<String, Account>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc: toml::Table = include_str!("accounts.toml")
            .parse()
            .expect("accounts.toml is valid TOML (checked by a test)");
        let mut map = HashMap::new();
        if let Some(names) = doc
            .get("not_used")
            .and_then(|t| t.get("names"))
            .and_then(|n| n.as_array())
        {
            for n in names.iter().filter_map(|n| n.as_str()) {
                map.insert(normalize(n), Account::NotUsed);
            }
        }
        let items = doc.get("items").and_then(|t| t.as_table());
        for (i, item) in ITEMS.iter().enumerate() {
            let listed = items
                .and_then(|t| t.get(item.id))
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str());
            let own = std::iter::once(item.id)
                .chain(std::iter::once(item.name))
                .chain(item.aliases.iter().copied());
            for n in listed.chain(own) {
                map.insert(normalize(n), Account::Item(i));
            }
        }
        map
    })
}

/// What the account name `name` is, or `None` for a name the table does not know.
pub fn lookup(name: &str) -> Option<Account> {
    table().get(&normalize(name)).copied()
}

/// Whether an unknown name reads as a sub-total ("...총계", "...합계", "Total ...", "Summe ...").
pub fn looks_like_subtotal(name: &str) -> bool {
    let n = normalize(name);
    ["총계", "합계", "소계"].iter().any(|s| n.ends_with(s))
        || [
            "total",
            "subtotal",
            "summe",
            "gesamt",
            "totaldes",
            "sous-total",
        ]
        .iter()
        .any(|s| n.starts_with(s))
}

/// The names of the table and the item each means (for the tests: no name means two things).
pub fn entries() -> Vec<(String, Vec<Account>)> {
    let doc: toml::Table = include_str!("accounts.toml")
        .parse()
        .expect("accounts.toml is valid TOML");
    let mut out: HashMap<String, Vec<Account>> = HashMap::new();
    if let Some(items) = doc.get("items").and_then(|t| t.as_table()) {
        for (id, names) in items {
            let i = ITEMS
                .iter()
                .position(|it| it.id == id)
                .unwrap_or(usize::MAX);
            for n in names
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
            {
                let e = out.entry(normalize(n)).or_default();
                if !e.contains(&Account::Item(i)) {
                    e.push(Account::Item(i));
                }
            }
        }
    }
    if let Some(names) = doc
        .get("not_used")
        .and_then(|t| t.get("names"))
        .and_then(|n| n.as_array())
    {
        for n in names.iter().filter_map(|v| v.as_str()) {
            let e = out.entry(normalize(n)).or_default();
            if !e.contains(&Account::NotUsed) {
                e.push(Account::NotUsed);
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::items::idx;

    #[test]
    fn korean_names_match_after_normalising() {
        assert_eq!(lookup("자산총계"), Some(Account::Item(idx::TOTAL_ASSETS)));
        assert_eq!(lookup("Ⅰ. 매출액"), Some(Account::Item(idx::REVENUE)));
        assert_eq!(
            lookup("(1) 현금 및 현금성 자산"),
            Some(Account::Item(idx::CASH))
        );
        assert_eq!(
            lookup("  1. 재고자산"),
            Some(Account::Item(idx::INVENTORIES))
        );
        assert_eq!(
            lookup("가. 매출채권"),
            Some(Account::Item(idx::RECEIVABLES))
        );
        assert_eq!(
            lookup("IV. 영업이익(손실)"),
            Some(Account::Item(idx::OPERATING_PROFIT))
        );
        assert_eq!(lookup("고정자산"), Some(Account::Item(idx::FIXED_ASSETS)));
        // Decomposed Hangul (NFD, as some systems write it) is the same name.
        let nfd: String = "당기순이익".nfd().collect();
        assert_ne!(nfd, "당기순이익");
        assert_eq!(lookup(&nfd), Some(Account::Item(idx::NET_INCOME)));
        assert_eq!(lookup("유동자산"), Some(Account::NotUsed));
        assert_eq!(lookup("Inventories"), Some(Account::Item(idx::INVENTORIES)));
        assert_eq!(lookup("Umsatzerlöse"), Some(Account::Item(idx::REVENUE)));
        assert_eq!(
            lookup("Chiffre d'affaires"),
            Some(Account::Item(idx::REVENUE))
        );
        assert_eq!(lookup("영업권"), None);
        assert!(looks_like_subtotal("기타자산 합계"));
    }

    #[test]
    fn every_item_has_names_and_no_name_means_two_things() {
        let entries = entries();
        for (i, item) in ITEMS.iter().enumerate() {
            assert!(
                entries.iter().any(|(_, a)| a.contains(&Account::Item(i))),
                "{} has no account name",
                item.id
            );
        }
        let clashes: Vec<&(String, Vec<Account>)> =
            entries.iter().filter(|(_, a)| a.len() > 1).collect();
        assert!(clashes.is_empty(), "{clashes:?}");
        assert!(entries
            .iter()
            .all(|(_, a)| !a.contains(&Account::Item(usize::MAX))));
    }
}
