//! Numbers as local software writes them: the decimal mark and thousands separator of a file
//! (named, or detected from its cells where that is unambiguous), currency symbols, negatives in
//! parentheses and percent signs.

use serde::Serialize;

/// How a file writes its numbers: the decimal mark and the thousands separator (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NumberFormat {
    pub decimal: char,
    pub thousands: Option<char>,
}

impl Default for NumberFormat {
    /// `1234.5`, and `1,234,567.5` with thousands commas (what the importer always read).
    fn default() -> Self {
        NumberFormat {
            decimal: '.',
            thousands: Some(','),
        }
    }
}

impl std::fmt::Display for NumberFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sep = match self.thousands {
            None => "none".to_string(),
            Some(' ') => "space".to_string(),
            Some('\'') => "apostrophe".to_string(),
            Some(c) => format!("'{c}'"),
        };
        write!(
            f,
            "decimal mark '{}', thousands separator {sep}",
            self.decimal
        )
    }
}

/// The thousands separators a file may use (a no-break space counts as a space).
pub const THOUSANDS: &[char] = &[' ', '.', ',', '\''];

/// Currency signs stripped from an amount (three-letter codes are stripped too).
const CURRENCY_SIGNS: &[char] = &[
    '$', '€', '£', '¥', '₩', '₹', '₽', '₺', '₴', '₪', '₫', '฿', '₱', '₦', '￦', '원',
];

/// What a number's text says apart from its digits: its sign, percent, and the bare digits
/// with their separators.
struct Stripped<'a> {
    negative: bool,
    percent: bool,
    body: &'a str,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}'
}

/// Takes away currency signs and codes, parentheses, sign and percent.
fn strip(s: &str) -> Option<Stripped<'_>> {
    let mut t = s.trim_matches(is_space);
    let mut negative = false;
    let mut percent = false;
    for _ in 0..4 {
        let before = t;
        if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            if negative {
                return None;
            }
            negative = true;
            t = inner;
        }
        if let Some(x) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
            if negative {
                return None;
            }
            negative = true;
            t = x;
        } else if let Some(x) = t.strip_prefix('+') {
            t = x;
        }
        if let Some(x) = t.strip_suffix('%') {
            if percent {
                return None;
            }
            percent = true;
            t = x;
        }
        t = t.trim_start_matches(CURRENCY_SIGNS);
        t = t.trim_end_matches(CURRENCY_SIGNS);
        t = strip_code(t);
        t = t.trim_matches(is_space);
        if t == before {
            break;
        }
    }
    let ok = !t.is_empty()
        && t.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '\'') || is_space(c));
    ok.then_some(Stripped {
        negative,
        percent,
        body: t,
    })
}

/// Takes a leading or trailing three-letter currency code (`EUR 12`, `12 KRW`) away.
fn strip_code(t: &str) -> &str {
    let code = |s: &str| s.len() == 3 && s.chars().all(|c| c.is_ascii_uppercase());
    if let Some((head, rest)) = t.split_once(is_space) {
        if code(head) {
            return rest;
        }
    }
    if let Some((rest, tail)) = t.rsplit_once(is_space) {
        if code(tail) {
            return rest;
        }
    }
    if t.len() > 3 && t.is_char_boundary(3) && code(&t[..3]) {
        return &t[3..];
    }
    t
}

/// Parses `s` as `fmt` writes numbers; `None` when it is not such a number. A plain number in
/// exponent form (`-3e4`) is read whatever the format.
pub fn parse(s: &str, fmt: NumberFormat) -> Option<f64> {
    let t = s.trim();
    if fmt.decimal == '.' {
        if let Ok(x) = t.parse::<f64>() {
            return x.is_finite().then_some(x);
        }
    }
    let st = strip(t)?;
    let mut plain = String::with_capacity(st.body.len());
    let mut groups: Vec<usize> = Vec::new();
    let mut run = 0usize;
    let mut seen_decimal = false;
    let mut decimals = 0usize;
    for c in st.body.chars() {
        if c.is_ascii_digit() {
            plain.push(c);
            if seen_decimal {
                decimals += 1;
            } else {
                run += 1;
            }
        } else if c == fmt.decimal && !seen_decimal {
            seen_decimal = true;
            groups.push(run);
            plain.push('.');
        } else if Some(c) == fmt.thousands || (is_space(c) && fmt.thousands == Some(' ')) {
            if seen_decimal {
                return None;
            }
            groups.push(run);
            run = 0;
        } else {
            return None;
        }
    }
    if !seen_decimal {
        groups.push(run);
    }
    // Separators must cut the integer part into groups of three after a first of one to three.
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0]);
        if !first_ok || groups[1..].iter().any(|&g| g != 3) {
            return None;
        }
    }
    if plain.starts_with('.') || (seen_decimal && decimals == 0) {
        return None;
    }
    let mut x: f64 = plain.parse().ok()?;
    if st.negative {
        x = -x;
    }
    if st.percent {
        x /= 100.0;
    }
    x.is_finite().then_some(x)
}

/// What one cell's text says about the decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    /// No separator at all (or nothing numeric).
    None,
    /// The decimal mark is this character (and the other separator, if any, groups thousands).
    Decimal(char, Option<char>),
    /// Only thousands grouping by this character (no decimal part).
    Grouping(char),
    /// One `.` or `,` followed by exactly three digits: either a decimal or a thousands mark.
    Ambiguous(char),
}

fn hint(s: &str) -> Hint {
    let Some(st) = strip(s.trim()) else {
        return Hint::None;
    };
    let seps: Vec<(usize, char)> = st
        .body
        .char_indices()
        .filter(|(_, c)| !c.is_ascii_digit())
        .map(|(i, c)| (i, if is_space(c) { ' ' } else { c }))
        .collect();
    let Some(&(last_i, last)) = seps.last() else {
        return Hint::None;
    };
    let distinct: Vec<char> = {
        let mut d: Vec<char> = seps.iter().map(|s| s.1).collect();
        d.dedup();
        d.sort_unstable();
        d.dedup();
        d
    };
    let after = st.body[last_i + last.len_utf8()..].len();
    if distinct.len() >= 2 {
        // `1.234,5`: the last mark is the decimal, the other groups.
        let other = seps.iter().map(|s| s.1).find(|&c| c != last);
        return if matches!(last, '.' | ',') {
            Hint::Decimal(last, other)
        } else {
            Hint::Grouping(last)
        };
    }
    let count = seps.len();
    match last {
        ' ' | '\'' => Hint::Grouping(last),
        _ if count > 1 => Hint::Grouping(last),
        // `0,125` or `12,5`: grouping never leaves a leading zero or fewer than three digits.
        _ if after != 3 || st.body.starts_with("0") => Hint::Decimal(last, None),
        _ => Hint::Ambiguous(last),
    }
}

/// The result of looking at a file's numeric cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Detected {
    /// The cells fit one format (possibly the default, when they say nothing).
    Format { format: NumberFormat, said: bool },
    /// The cells could be read two ways; `example` is one that is.
    Ambiguous { example: String },
    /// Cells disagree: `first` reads with one decimal mark, `second` with the other.
    Conflict { first: String, second: String },
}

/// Detects the number format from numeric text cells, given what the user named (either may be
/// named; a named one is kept). Detection says what it found in `said` when the cells decided.
pub fn detect<'a>(
    cells: impl Iterator<Item = &'a str>,
    decimal: Option<char>,
    thousands: Option<Option<char>>,
) -> Detected {
    let mut decimal_seen: Option<(char, String)> = None;
    let mut grouping_seen: Option<char> = None;
    let mut ambiguous: Option<String> = None;
    for s in cells {
        match hint(s) {
            Hint::None => {}
            Hint::Decimal(d, g) => {
                if let Some((prev, ex)) = &decimal_seen {
                    if *prev != d {
                        return Detected::Conflict {
                            first: ex.clone(),
                            second: s.to_string(),
                        };
                    }
                } else {
                    decimal_seen = Some((d, s.to_string()));
                }
                if let Some(g) = g {
                    grouping_seen.get_or_insert(g);
                }
            }
            Hint::Grouping(g) => {
                grouping_seen.get_or_insert(g);
            }
            Hint::Ambiguous(_) => {
                ambiguous.get_or_insert_with(|| s.to_string());
            }
        }
    }
    // Grouping by `.` means a decimal comma, by `,` a decimal point.
    let from_grouping = match grouping_seen {
        Some('.') => Some(','),
        Some(',') => Some('.'),
        _ => None,
    };
    let dec = decimal
        .or(decimal_seen.as_ref().map(|d| d.0))
        .or(from_grouping);
    let dec = match (dec, &ambiguous) {
        (Some(d), _) => d,
        (None, Some(example)) => {
            return Detected::Ambiguous {
                example: example.clone(),
            }
        }
        (None, None) => {
            let format = match thousands {
                Some(t) => NumberFormat {
                    decimal: '.',
                    thousands: t,
                },
                None => NumberFormat {
                    decimal: '.',
                    thousands: grouping_seen.or(Some(',')),
                },
            };
            return Detected::Format {
                format,
                said: grouping_seen.is_some_and(|g| g != ','),
            };
        }
    };
    let thousands = thousands.unwrap_or_else(|| {
        grouping_seen.filter(|&g| g != dec).or(match dec {
            '.' => Some(','),
            ',' => Some('.'),
            _ => None,
        })
    });
    let format = NumberFormat {
        decimal: dec,
        thousands: thousands.filter(|&t| t != dec),
    };
    Detected::Format {
        format,
        said: decimal.is_none() && format != NumberFormat::default(),
    }
}

/// Writes `x` as a number in `fmt`, rounded to `decimals` places (the tests' formatter: the
/// same number in each locale, with a currency sign and parentheses for negatives if asked).
pub fn format(x: f64, fmt: NumberFormat, decimals: usize, parens: bool, sign: &str) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            if let Some(t) = fmt.thousands {
                grouped.push(t);
            }
        }
        grouped.push(c);
    }
    if !frac.is_empty() {
        grouped.push(fmt.decimal);
        grouped.push_str(frac);
    }
    let body = format!("{sign}{grouped}");
    let negative = x < 0.0 && text.chars().any(|c| matches!(c, '1'..='9'));
    match (negative, parens) {
        (false, _) => body,
        (true, true) => format!("({body})"),
        (true, false) => format!("-{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EU: NumberFormat = NumberFormat {
        decimal: ',',
        thousands: Some('.'),
    };

    #[test]
    fn reads_local_forms() {
        assert_eq!(parse("1.234,50", EU), Some(1234.5));
        assert_eq!(parse("(1.234,50)", EU), Some(-1234.5));
        assert_eq!(parse("€ 1.234,50", EU), Some(1234.5));
        assert_eq!(parse("1.234,50 EUR", EU), Some(1234.5));
        assert_eq!(parse("12,5%", EU), Some(0.125));
        assert_eq!(parse("1,234.50", NumberFormat::default()), Some(1234.5));
        assert_eq!(parse("₩1,234", NumberFormat::default()), Some(1234.0));
        let swiss = NumberFormat {
            decimal: '.',
            thousands: Some('\''),
        };
        assert_eq!(parse("1'234'567.25", swiss), Some(1234567.25));
        let space = NumberFormat {
            decimal: ',',
            thousands: Some(' '),
        };
        assert_eq!(parse("1 234 567,25", space), Some(1234567.25));
        assert_eq!(parse("1\u{a0}234,25", space), Some(1234.25));
        // Badly grouped or not a number at all.
        assert_eq!(parse("12.34,5", EU), None);
        assert_eq!(parse("1.234,50", NumberFormat::default()), None);
        assert_eq!(parse("n/a", EU), None);
        assert_eq!(parse("((12))", EU), None);
    }

    #[test]
    fn detects_or_refuses() {
        let d = detect(["1.234,50", "12"].into_iter(), None, None);
        assert_eq!(
            d,
            Detected::Format {
                format: EU,
                said: true
            }
        );
        assert_eq!(
            detect(["1,234", "5,678"].into_iter(), None, None),
            Detected::Ambiguous {
                example: "1,234".into()
            }
        );
        // A named decimal mark settles it.
        assert!(matches!(
            detect(["1,234"].into_iter(), Some(','), None),
            Detected::Format { format, .. } if format.decimal == ','
        ));
        assert!(matches!(
            detect(["1,5", "2.5"].into_iter(), None, None),
            Detected::Conflict { .. }
        ));
        assert_eq!(
            detect(["12.5", "1,234.5"].into_iter(), None, None),
            Detected::Format {
                format: NumberFormat::default(),
                said: false
            }
        );
    }

    fn formats() -> impl Strategy<Value = NumberFormat> {
        prop_oneof![
            Just(NumberFormat::default()),
            Just(EU),
            Just(NumberFormat {
                decimal: ',',
                thousands: Some(' ')
            }),
            Just(NumberFormat {
                decimal: '.',
                thousands: Some('\'')
            }),
            Just(NumberFormat {
                decimal: ',',
                thousands: None
            }),
            Just(NumberFormat {
                decimal: '.',
                thousands: None
            }),
        ]
    }

    proptest! {
        /// Whatever the locale, sign style and currency sign, a written number reads back.
        #[test]
        fn formatted_numbers_read_back(
            cents in -10_000_000_000i64..10_000_000_000i64,
            fmt in formats(),
            parens: bool,
            sign in prop_oneof![Just(""), Just("€"), Just("₩"), Just("$")],
        ) {
            let x = cents as f64 / 100.0;
            let text = format(x, fmt, 2, parens, sign);
            let back = parse(&text, fmt);
            prop_assert_eq!(back, Some(x), "{}", text);
        }

        /// A column written in one locale with two decimals is detected as that locale (the
        /// decimal mark is never taken for the thousands separator).
        #[test]
        fn detection_finds_the_writing_locale(
            cents in proptest::collection::vec(-10_000_000_000i64..10_000_000_000i64, 1..20),
            fmt in formats(),
        ) {
            let cells: Vec<String> =
                cents.iter().map(|&c| format(c as f64 / 100.0, fmt, 2, false, "")).collect();
            match detect(cells.iter().map(String::as_str), None, None) {
                Detected::Format { format: found, .. } => {
                    prop_assert_eq!(found.decimal, fmt.decimal);
                    for (c, text) in cents.iter().zip(&cells) {
                        prop_assert_eq!(parse(text, found), Some(*c as f64 / 100.0));
                    }
                }
                other => prop_assert!(false, "{:?} for {:?}", other, cells),
            }
        }
    }
}
