//! A fast reader for the usual score request (a firm, its statements, `store`), in one pass
//! over the text with no serde machinery: serde_json took ~18 µs for a demo firm's 4.9 KB
//! body, twice what it takes only to scan it, and this was the largest part of a score's CPU.
//! It reads a strict subset of JSON and gives up (`None`) on anything else (an escape in a
//! string, a duplicate or unknown field, `factors`, a wrong type, a number out of range), so
//! that serde_json reads that body and names what is wrong: a request it reads gives what
//! serde_json gives (a property test checks it).

use super::api::{FirmIn, ItemsIn, ScoreRequest, StatementIn};
use crate::finance::ITEMS;
use crate::ops::score::PostedItems;

/// The request in `text`, or `None` when serde_json must read it.
pub fn score_request(text: &str) -> Option<ScoreRequest> {
    let mut c = Cursor { text, at: 0 };
    let mut firm = None;
    let mut statements = None;
    let mut store = None;
    c.object(|c, key| match key {
        "firm" => once(&mut firm, || c.firm()),
        "statements" => once(&mut statements, || c.statements()),
        "store" => once(&mut store, || c.boolean()),
        _ => None,
    })?;
    c.space();
    (c.at == text.len()).then_some(())?;
    Some(ScoreRequest {
        firm: firm?,
        statements: statements?,
        factors: None,
        store: store.unwrap_or(false),
    })
}

/// Fills `slot` with what `read` reads; gives up on a field seen before (serde_json refuses a
/// duplicate field) or one that cannot be read.
fn once<T>(slot: &mut Option<T>, read: impl FnOnce() -> Option<T>) -> Option<()> {
    slot.is_none().then_some(())?;
    *slot = Some(read()?);
    Some(())
}

/// 10^0 to 10^22: every one an exact f64.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Where the first `"`, `\` or control character of `bytes` is, eight bytes at a time.
fn special_byte(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `zero(v)` sets a byte's high bit where the byte is zero, the last term where it is below
    // 0x20; a borrow can also flag bytes above a true one, never below, so the lowest flagged
    // byte is the first special one (the text is read from its lowest byte).
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let v = u64::from_le_bytes(chunk.try_into().ok()?);
        let found = zero(v ^ (ONES * 0x22))
            | zero(v ^ (ONES * 0x5c))
            | (v.wrapping_sub(ONES * 0x20) & !v & HIGH);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    Some(at + rest)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// `literal` next (after white space), or nothing is consumed.
    fn literal(&mut self, literal: &str) -> bool {
        self.space();
        let found = self.text[self.at..].starts_with(literal);
        if found {
            self.at += literal.len();
        }
        found
    }

    /// `open` next; `Some(true)` when `close` follows at once (nothing inside).
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        self.space();
        let empty = self.peek()? == close;
        if empty {
            self.at += 1;
        }
        Some(empty)
    }

    /// After a member: `Some(true)` on a comma (another follows), `Some(false)` on `close`.
    fn another(&mut self, close: u8) -> Option<bool> {
        self.space();
        let more = match self.peek()? {
            b',' => true,
            b if b == close => false,
            _ => return None,
        };
        self.at += 1;
        Some(more)
    }

    /// An object's members, each value read by `member` (which gives up on a key it does not
    /// know or has seen).
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        if self.open(b'{', b'}')? {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            member(self, key)?;
            if !self.another(b'}')? {
                return Some(());
            }
        }
    }

    /// A string with no escape and no control character (valid UTF-8: the text is a `str`).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let len = special_byte(&self.bytes()[start..])?;
        (self.bytes()[start + len] == b'"').then_some(())?;
        self.at = start + len + 1;
        Some(&self.text[start..start + len])
    }

    fn optional_string(&mut self) -> Option<Option<String>> {
        if self.literal("null") {
            return Some(None);
        }
        Some(Some(self.string()?.to_string()))
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.literal("true") {
            Some(true)
        } else if self.literal("false") {
            Some(false)
        } else {
            None
        }
    }

    /// A number by JSON's grammar, and whether it is an integer (no fraction, no exponent).
    fn number_text(&mut self) -> Option<(&'a str, bool)> {
        self.space();
        let start = self.at;
        let digits = |c: &mut Self| {
            let from = c.at;
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                c.at += 1;
            }
            c.at > from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            digits(self).then_some(())?;
            integer = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            digits(self).then_some(())?;
            integer = false;
        }
        Some((&self.text[start..self.at], integer))
    }

    /// An amount: the nearest f64, as serde_json reads it with `float_roundtrip`; one out of
    /// range is left to serde_json to refuse. The usual amount (at most 19 digits, none past
    /// 2^53, no exponent) is read as it is scanned: its digits as an integer divided by a power
    /// of ten, both exact, so the one rounding of the division gives the nearest f64.
    fn amount(&mut self) -> Option<f64> {
        self.space();
        let b = self.bytes();
        let start = self.at;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        i += usize::from(negative);
        let mut digits: u64 = 0;
        let whole = i;
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            digits = digits.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            i += 1;
        }
        let whole_len = i - whole;
        let mut fraction_len = 0;
        let dot = b.get(i) == Some(&b'.');
        if dot {
            i += 1;
            let from = i;
            while let Some(&d @ b'0'..=b'9') = b.get(i) {
                digits = digits.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                i += 1;
            }
            fraction_len = i - from;
        }
        let plain =
            whole_len > 0 && !(whole_len > 1 && b[whole] == b'0') && (!dot || fraction_len > 0);
        let exact = plain
            && !matches!(b.get(i), Some(b'e' | b'E'))
            && whole_len + fraction_len <= 19
            && digits <= 1 << 53
            && fraction_len < POWERS_OF_TEN.len();
        if !exact {
            let (text, _) = self.number_text()?;
            let v: f64 = text.parse().ok()?;
            return v.is_finite().then_some(v);
        }
        self.at = i;
        // `295299.0`: the zeros that end a fraction change nothing, and a division is slow.
        while fraction_len > 0 && digits % 10 == 0 {
            digits /= 10;
            fraction_len -= 1;
        }
        let v = if fraction_len == 0 {
            digits as f64
        } else {
            digits as f64 / POWERS_OF_TEN[fraction_len]
        };
        Some(if negative { -v } else { v })
    }

    fn year(&mut self) -> Option<i32> {
        let (text, integer) = self.number_text()?;
        // serde_json reads `-0` as a float, which is no year.
        (integer && text != "-0").then_some(())?;
        text.parse().ok()
    }

    fn firm(&mut self) -> Option<FirmIn> {
        let (mut id, mut name, mut sector, mut region, mut size, mut founded) =
            (None, None, None, None, None, None);
        self.object(|c, key| {
            let slot = match key {
                "id" => &mut id,
                "name" => &mut name,
                "region" => &mut region,
                "size" => &mut size,
                "founded" => &mut founded,
                "sector" => return once(&mut sector, || Some(c.string()?.to_string())),
                _ => return None,
            };
            once(slot, || c.optional_string())
        })?;
        Some(FirmIn {
            id: id.flatten(),
            name: name.flatten(),
            sector: sector?,
            region: region.flatten(),
            size: size.flatten(),
            founded: founded.flatten(),
        })
    }

    fn statements(&mut self) -> Option<Vec<StatementIn>> {
        let mut out = Vec::with_capacity(12);
        // The items' order in the first statement: the next statements mostly list them in
        // the same order, so each name is checked where it is expected, not searched for.
        let mut order = Vec::with_capacity(ITEMS.len());
        if self.open(b'[', b']')? {
            return Some(out);
        }
        loop {
            out.push(self.statement(&mut order)?);
            if !self.another(b']')? {
                return Some(out);
            }
        }
    }

    fn statement(&mut self, order: &mut Vec<usize>) -> Option<StatementIn> {
        let mut fiscal_year = None;
        let mut items = None;
        self.object(|c, key| match key {
            "fiscal_year" => once(&mut fiscal_year, || c.year()),
            "items" => once(&mut items, || c.items(order)),
            _ => None,
        })?;
        Some(StatementIn {
            fiscal_year: fiscal_year?,
            items: ItemsIn(items?),
        })
    }

    /// `"name"` next (after white space): consumed if so.
    fn quoted(&mut self, name: &str) -> bool {
        self.space();
        let rest = &self.bytes()[self.at..];
        let n = name.len();
        let found = rest.len() > n + 1
            && rest[0] == b'"'
            && &rest[1..=n] == name.as_bytes()
            && rest[n + 1] == b'"';
        if found {
            self.at += n + 2;
        }
        found
    }

    /// A statement's items (a name given twice keeps its last amount); `order` is learnt
    /// from the first statement and tried first for the next ones.
    fn items(&mut self, order: &mut Vec<usize>) -> Option<PostedItems> {
        let mut items = PostedItems::default();
        let learn = order.is_empty();
        let mut last = usize::MAX;
        if self.open(b'{', b'}')? {
            return Some(items);
        }
        for position in 0.. {
            let expected = match order.get(position) {
                Some(&i) if !learn && self.quoted(ITEMS[i].id) => Some(i),
                _ => None,
            };
            last = match expected {
                Some(i) => {
                    self.eat(b':')?;
                    items.values[i] = Some(self.amount()?);
                    i
                }
                None => {
                    let name = self.string()?;
                    self.eat(b':')?;
                    let value = self.amount()?;
                    items.set_after(last, name, value)
                }
            };
            if learn && last < ITEMS.len() {
                order.push(last);
            }
            if !self.another(b'}')? {
                return Some(items);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    /// What serde_json reads from `text` (the reference), as text to compare.
    fn by_serde(text: &str) -> Option<String> {
        serde_json::from_str::<ScoreRequest>(text)
            .ok()
            .map(|r| format!("{r:?}"))
    }

    fn by_reader(text: &str) -> Option<String> {
        score_request(text).map(|r| format!("{r:?}"))
    }

    #[test]
    fn a_usual_body_is_read_as_serde_json_reads_it() {
        let text = r#"{"firm": {"id": "705-02-92569", "sector": "retail", "name": null},
            "statements": [{"fiscal_year": 2018, "items": {"total_assets": 149358.0, "cash": -0,
            "revenue": 1.5e3, "equity": 12345678901234567891, "payables": 0.1, "made_up": 2}},
            {"items": {}, "fiscal_year": 2019}], "store": true}"#;
        let read = score_request(text).expect("read");
        assert_eq!(read.firm.sector, "retail");
        assert!(read.store);
        assert_eq!(
            read.statements[0].items.0.unknown,
            vec!["made_up".to_string()]
        );
        assert_eq!(by_reader(text), by_serde(text));
    }

    #[test]
    fn what_it_does_not_read_is_left_to_serde_json() {
        for text in [
            r#"{"firm": {"sector": "re\u0074ail"}, "statements": []}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [], "factors": {"legal_score": 3}}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [], "extra": 1}"#,
            r#"{"firm": {"sector": "retail"}, "firm": {"sector": "retail"}, "statements": []}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2019.0, "items": {}}]}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2019, "items": {"cash": 1e400}}]}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2019, "items": {"cash": null}}]}"#,
            r#"{"firm": {"sector": null}, "statements": []}"#,
            r#"{"firm": {"sector": "retail"}}"#,
            r#"{"firm": {"sector": "retail"}, "statements": []} x"#,
            r#"{"firm": {"sector": "retail"}, "statements": [], }"#,
        ] {
            assert!(score_request(text).is_none(), "{text}");
        }
        // The body a client usually sends is read here.
        let plain = r#"{"firm": {"sector": "retail"}, "statements": []}"#;
        assert!(score_request(plain).is_some());
    }

    /// A number in one of JSON's forms, now and then one that is no amount.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => any::<f64>().prop_filter("finite", |v| v.is_finite()).prop_map(|v| format!("{v:?}")),
            2 => any::<i64>().prop_map(|v| v.to_string()),
            1 => any::<u64>().prop_map(|v| format!("{v}{v}")),
            2 => (any::<i32>(), -400i32..400).prop_map(|(m, e)| format!("{m}e{e}")),
            4 => (0u32..100_000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b:03}")),
            // Around the exact reading's bounds: 19 digits, 2^53.
            2 => (any::<u64>(), any::<u64>(), 0u32..20).prop_map(|(a, b, k)| {
                format!("-{}.{}", a % 10u64.pow(k), b % 10u64.pow(19 - k))
            }),
            1 => (any::<u64>(), any::<u64>()).prop_map(|(a, b)| format!("{a}.{b}")),
            1 => prop_oneof![Just("-0"), Just("-0.0"), Just("1E+2"), Just("0.5e-3")].prop_map(String::from),
            1 => prop_oneof![Just("01"), Just("1."), Just("NaN"), Just("\"5\""), Just("null")].prop_map(String::from),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => (0..crate::finance::ITEMS.len()).prop_map(|i| crate::finance::ITEMS[i].id.to_string()),
            1 => Just("unknown_item".to_string()),
            1 => Just("ca\\u0073h".to_string()),
        ]
    }

    fn statement() -> impl Strategy<Value = String> {
        (
            prop_oneof![8 => Just("2019".to_string()), 1 => number()],
            proptest::collection::vec((key(), number()), 0..4),
        )
            .prop_map(|(year, items)| {
                let items: Vec<String> = items
                    .iter()
                    .map(|(k, v)| format!("\"{k}\" : {v}"))
                    .collect();
                format!(
                    "{{\"fiscal_year\":{year},\n\"items\": {{{}}}}}",
                    items.join(",")
                )
            })
    }

    /// Statements that list the same items in the same order (as a client writes them),
    /// now and then one more or one fewer.
    fn same_order() -> impl Strategy<Value = Vec<String>> {
        (
            proptest::collection::vec(key(), 0..8),
            proptest::collection::vec((proptest::collection::vec(number(), 9), 0usize..10), 1..4),
        )
            .prop_map(|(keys, years)| {
                years
                    .into_iter()
                    .map(|(values, keep)| {
                        let items: Vec<String> = keys
                            .iter()
                            .zip(&values)
                            .take(keep.max(keys.len().saturating_sub(1)))
                            .map(|(k, v)| format!("\"{k}\":{v}"))
                            .collect();
                        format!(
                            "{{\"fiscal_year\": 2020, \"items\": {{{}}}}}",
                            items.join(", ")
                        )
                    })
                    .collect()
            })
    }

    fn body() -> impl Strategy<Value = String> {
        (
            prop_oneof![
                3 => Just(r#""sector": "retail""#),
                3 => Just(r#""id": "1", "sector": "retail", "founded": null"#),
                1 => Just(r#""sector": "retail", "size": 3"#),
            ],
            prop_oneof![proptest::collection::vec(statement(), 0..3), same_order()],
            prop_oneof![3 => Just(""), 3 => Just(r#", "store": false"#), 1 => Just(r#", "store": 1"#)],
        )
            .prop_map(|(firm, statements, store)| {
                format!(
                    "{{ \"firm\": {{{firm}}}, \"statements\": [{}]{store} }}",
                    statements.join(" , ")
                )
            })
    }

    #[test]
    fn most_generated_bodies_are_read_by_the_reader() {
        // Else the property below would check little.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let read = (0..1000)
            .filter(|_| {
                let text = body().new_tree(&mut runner).expect("body").current();
                score_request(&text).is_some()
            })
            .count();
        assert!(read > 300, "only {read} of 1000 read");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn special_bytes_are_found_as_a_byte_by_byte_scan_finds_them(
            bytes in proptest::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)
        ) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(special_byte(&bytes), naive);
        }

        /// Whatever the reader reads, serde_json reads the same; what serde_json reads from
        /// the usual form (no escapes, no wrong types), the reader reads too.
        #[test]
        fn the_reader_agrees_with_serde_json(text in body(), cut in 0usize..2000) {
            let reference = by_serde(&text);
            let read = by_reader(&text);
            if read.is_some() {
                prop_assert_eq!(&read, &reference);
            }
            if !text.contains('\\') && !text.contains("\"size\": 3") && reference.is_some() {
                prop_assert_eq!(&read, &reference);
            }
            // A body cut anywhere is never read as something serde_json would not read.
            let cut = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let short = &text[..cut];
            if let Some(r) = by_reader(short) {
                prop_assert_eq!(Some(r), by_serde(short));
            }
        }
    }
}
