//! The arguments of each subcommand, with typed values parsed by clap (`FromStr` types shared
//! with the workbench's forms), so that a bad value is refused naming its flag.

use crate::analysis::dataset::{RatioSelection, YearRule};
use crate::analysis::KRule;
use crate::ingest::{Format, Kind};
use crate::model::choices::{defaults, Alpha, AtLeast, Depth, PruneChoice, Share};
use crate::model::prune::PruneLoss;
use crate::model::tune::Score;
use crate::model::{ClassWeight, Criterion};
use crate::output::OutputFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The workbench's own options (the other subcommands do not take them).
#[derive(Debug, Args, Clone, Default)]
pub struct WorkbenchArgs {
    /// Workbench theme: dark, light, high-contrast, monochrome, or a theme TOML file.
    #[arg(long, env = "PRECRE_THEME", value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// Workbench configuration file (theme and key bindings); default: the platform config dir.
    #[arg(long, env = "PRECRE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FormatArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// At most this many applications (the riskiest).
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct FirmArgs {
    /// The firm id.
    pub id: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("verdict").required(true).args(["approve", "decline", "refer", "undo"])))]
pub struct DecideArgs {
    /// The application id.
    pub application: String,
    #[arg(long)]
    pub approve: bool,
    #[arg(long)]
    pub decline: bool,
    #[arg(long)]
    pub refer: bool,
    /// Undo the decision in force (a new row; the application is pending again).
    #[arg(long)]
    pub undo: bool,
    /// A note kept with the decision (text may start with '-': --note "-5% margin").
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub note: Option<String>,
    /// A reason (repeat up to four times; a decline needs at least one).
    #[arg(long = "reason", allow_hyphen_values = true, value_name = "TEXT")]
    pub reasons: Vec<String>,
    /// Why the decision goes against the model's class (or replaces an earlier decision).
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub override_reason: Option<String>,
    /// Replace a decision already in force (an explicit, logged override; needs --override-reason).
    #[arg(long)]
    pub replace: bool,
    /// Output format of the recorded decision.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// What `precre export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportWhat {
    Decisions,
    Predictions,
    Ratios,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub what: ExportWhat,
    /// The file to write; .csv, .json, .parquet or .xlsx. Taken literally.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

pub(super) const IMPORT_HELP: &str = "Columns are matched by header name, ignoring case, spaces and punctuation, with aliases \
(e.g. 'Fiscal Year' or 'year' for fiscal_year, 'sales' for revenue). Override with --map or a TOML \
mapping file:\n  [columns]\n  \"Umsatz\" = \"revenue\"\n\nIf any row is refused nothing is written, unless --skip-bad.\n\n\
Examples:\n  precre import firms.csv --kind firms\n  precre import statements.parquet --kind statements --rejects rejects.csv\n  \
precre import fs.csv --kind statements --map \"Jahr=fiscal_year\" --map \"Umsatz=revenue\"\n  \
precre import 1year.csv --kind features --id row_id --label class --name polish1\n  \
precre import german.data --kind features --label column_21 --name german";

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: .csv/.tsv/.txt, .parquet, .json (array of objects), .ndjson/.jsonl, .arff, .data/.dat (whitespace).
    pub file: PathBuf,
    /// What the file holds.
    #[arg(
        long,
        value_name = "firms|statements|factors|applications|outcomes|features"
    )]
    pub kind: Kind,
    /// The file's format, when the extension does not tell.
    #[arg(long, value_name = "csv|parquet|json|ndjson|arff|whitespace")]
    pub input_format: Option<Format>,
    /// Field delimiter of a CSV file (default: guessed from the header among , ; and tab).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// The file has no header row; columns are then named column_1, column_2, ...
    #[arg(long)]
    pub no_header: bool,
    /// Map a file column to a field: --map "Umsatz=revenue" (repeatable).
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// A TOML mapping file with a [columns] table of "file column" = "field".
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Import the good rows and report the bad ones, instead of refusing the whole file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Write every refused row and warning to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Create a placeholder firm (sector "unknown") for each firm id not in the store.
    #[arg(long)]
    pub create_firms: bool,
    /// Features: the column with the entity id (default: the row number).
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Features: the column with the class label.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// Features: the set's name (default: the file name without extension).
    #[arg(long, value_name = "SET")]
    pub name: Option<String>,
    /// Features: replace a set of the same name.
    #[arg(long)]
    pub replace: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct FirmsArgs {
    /// Only this sector (case-insensitive).
    #[arg(long)]
    pub sector: Option<String>,
    /// Text in the name or id.
    #[arg(long)]
    pub search: Option<String>,
    /// A filter expression, e.g. 'sector = retail and current_ratio < 1 and class = bad'
    /// (fields: id, name, sector, region, size, status, class, predicted, latest_year, ratio ids;
    /// operators = != < <= > >= ~ (contains), and, or, not, parentheses, `is missing`).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Sort by a column (id, name, sector, region, founded, size, status, latest_year, class) or a ratio id.
    #[arg(long, value_name = "COLUMN")]
    pub sort: Option<String>,
    /// Sort descending.
    #[arg(long)]
    pub desc: bool,
    /// At most this many firms.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Skip this many firms first.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["firm", "sector", "list"])))]
pub struct RatiosArgs {
    /// A firm's ratios over its fiscal years.
    #[arg(long, value_name = "ID")]
    pub firm: Option<String>,
    /// A sector's quartiles per ratio (each firm's latest statement, or --year).
    #[arg(long, value_name = "SECTOR")]
    pub sector: Option<String>,
    /// The ratio catalogue: id, group, formula, direction, unit.
    #[arg(long)]
    pub list: bool,
    /// One fiscal year only.
    #[arg(long)]
    pub year: Option<i32>,
    /// One group only: profitability, activity, stability, liquidity, growth, cash.
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SetsArgs {
    /// A set to describe (columns, kinds, missing cells, labels).
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    pub action: Option<DemoAction>,
    /// Load the demo files from this folder instead of the copies built into precre.
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Write a seeded feature table for benchmarks: N rows, K features, three classes and a
    /// stratified train/test `split` column (every tool compared uses the same rows).
    Features {
        /// The file to write: CSV, or Parquet when it ends in .parquet.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 24)]
        features: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Write the demo portfolio's CSV files (deterministic for a given seed and size).
    Generate {
        /// Folder to write firms.csv, statements.csv, factors.csv, applications.csv, outcomes.csv into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Number of firms (each has 3 to 6 fiscal years: about 4.5 statements a firm).
        #[arg(long, default_value_t = crate::demo::DemoConfig::default().firms)]
        firms: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = crate::demo::DemoConfig::default().seed)]
        seed: u64,
        /// Also write each file as Parquet (firms.parquet, ...) beside the CSV.
        #[arg(long)]
        parquet: bool,
    },
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// The data a PCA or a model runs on.
#[derive(Debug, Args)]
pub struct DataSource {
    /// A feature set (for PCA its numeric columns; for a tree categorical columns enter as codes).
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
    #[arg(long, value_name = "GROUP|LIST", conflicts_with = "set")]
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

#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataSource,
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
    /// Read a model record from a JSON file (its id is checked against its content).
    Import {
        file: PathBuf,
        /// Make it the active model.
        #[arg(long)]
        activate: bool,
    },
    /// Make a model (id, id prefix or name) the active one.
    Activate { model: String },
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

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; put a TLS-terminating proxy in front of it
    /// before listening on another interface).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20, value_name = "BYTES")]
    pub max_body: usize,
    /// Most rows in one batch.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_batch_rows: usize,
    /// Longest a request may take, reading its body included, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Requests worked on at once (more wait, then get 503).
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print its secret once (only a hash of it is kept).
    Create {
        /// The token's name: recorded with every call and, for `decide`, as the analyst.
        name: String,
        /// read (firms, queue, models), score (also scoring posted firms), decide (also decisions).
        #[arg(long, default_value = "score", value_name = "read|score|decide")]
        scope: crate::ops::tokens::Scope,
    },
    /// List the tokens (names, scopes, dates; never the secrets).
    List,
    /// Revoke a token (the service refuses it within 5 seconds).
    Revoke { name: String },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (refused when it exists, unless --force).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to put back.
    pub file: PathBuf,
    /// Restore a backup of another store over this one.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}
