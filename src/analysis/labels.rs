//! Labelling policies: what class a statement is given, from what the firm's history shows in a
//! window after the statement's fiscal year end (31 December of its fiscal year), and only from
//! that window, so that no row learns from information dated after it.
//!
//! - `latest`: the firm's latest outcome, on every statement (the old behaviour; it looks ahead).
//! - `outcome:H`: the worst outcome (bad > satisfactory > good) dated in (year end, year end + H].
//! - `closure:H`: bad if the firm closed in (year end, year end + H], else good.
//! - `closure3:H`: bad if closed within H, satisfactory if closed in (H, 2H], good if still
//!   open at year end + 2H.
//! - `dpd:H`: the most days past due among the outcomes in the window: 90+ bad, 1-89
//!   satisfactory, 0 good.
//!
//! A statement whose window ends after the data ends (the latest date the store knows of) is
//! left out as censored: its outcome is not known yet.

use std::fmt;
use std::str::FromStr;

/// How statements are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelPolicy {
    #[default]
    Latest,
    Outcome {
        years: u32,
    },
    Closure {
        years: u32,
        three_classes: bool,
    },
    DaysPastDue {
        years: u32,
    },
}

impl FromStr for LabelPolicy {
    type Err = super::AnalysisError;
    fn from_str(s: &str) -> Result<Self, super::AnalysisError> {
        use super::AnalysisError;
        let s = s.trim().to_ascii_lowercase();
        if s == "latest" {
            return Ok(LabelPolicy::Latest);
        }
        let (kind, h) = s
            .split_once(':')
            .ok_or_else(|| AnalysisError::NotALabelPolicy(s.clone()))?;
        let years: u32 = h
            .parse()
            .ok()
            .filter(|y| (1..=50).contains(y))
            .ok_or_else(|| AnalysisError::NotAHorizon(h.to_string()))?;
        match kind {
            "outcome" => Ok(LabelPolicy::Outcome { years }),
            "closure" => Ok(LabelPolicy::Closure {
                years,
                three_classes: false,
            }),
            "closure3" => Ok(LabelPolicy::Closure {
                years,
                three_classes: true,
            }),
            "dpd" => Ok(LabelPolicy::DaysPastDue { years }),
            _ => Err(AnalysisError::NotALabelPolicy(kind.to_string())),
        }
    }
}

impl fmt::Display for LabelPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelPolicy::Latest => f.write_str("latest"),
            LabelPolicy::Outcome { years } => write!(f, "outcome:{years}"),
            LabelPolicy::Closure {
                years,
                three_classes: false,
            } => write!(f, "closure:{years}"),
            LabelPolicy::Closure {
                years,
                three_classes: true,
            } => write!(f, "closure3:{years}"),
            LabelPolicy::DaysPastDue { years } => write!(f, "dpd:{years}"),
        }
    }
}

impl LabelPolicy {
    /// The policy in words, for reports and the model record.
    pub fn describe(&self) -> String {
        match self {
            LabelPolicy::Latest => "the firm's latest outcome".into(),
            LabelPolicy::Outcome { years } => {
                format!("the worst outcome within {years} years after the fiscal year end")
            }
            LabelPolicy::Closure {
                years,
                three_classes: false,
            } => format!("closure within {years} years after the fiscal year end (bad), else good"),
            LabelPolicy::Closure {
                years,
                three_classes: true,
            } => format!(
                "closure within {years} years (bad), within {} years (satisfactory), open after {} years (good)",
                2 * years,
                2 * years
            ),
            LabelPolicy::DaysPastDue { years } => format!(
                "most days past due within {years} years: 90+ bad, 1-89 satisfactory, 0 good"
            ),
        }
    }

    /// Years after the fiscal year end the label looks at (0 for `latest`).
    pub fn window_years(&self) -> u32 {
        match self {
            LabelPolicy::Latest => 0,
            LabelPolicy::Outcome { years } | LabelPolicy::DaysPastDue { years } => *years,
            LabelPolicy::Closure {
                years,
                three_classes,
            } => years * if *three_classes { 2 } else { 1 },
        }
    }
}

/// One outcome of a firm: its date (ISO), class, and days past due where known.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub as_of: String,
    pub class: String,
    pub days_past_due: Option<i64>,
}

/// What labelling needs of a firm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FirmHistory {
    /// Closure date (ISO) of a firm that closed, went bankrupt or defaulted.
    pub closed_on: Option<String>,
    /// Outcomes, oldest first.
    pub outcomes: Vec<Outcome>,
}

/// The label of one statement, or why it has none.
#[derive(Debug, Clone, PartialEq)]
pub enum Label {
    Class(String),
    /// The window runs past the end of the data.
    Censored,
    /// The firm had closed by the statement's year end.
    ClosedBefore,
    /// No outcome (or no days past due) dated in the window.
    NoEvidence,
}

fn year_end(year: i64) -> String {
    format!("{year:04}-12-31")
}

fn severity(class: &str) -> u8 {
    match class {
        "bad" | "-1" => 2,
        "satisfactory" | "0" => 1,
        _ => 0,
    }
}

/// Labels the statement of `fiscal_year` by `policy` from the firm's history; `data_end` is the
/// latest date (ISO) the data covers.
pub fn label(policy: LabelPolicy, fiscal_year: i32, h: &FirmHistory, data_end: &str) -> Label {
    let start = year_end(i64::from(fiscal_year));
    let within = |years: u32| year_end(i64::from(fiscal_year) + i64::from(years));
    let in_window = |d: &str, end: &str| d > start.as_str() && d <= end;
    if let LabelPolicy::Latest = policy {
        return h
            .outcomes
            .last()
            .map_or(Label::NoEvidence, |o| Label::Class(o.class.clone()));
    }
    let end = within(policy.window_years());
    match policy {
        LabelPolicy::Latest => unreachable!("answered above"),
        LabelPolicy::Closure {
            years,
            three_classes,
        } => {
            if h.closed_on.as_deref().is_some_and(|c| c <= start.as_str()) {
                return Label::ClosedBefore;
            }
            // Censored first, even where a closure is already seen in the window: keeping the
            // closed ones of an unfinished window and not the open ones would bias the mix.
            if end.as_str() > data_end {
                return Label::Censored;
            }
            if let Some(c) = &h.closed_on {
                if in_window(c, &within(years)) {
                    return Label::Class("bad".into());
                }
                if three_classes && in_window(c, &end) {
                    return Label::Class("satisfactory".into());
                }
            }
            Label::Class("good".into())
        }
        LabelPolicy::Outcome { .. } => {
            if end.as_str() > data_end {
                return Label::Censored;
            }
            h.outcomes
                .iter()
                .filter(|o| in_window(&o.as_of, &end))
                .max_by_key(|o| severity(&o.class))
                .map_or(Label::NoEvidence, |o| Label::Class(o.class.clone()))
        }
        LabelPolicy::DaysPastDue { .. } => {
            if end.as_str() > data_end {
                return Label::Censored;
            }
            h.outcomes
                .iter()
                .filter(|o| in_window(&o.as_of, &end))
                .filter_map(|o| o.days_past_due)
                .max()
                .map_or(Label::NoEvidence, |d| {
                    Label::Class(
                        match d {
                            d if d >= 90 => "bad",
                            d if d >= 1 => "satisfactory",
                            _ => "good",
                        }
                        .into(),
                    )
                })
        }
    }
}

/// The same date `years` later (ISO; 29 February stays as written, which still orders right).
pub fn years_after(date: &str, years: u32) -> String {
    match date.get(..4).and_then(|y| y.parse::<i64>().ok()) {
        Some(y) => format!("{:04}{}", y + i64::from(years), &date[4..]),
        None => date.to_string(),
    }
}

/// Whether the firm turned bad in (`from`, `from` + `years`]: it closed, or an outcome dated
/// there is bad or 90+ days past due. The back-test's outcome of an application submitted on
/// `from`.
pub fn bad_within(h: &FirmHistory, from: &str, years: u32) -> bool {
    let end = years_after(from, years);
    let inside = |d: &str| d > from && d <= end.as_str();
    h.closed_on.as_deref().is_some_and(inside)
        || h.outcomes.iter().any(|o| {
            inside(&o.as_of)
                && (severity(&o.class) == 2 || o.days_past_due.is_some_and(|d| d >= 90))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm(closed: Option<&str>) -> FirmHistory {
        FirmHistory {
            closed_on: closed.map(str::to_string),
            outcomes: Vec::new(),
        }
    }

    /// A hand-made portfolio, data to 2024-12-31, statements of 2019..=2022 for each firm:
    /// A closed 2021-06-30; B closed 2023-03-01; C never closed. (bad, good, censored, closed
    /// before), the window being (31 Dec of the fiscal year, the same + H years]:
    /// - H = 1: A 2019 good, 2020 bad (2021-06-30 in 2021), 2021 and 2022 closed before;
    ///   B 2019-2021 good, 2022 bad (2023-03-01 in 2023); C 2019-2022 good. (2, 8, 0, 2).
    /// - H = 2: A 2019 and 2020 bad, 2021-2022 closed before; B 2019, 2020 good, 2021, 2022 bad
    ///   (2023 within two years); C four good (the 2022 window ends 2024-12-31, the data's end,
    ///   so it is complete). (4, 6, 0, 2).
    /// - H = 3: fiscal 2022's window ends 2025-12-31, after the data: censored (B's too, though
    ///   B's closure is already seen: keeping only the closed ones would bias the mix); A 2019,
    ///   2020 bad; B 2019 good, 2020, 2021 bad; C 2019-2021 good. (4, 4, 2, 2).
    #[test]
    fn closure_counts_by_hand() {
        let firms = [
            firm(Some("2021-06-30")),
            firm(Some("2023-03-01")),
            firm(None),
        ];
        let count = |policy: LabelPolicy| {
            let mut bad = 0;
            let mut good = 0;
            let mut censored = 0;
            let mut before = 0;
            for f in &firms {
                for y in 2019..=2022 {
                    match label(policy, y, f, "2024-12-31") {
                        Label::Class(c) if c == "bad" => bad += 1,
                        Label::Class(_) => good += 1,
                        Label::Censored => censored += 1,
                        Label::ClosedBefore => before += 1,
                        Label::NoEvidence => panic!("closure never lacks evidence"),
                    }
                }
            }
            (bad, good, censored, before)
        };
        let closure = |years| LabelPolicy::Closure {
            years,
            three_classes: false,
        };
        assert_eq!(count(closure(1)), (2, 8, 0, 2));
        assert_eq!(count(closure(2)), (4, 6, 0, 2));
        assert_eq!(count(closure(3)), (4, 4, 2, 2));
    }

    #[test]
    fn nothing_after_the_window_changes_a_label() {
        let mut h = FirmHistory {
            closed_on: None,
            outcomes: vec![Outcome {
                as_of: "2021-05-01".into(),
                class: "satisfactory".into(),
                days_past_due: Some(30),
            }],
        };
        let policies = [
            LabelPolicy::Outcome { years: 2 },
            LabelPolicy::DaysPastDue { years: 2 },
            LabelPolicy::Closure {
                years: 1,
                three_classes: true,
            },
        ];
        let before: Vec<Label> = policies
            .iter()
            .map(|p| label(*p, 2019, &h, "2030-12-31"))
            .collect();
        // A default and a closure dated after 2021-12-31 (the end of every window above).
        h.outcomes.push(Outcome {
            as_of: "2022-01-01".into(),
            class: "bad".into(),
            days_past_due: Some(120),
        });
        h.closed_on = Some("2022-01-02".into());
        let after: Vec<Label> = policies
            .iter()
            .map(|p| label(*p, 2019, &h, "2030-12-31"))
            .collect();
        assert_eq!(before, after);
        assert_eq!(before[0], Label::Class("satisfactory".into()));
        assert_eq!(before[1], Label::Class("satisfactory".into()));
        assert_eq!(before[2], Label::Class("good".into()));
    }

    #[test]
    fn policies_parse_and_print_the_same_words() {
        for s in ["latest", "outcome:2", "closure:1", "closure3:2", "dpd:1"] {
            assert_eq!(s.parse::<LabelPolicy>().unwrap().to_string(), s);
        }
        assert!("closure:0".parse::<LabelPolicy>().is_err());
        assert!("bogus:2".parse::<LabelPolicy>().is_err());
    }
}
