//! Monitoring periods: a date's month, quarter or year, and the last day of a period.

use std::fmt;
use std::str::FromStr;

/// How long a monitoring period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodLength {
    Month,
    Quarter,
    #[default]
    Year,
}

impl FromStr for PeriodLength {
    type Err = super::AnalysisError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(PeriodLength::Month),
            "quarter" => Ok(PeriodLength::Quarter),
            "year" => Ok(PeriodLength::Year),
            other => Err(super::AnalysisError::NotAPeriod(other.to_string())),
        }
    }
}

impl fmt::Display for PeriodLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PeriodLength::Month => "month",
            PeriodLength::Quarter => "quarter",
            PeriodLength::Year => "year",
        })
    }
}

impl PeriodLength {
    /// The period of an ISO date (`2024`, `2024-Q2`, `2024-05`), or `None` for no date.
    pub fn period_of(self, date: &str) -> Option<String> {
        let year: i32 = date.get(..4)?.parse().ok()?;
        let month: u32 = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
        if !(1..=12).contains(&month) {
            return None;
        }
        Some(match self {
            PeriodLength::Year => format!("{year:04}"),
            PeriodLength::Quarter => format!("{year:04}-Q{}", (month - 1) / 3 + 1),
            PeriodLength::Month => format!("{year:04}-{month:02}"),
        })
    }

    /// The last day (ISO) of a period this length names.
    pub fn last_day(self, period: &str) -> String {
        let year: i32 = period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let month = match self {
            PeriodLength::Year => 12,
            PeriodLength::Quarter => {
                3 * period
                    .get(6..7)
                    .and_then(|q| q.parse::<u32>().ok())
                    .unwrap_or(4)
            }
            PeriodLength::Month => period.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(12),
        };
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let day = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        format!("{year:04}-{month:02}-{day:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_their_last_days() {
        let q = PeriodLength::Quarter;
        assert_eq!(q.period_of("2024-05-17").as_deref(), Some("2024-Q2"));
        assert_eq!(q.last_day("2024-Q2"), "2024-06-30");
        assert_eq!(PeriodLength::Month.last_day("2024-02"), "2024-02-29");
        assert_eq!(PeriodLength::Month.last_day("2023-02"), "2023-02-28");
        assert_eq!(
            PeriodLength::Year.period_of("2021-12-31").as_deref(),
            Some("2021")
        );
        assert_eq!(PeriodLength::Year.last_day("2021"), "2021-12-31");
        assert!("week".parse::<PeriodLength>().is_err());
    }
}
