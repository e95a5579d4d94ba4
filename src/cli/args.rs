//! The arguments of each subcommand, with typed values parsed by clap (`FromStr` types shared
//! with the workbench's forms), so that a bad value is refused naming its flag.

use crate::ingest::{Format, Kind};
use crate::output::OutputFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// The workbench's own options (the other subcommands do not take them).
#[derive(Debug, Args, Clone, Default)]
pub struct WorkbenchArgs {
    /// Workbench theme: dark, light, high-contrast, monochrome, or a theme TOML file.
    #[arg(long, env = "PRECRE_THEME", value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// Configuration file (the workbench's theme and key bindings, the promotion policy);
    /// default: config.toml in the platform config dir.
    #[arg(long, env = "PRECRE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Open the demo portfolio: a store that does not exist is created, and an empty one gets
    /// the demo and its default model (a store with firms opens as it is).
    #[arg(long)]
    pub demo: bool,
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
    /// Which applications: pending (the queue), referred, decided (approved or declined here,
    /// not the imported history), all (the three).
    #[arg(long, value_enum, default_value_t)]
    pub state: QueueStateArg,
    /// Only the applications referred to this analyst or role.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["state", "referred_to_me"])]
    pub referred_to: Option<String>,
    /// Only the applications referred to you (--analyst, else the login name).
    #[arg(long, conflicts_with = "state")]
    pub referred_to_me: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// The shape of `precre demo features`' inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FeatureShapeArg {
    #[default]
    Normal,
    Skewed,
}

/// Which applications `precre queue` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum QueueStateArg {
    #[default]
    Pending,
    Referred,
    Decided,
    All,
}

/// `precre undo`: the analyst's own last decision.
#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Output format of the recorded reversal.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// `precre init`: a new, empty store.
#[derive(Debug, Args)]
pub struct InitArgs {}

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
    /// Who the referral goes to: an analyst's name or a role (default: senior).
    #[arg(long, requires = "refer", value_name = "NAME")]
    pub refer_to: Option<String>,
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
    /// Every decision row, undos included: the event log.
    Decisions,
    /// One row per application in its current state (reason codes and reasons as JSON arrays).
    Register,
    Predictions,
    Ratios,
}

#[derive(Debug, Args)]
pub struct MemoArgs {
    /// The application id.
    pub application: String,
    /// The file to write (default: memo-APPLICATION.html here); never replaced if it exists.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
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
    /// The file: .csv/.tsv/.txt, .parquet, .json (array of objects), .ndjson/.jsonl, .arff, .data/.dat (whitespace), .xlsx/.xlsm/.xls/.ods (spreadsheet).
    pub file: PathBuf,
    /// What the file holds.
    #[arg(
        long,
        value_name = "firms|statements|factors|applications|outcomes|features"
    )]
    pub kind: Kind,
    /// The file's format, when the extension does not tell.
    #[arg(
        long,
        value_name = "csv|parquet|json|ndjson|arff|whitespace|spreadsheet"
    )]
    pub input_format: Option<Format>,
    /// The decimal mark of the file's numbers (default: detected, and said; refused when the
    /// numbers could be read both ways).
    #[arg(long, value_name = ",|.")]
    pub decimal: Option<char>,
    /// The thousands separator: ' ' . , ' or none (default: detected).
    #[arg(long, value_name = "CHAR|none")]
    pub thousands: Option<String>,
    /// A spreadsheet's sheet, by name or number from 1 (default: the first with data; a wide
    /// statement workbook: every sheet with a row of years).
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,
    /// The spreadsheet row (from 1) holding the headers (default: detected).
    #[arg(long, value_name = "N")]
    pub header_row: Option<usize>,
    /// Statements: long (a row per firm and year) or wide (a row per account, a column per
    /// year; default: wide when a spreadsheet's header row is years).
    #[arg(long, value_name = "long|wide")]
    pub layout: Option<crate::ingest::wide::Layout>,
    /// Statements: the currency of amounts the file does not give one for (ISO 4217).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Statements: the unit of amounts the file does not give one for.
    #[arg(long, value_name = "units|thousands|millions")]
    pub unit: Option<String>,
    /// Firms: how firm ids are checked: kr-brn (Korean business registration numbers, check
    /// digit) or none (default: kr-brn for ids written XXX-XX-XXXXX, none otherwise).
    #[arg(long, value_name = "kr-brn|none")]
    pub id_scheme: Option<crate::ingest::validate::IdScheme>,
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
        /// The inputs' shape: normal, or skewed and discrete (heavy tails, many ties, a few
        /// categorical codes).
        #[arg(long, value_enum, default_value_t)]
        kind: FeatureShapeArg,
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
        /// Leave out the planted construction downturn (the portfolio the default model was
        /// trained on).
        #[arg(long)]
        no_shock: bool,
    },
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
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
    /// Longest a connection may take to send a request's headers (counted from the end of the
    /// previous answer, so also the longest it may sit idle), and longest a write to it may
    /// wait for the client to read, in seconds; then the connection is closed.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub header_timeout: u64,
    /// Connections open at once (more wait in the listen backlog).
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub max_connections: usize,
    /// How long a checked token is trusted before the store is asked again, in seconds (a
    /// revoked token is refused within this time; 0 asks the store on every request).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub token_cache: u64,
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
        /// read (firms, queue, models), score (also scoring posted firms), store (also storing
        /// posted firms: `"store": true`), decide (also decisions).
        #[arg(long, default_value = "score", value_name = "read|score|store|decide")]
        scope: crate::ops::tokens::Scope,
    },
    /// List the tokens (names, scopes, dates; never the secrets).
    List,
    /// Revoke a token (the service refuses it within 5 seconds).
    Revoke { name: String },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// First fill the dashboard's summaries again from the tables (when the check found them
    /// wrong).
    #[arg(long)]
    pub rebuild_summaries: bool,
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
    /// Restore a backup of another store over this one, or a copy that lacks decisions this
    /// store holds (they are kept in the replaced store's copy). A kit is never restored.
    #[arg(long)]
    pub force: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct KitArgs {
    #[command(subcommand)]
    pub action: KitAction,
}

#[derive(Debug, Subcommand)]
pub enum KitAction {
    /// Write a kit (a store holding part of the book, to work offline) and lease its
    /// applications to it: the given applications, or the pending queue narrowed by --sector,
    /// --filter and --limit, or the applications referred to an analyst (--assigned-to).
    Out {
        /// The kit file to write (never replaced).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Application ids (default: the pending queue, narrowed by the flags below).
        applications: Vec<String>,
        /// Only applications of firms in this sector.
        #[arg(long)]
        sector: Option<String>,
        /// Only applications of firms matching this filter (as `precre firms --filter`).
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        /// The applications referred to this analyst (or role) and not yet decided, in place
        /// of the pending queue.
        #[arg(long, value_name = "ANALYST")]
        assigned_to: Option<String>,
        /// The N riskiest pending applications (by the champion's chance of bad).
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Merge a kit back: its decisions (with their analyst and time), new firms, statements and
    /// factors; conflicts are kept for `precre conflicts`; merging twice changes nothing.
    In {
        /// The kit file.
        file: PathBuf,
        /// Leave out rows that break the import's rules (listed) instead of refusing the merge.
        #[arg(long)]
        skip_bad: bool,
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Take a kit's leases back: its applications can be decided here again (a decision made
    /// in the kit meanwhile becomes a conflict when it comes back).
    Revoke {
        /// The kit's id (see `precre kit list`).
        kit: String,
        /// Why (recorded).
        #[arg(long)]
        reason: String,
    },
    /// The kits taken out of this store, with their open leases.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

#[derive(Debug, Args)]
pub struct ConflictsArgs {
    #[command(subcommand)]
    pub action: Option<ConflictAction>,
    /// Resolved conflicts too.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum ConflictAction {
    /// Say which version of a conflict stands (recorded with who and why).
    Resolve {
        /// The conflict's number.
        id: i64,
        /// The version that stands.
        #[arg(long, value_name = "server|kit")]
        keep: String,
        /// Why (recorded).
        #[arg(long)]
        reason: String,
    },
}
