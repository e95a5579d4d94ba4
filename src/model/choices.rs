//! The named choices of training, parsed from text in one place (`FromStr`) and shared by every
//! front-end: the command line's value parsers and the workbench's Model form read the same
//! words and refuse the same mistakes. Also the one set of training defaults.

use super::params::ClassWeight;
use super::pipeline::PruneSpec;
use super::prune::PruneLoss;
use super::tune::Score;
use super::{ChoiceError, Criterion};
use std::fmt;
use std::str::FromStr;

/// The defaults of a training run, wherever it starts: a depth-6 Gini tree pruned at the alpha
/// that 5-fold cross-validation picks (1-SE rule on 1 - AUC), 30% held out, seed 42. Unlimited
/// and unpruned trees put every probability at 0 or 1, so the triage queue could not rank.
pub mod defaults {
    pub const MAX_DEPTH: usize = 6;
    pub const MIN_SAMPLES_LEAF: usize = 1;
    pub const MIN_SAMPLES_SPLIT: usize = 2;
    pub const FOLDS: usize = 5;
    pub const TEST_SHARE: f64 = 0.3;
    pub const SEED: u64 = 42;
    pub const PRUNE: &str = "cv";
    pub const PRUNE_LOSS: &str = "auc";
    pub const CRITERION: &str = "gini";
    /// The text forms, for clap's `default_value` (kept equal to the constants by a test).
    pub const MAX_DEPTH_TEXT: &str = "6";
}

/// Implements `FromStr`, `Display` and a list of names for a unit enum, from (variant, name).
macro_rules! named {
    ($ty:ty, $what:expr, [$(($variant:expr, $name:expr)),+ $(,)?]) => {
        impl $ty {
            /// Every accepted name, in order.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
            /// The name of this value.
            pub fn name(self) -> &'static str {
                $(if self == $variant { return $name; })+
                unreachable!()
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::model::ChoiceError;
            fn from_str(s: &str) -> std::result::Result<Self, $crate::model::ChoiceError> {
                let t = s.trim().to_ascii_lowercase();
                $(if t == $name { return Ok($variant); })+
                Err($crate::model::ChoiceError::new(
                    s,
                    format!("{}: use {}", $what, <$ty>::NAMES.join(", ")),
                ))
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

pub(crate) use named;

named!(
    Criterion,
    "a criterion",
    [
        (Criterion::Gini, "gini"),
        (Criterion::Entropy, "entropy"),
        (Criterion::GiniPairs, "gini-pairs"),
    ]
);
named!(
    ClassWeight,
    "a class weighting",
    [
        (ClassWeight::None, "none"),
        (ClassWeight::Balanced, "balanced"),
    ]
);
named!(
    PruneLoss,
    "a pruning loss",
    [
        (PruneLoss::Auc, "auc"),
        (PruneLoss::Error, "error"),
        (PruneLoss::Brier, "brier"),
    ]
);
named!(
    Score,
    "a score",
    [
        (Score::Accuracy, "accuracy"),
        (Score::MacroRecall, "macro-recall"),
        (Score::Auc, "auc"),
    ]
);

/// How to prune, as typed: `none`, `cv` (alpha by cross-validation) or an alpha >= 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruneChoice {
    None,
    CrossValidated,
    Alpha(f64),
}

impl PruneChoice {
    /// The full pruning specification, with the folds and loss that `cv` uses.
    pub fn spec(self, folds: usize, loss: PruneLoss) -> PruneSpec {
        match self {
            PruneChoice::None => PruneSpec::None,
            PruneChoice::CrossValidated => PruneSpec::CrossValidated { folds, loss },
            PruneChoice::Alpha(alpha) => PruneSpec::Alpha { alpha },
        }
    }
}

impl FromStr for PruneChoice {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(PruneChoice::None),
            "cv" => Ok(PruneChoice::CrossValidated),
            t => match t.parse::<f64>() {
                Ok(alpha) if alpha >= 0.0 && alpha.is_finite() => Ok(PruneChoice::Alpha(alpha)),
                _ => Err(ChoiceError::new(
                    s,
                    "a pruning: use none, cv, or an alpha >= 0 such as 0.002",
                )),
            },
        }
    }
}

impl fmt::Display for PruneChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PruneChoice::None => f.write_str("none"),
            PruneChoice::CrossValidated => f.write_str("cv"),
            PruneChoice::Alpha(a) => write!(f, "{a}"),
        }
    }
}

/// A depth limit: a whole number, or `none` for no limit (0 is read, and refused by the tree's
/// parameter check with its own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depth(pub Option<usize>);

impl FromStr for Depth {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(Depth(None)),
            t => t
                .parse::<usize>()
                .map(|d| Depth(Some(d)))
                .map_err(|_| ChoiceError::new(s, "a depth: a whole number, or none")),
        }
    }
}

impl fmt::Display for Depth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(d) => write!(f, "{d}"),
            None => f.write_str("none"),
        }
    }
}

/// A share strictly between 0 and 1 (the part held out for testing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share(pub f64);

impl FromStr for Share {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        match s.trim().parse::<f64>() {
            Ok(x) if x > 0.0 && x < 1.0 => Ok(Share(x)),
            _ => Err(ChoiceError::new(
                s,
                "a share: a number between 0 and 1, such as 0.3",
            )),
        }
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A count that must be at least `MIN` (folds >= 2, min leaf >= 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtLeast<const MIN: usize>(pub usize);

impl<const MIN: usize> FromStr for AtLeast<MIN> {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        match s.trim().parse::<usize>() {
            Ok(n) if n >= MIN => Ok(AtLeast(n)),
            _ => Err(ChoiceError::new(
                s,
                format!("a whole number of at least {MIN}"),
            )),
        }
    }
}

impl<const MIN: usize> fmt::Display for AtLeast<MIN> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A non-negative, finite alpha (a grid of pruning strengths).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alpha(pub f64);

impl FromStr for Alpha {
    type Err = ChoiceError;
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        match s.trim().parse::<f64>() {
            Ok(a) if a >= 0.0 && a.is_finite() => Ok(Alpha(a)),
            _ => Err(ChoiceError::new(s, "an alpha: a number >= 0")),
        }
    }
}

impl fmt::Display for Alpha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_mistakes_name_the_choices() {
        for name in Criterion::NAMES {
            assert_eq!(name.parse::<Criterion>().unwrap().to_string(), *name);
        }
        let e = "gini_pairs".parse::<Criterion>().unwrap_err();
        assert!(e.to_string().contains("gini, entropy, gini-pairs"), "{e}");
        assert_eq!("cv".parse::<PruneChoice>(), Ok(PruneChoice::CrossValidated));
        assert_eq!(
            "0.002".parse::<PruneChoice>(),
            Ok(PruneChoice::Alpha(0.002))
        );
        assert!("bogus".parse::<PruneChoice>().is_err());
        assert!("-1".parse::<PruneChoice>().is_err());
        assert_eq!("none".parse::<Depth>(), Ok(Depth(None)));
        assert_eq!("7".parse::<Depth>(), Ok(Depth(Some(7))));
        assert!("1.5".parse::<Share>().is_err());
        assert!("1".parse::<AtLeast<2>>().is_err());
        assert_eq!("5".parse::<AtLeast<2>>(), Ok(AtLeast(5)));
    }

    #[test]
    fn text_defaults_match_the_constants() {
        assert_eq!(
            defaults::MAX_DEPTH_TEXT.parse::<Depth>(),
            Ok(Depth(Some(defaults::MAX_DEPTH)))
        );
        assert!(defaults::PRUNE.parse::<PruneChoice>().is_ok());
        assert!(defaults::PRUNE_LOSS.parse::<PruneLoss>().is_ok());
        assert!(defaults::CRITERION.parse::<Criterion>().is_ok());
    }
}
