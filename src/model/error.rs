//! What the model layer refuses, typed: settings a kind cannot fit with, data it cannot learn
//! from, folds and splits the rows cannot fill, a value that names no choice, and a model
//! record that cannot be read. Each message says the thing once and what to give instead.

use thiserror::Error;

/// Why a model cannot be fitted (its settings, or the rows it is given).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum FitError {
    #[error("the regularisation C must be a positive number, not {0}")]
    RegularisationC(f64),
    #[error("the SVM's C must be a positive number, not {0}")]
    SvmC(f64),
    #[error(
        "an SVM trains on 10 to {max} rows (its kernel matrix grows with their square), not \
         {given}"
    )]
    SvmRows { given: usize, max: usize },
    #[error("an SVM needs rows of every class in its training sample")]
    SvmOneClass,
    #[error("the SVM could not be fitted: {0}")]
    Svm(String),
    #[error(
        "the points scaling needs positive base odds and points to double the odds and a finite \
         base score (given {base_score} points at odds {base_odds}, {pdo} to double)"
    )]
    PointsScaling {
        base_score: f64,
        base_odds: f64,
        pdo: f64,
    },
    #[error("a scorecard needs bad and other firms in its training rows")]
    ScorecardOneClass,
    #[error("discriminant analysis needs more rows ({rows}) than classes ({classes})")]
    LdaRows { rows: usize, classes: usize },
    #[error("a forest needs at least one tree")]
    NoTrees,
    #[error("a forest needs training rows")]
    NoRows,
    #[error("boosting needs at least one round and two leaves a tree")]
    BoostingSize,
    #[error("the learning rate must be positive")]
    LearningRate,
    #[error(
        "boosting stops early on a validation part or chooses its rounds by cross-validation, \
         not both: set early stopping or stopping folds to 0"
    )]
    TwoStoppingRules,
    #[error("boosting's stopping folds: {0}")]
    StoppingFolds(SplitError),
    #[error("the tree is fitted by the pipeline")]
    TreeIsNoChallenger,
}

/// Folds or a split the rows cannot fill.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SplitError {
    #[error("{0} fold(s): cross-validation needs at least 2")]
    TooFewFolds(usize),
    #[error(
        "{folds} folds but only {rows} labelled rows to share among them; use at most {rows} folds"
    )]
    FoldsExceedRows { folds: usize, rows: usize },
    #[error("row {row}: split value {value:?} is neither train nor test")]
    NotTrainOrTest { row: usize, value: String },
}

/// A value that names none of a choice's options (`'x' is not a criterion: use gini, ...`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("'{value}' is not {expected}")]
pub struct ChoiceError {
    pub value: String,
    /// What was expected and how to write it ("a depth: a whole number, or none").
    pub expected: String,
}

impl ChoiceError {
    pub fn new(value: &str, expected: impl Into<String>) -> Self {
        ChoiceError {
            value: value.trim().to_string(),
            expected: expected.into(),
        }
    }
}

/// Why a model record cannot be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RecordError {
    #[error("not a PRECRE model file: {0}")]
    NotAModel(String),
    #[error("model format {found} is newer than this precre knows ({known})")]
    TooNew { found: u32, known: u32 },
    #[error("the model's id {id} does not match its content ({content}): the file was changed")]
    IdMismatch { id: String, content: String },
}
