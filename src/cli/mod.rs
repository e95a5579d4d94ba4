//! The command line: clap definitions of every subcommand and flag.

mod args;
mod modelling;
pub use args::*;
pub use modelling::*;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "precre",
    version,
    about = "PRECRE: a credit workbench for SME lending (store, import, ratios, models, triage)",
    long_about = "PRECRE keeps firms, financial statements, business factors, loan applications and \
                  outcomes in a local SQLite store, computes a catalogue of financial ratios, and \
                  compares firms with their sector peers.",
    after_help = "Examples:\n  precre demo                      load the demo portfolio and the default model\n  precre queue                     the pending applications, riskiest first\n  precre firms --sector retail     list retail firms\n  precre ratios --firm 123-45-67890\n\nThe store: --db PATH, else $PRECRE_DB, else the platform's data directory."
)]
pub struct Cli {
    /// The store file (created readable by its owner only if it does not exist).
    #[arg(long, global = true, env = "PRECRE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Create a new store readable and writable by its group too (file 0660, folder 0770), for
    /// a team of analysts sharing one store on a server. Without it a new store is owner-only.
    #[arg(long, global = true, env = "PRECRE_TEAM")]
    pub team: bool,

    /// The analyst's name recorded with decisions (default: the login name).
    #[arg(long, global = true, env = "PRECRE_ANALYST", value_name = "NAME")]
    pub analyst: Option<String>,

    /// How long after a decision its analyst may undo it (`precre undo`, `u` in Triage), in
    /// minutes [default: 30].
    #[arg(
        long,
        global = true,
        env = "PRECRE_UNDO_MINUTES",
        value_name = "MINUTES"
    )]
    pub undo_minutes: Option<u32>,
    /// Show every column of a table, however wide (by default a table fits the terminal:
    /// COLUMNS, else the terminal's width, else 80).
    #[arg(long, global = true)]
    pub wide: bool,

    #[command(flatten)]
    pub workbench: WorkbenchArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a file of firms, statements, factors, applications, outcomes or features.
    #[command(after_help = args::IMPORT_HELP)]
    Import(ImportArgs),
    /// List firms, filtered and sorted.
    #[command(
        after_help = "Examples:\n  precre firms --sector retail --sort current_ratio --limit 20\n  precre firms --search hanbit --format json"
    )]
    Firms(FirmsArgs),
    /// A firm's ratios over its years, a sector's quartiles, or the ratio catalogue.
    #[command(
        after_help = "Examples:\n  precre ratios --firm 123-45-67890\n  precre ratios --firm 123-45-67890 --year 2023 --format json\n  precre ratios --sector retail\n  precre ratios --list --group liquidity"
    )]
    Ratios(RatiosArgs),
    /// List the feature sets in the store, or describe one.
    #[command(
        alias = "feature-sets",
        after_help = "Examples:\n  precre sets\n  precre sets polish1 --format json"
    )]
    Sets(SetsArgs),
    /// Load the built-in demo portfolio, or regenerate its files.
    #[command(
        after_help = "Examples:\n  precre --db demo.db demo\n  precre demo generate --out data            # the committed files, byte for byte\n  precre demo generate --firms 132000 --out /tmp/big   # 1,001,761 statements\n  precre demo features --rows 100000 --out /tmp/f100k.csv   # 24 features, 3 classes"
    )]
    Demo(DemoArgs),
    /// Principal components: prcomp's importance table, the loadings, and k by a rule.
    #[command(
        after_help = "Examples:\n  precre pca --ratios stability --rule kaiser\n  precre pca --set polish1 --rule cum:0.90 --format json\n  precre pca --ratios current_ratio,debt_ratio,roa --k 2 --cutoff 0.3"
    )]
    Pca(PcaArgs),
    /// Screen the inputs before modelling: missing share, VIF, information value, correlations,
    /// near-duplicates, and a recommended set.
    #[command(
        after_help = "Examples:\n  precre screen --ratios all\n  precre screen --set polish1 --format json\n  precre screen --set german --bad 2 --max-vif 5 --bins column_1\n  precre train --set german --columns column_1,column_2   # the recommended set"
    )]
    Screen(ScreenArgs),
    #[command(
        about = modelling::train_about(),
        after_help = "Examples:\n  precre train --ratios all --max-depth 6\n  precre train --set polish1 --criterion entropy --max-depth 6 --positive 1\n  precre train --set german --pca cum:0.90 --class-weight balanced --format json"
    )]
    Train(TrainArgs),
    /// Compare model kinds on the same inputs, split and folds: accuracy, macro recall, AUC,
    /// Gini, KS, Brier, log loss and fit time, with the k-fold mean and standard deviation.
    #[command(
        after_help = "Examples:\n  precre compare --ratios all\n  precre compare --set polish1 --kinds tree,logistic,forest,boosting --positive 1\n  precre compare --ratios all --save champ && precre models promote champ-boosting --reason \"best AUC\""
    )]
    Compare(CompareArgs),
    /// A model's credit reports over its test part: gains / KS by score decile, calibration
    /// (Brier, Hosmer-Lemeshow) and score bands.
    #[command(
        after_help = "Examples:\n  precre report\n  precre report --model champ-boosting --groups 5 --format json\n  precre report --bands 0.02,0.05,0.1,0.2"
    )]
    Report(ReportArgs),
    /// Monitor a model in use: the stability of its chance of bad and of each input (PSI,
    /// CSI) against its training population, period by period, and the back-test of predicted
    /// against observed bad rates once a period's outcome window has closed.
    #[command(
        after_help = "Examples:\n  precre monitor --by year\n  precre monitor --by quarter --from 2023-01-01 --format json\n  precre monitor --model default --horizon 2"
    )]
    Monitor(MonitorArgs),
    /// Registered models: list, show, export to JSON, import from JSON, activate.
    #[command(
        after_help = "Examples:\n  precre models\n  precre models import models/default.json\n  precre models export default --out /tmp/m.json\n  precre models promote 3f2a --reason \"validated on 2024\"\n  precre models history"
    )]
    Models(ModelsArgs),
    /// Why the model puts a firm in its class: the path, the reasons, the nearest change.
    #[command(
        after_help = "Examples:\n  precre explain 101-06-72740\n  precre explain 101-06-72740 --model default --format json\n  precre explain PL1-00042 --set polish1 --model polish-tree"
    )]
    Explain(ExplainArgs),
    /// Grid search of depth, min leaf, criterion and pruning alpha by k-fold cross-validation.
    #[command(
        after_help = "Examples:\n  precre tune --ratios all\n  precre tune --set polish1 --depths 4,6,8,none --alphas 0,0.0005,0.002 --score auc --positive 1"
    )]
    Tune(TuneArgs),
    /// Score firms with a model (the active one by default) and record the predictions.
    #[command(
        after_help = "Examples:\n  precre classify --pending\n  precre classify --firm 101-06-72740 --format json\n  precre classify --all --model default --format csv > predictions.csv"
    )]
    Classify(ClassifyArgs),
    /// Cross-validated figures of a model's specification on the current data.
    #[command(
        after_help = "Examples:\n  precre evaluate\n  precre evaluate --model default --folds 10 --format json"
    )]
    Evaluate(EvaluateArgs),
    /// Print a model's tree: text with counts per node, JSON, or Graphviz DOT.
    #[command(
        after_help = "Examples:\n  precre tree\n  precre tree --model default --format dot | dot -Tpng > tree.png"
    )]
    Tree(TreeArgs),
    /// Where the store is, its schema version and what it holds.
    #[command(after_help = "Example:\n  precre info --format json")]
    Info(InfoArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  precre completions bash > ~/.local/share/bash-completion/completions/precre\n  precre completions zsh > ~/.zfunc/_precre\n  precre completions fish > ~/.config/fish/completions/precre.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Open the terminal workbench (also what `precre` alone does).
    #[command(alias = "ui")]
    Workbench(WorkbenchArgs),
    /// What the Portfolio dashboard shows: counts, ratio distributions, closures, the model's mix.
    #[command(after_help = "Examples:\n  precre portfolio\n  precre portfolio --format json")]
    Portfolio(FormatArgs),
    /// The triage queue: pending applications, riskiest first, with the model's class, probabilities and reasons.
    #[command(
        after_help = "Examples:\n  precre queue\n  precre queue --limit 10 --format json\n  precre queue --referred-to-me\n  precre queue --state decided --format csv > decided.csv"
    )]
    Queue(QueueArgs),
    /// What the Firm screen shows: facts, ratios against the sector, the model's view, applications, decisions.
    #[command(
        after_help = "Examples:\n  precre firm 101-06-72740\n  precre firm 101-06-72740 --format json"
    )]
    Firm(FirmArgs),
    /// The committee pack: an application's credit memo as one HTML page that prints on A4.
    #[command(
        after_help = "Examples:\n  precre memo APP-000872-1\n  precre memo APP-000872-1 --out committee/APP-000872-1.html\n\nAn existing file is never replaced: name another."
    )]
    Memo(MemoArgs),
    /// Decide a pending application: approve, decline (with reasons) or refer.
    #[command(
        after_help = "Examples:\n  precre decide APP-000123 --approve --note \"collateral checked\"\n  precre decide APP-000123 --decline --reason \"current ratio below 1\" --reason \"falling margin\"\n  precre decide APP-000123 --refer --refer-to kim --note \"site visit first\"\n  precre decide APP-000123 --approve --replace --override-reason \"new guarantee\"   # logged override"
    )]
    Decide(DecideArgs),
    /// Undo your own last decision, from any session, within the undo window (a reversal
    /// recorded in the decision chain; the application is pending again).
    #[command(
        after_help = "Examples:\n  precre undo\n  precre --analyst kim --undo-minutes 60 undo"
    )]
    Undo(UndoArgs),
    /// Create a new, empty store (nothing else creates one but `demo`, `import` and the
    /// workbench's first question).
    #[command(after_help = "Example:\n  precre --db /srv/credit/team.db --team init")]
    Init(InitArgs),
    /// Export decisions, predictions or ratio tables (CSV, JSON, Parquet or Excel, from the extension).
    #[command(
        after_help = "Examples:\n  precre export decisions --out decisions.csv\n  precre export predictions --out predictions.parquet\n  precre export ratios --out ratios.json --force"
    )]
    Export(ExportArgs),
    /// Serve the active model over HTTP (JSON API; bearer tokens from `precre token create`).
    #[command(
        after_help = "Examples:\n  precre token create partner-portal --scope score\n  precre serve                                  # 127.0.0.1:8080\n  precre serve --listen 0.0.0.0:9000 --concurrency 128\n  curl -H \"Authorization: Bearer $TOKEN\" localhost:8080/v1/queue"
    )]
    Serve(ServeArgs),
    /// Access tokens of the scoring service: create (the secret is shown once), list, revoke.
    #[command(
        after_help = "Examples:\n  precre token create loan-origination --scope score\n  precre token create kim --scope decide\n  precre token list\n  precre token revoke loan-origination"
    )]
    Token(TokenArgs),
    /// Check the store: integrity, foreign keys, that every decision's model exists, and the
    /// dashboard's summaries.
    #[command(
        after_help = "Examples:\n  precre check\n  precre --db /srv/credit/team.db check && echo consistent\n  precre check --rebuild-summaries"
    )]
    Check(CheckArgs),
    /// Take a consistent, verified copy of the store while others go on working.
    #[command(
        after_help = "Examples:\n  precre backup --out backups/credit-2026-12-01.db\n  precre --db /srv/credit/team.db backup --out /srv/backups/team.db --force"
    )]
    Backup(BackupArgs),
    /// Put a backup back in place of the store (the replaced store is kept beside it, under a
    /// new name each time).
    #[command(
        after_help = "Examples:\n  precre restore backups/credit-2026-12-01.db\n  precre --db other.db restore backups/credit.db --force   # a backup of another store, or one lacking decisions (kept aside)"
    )]
    Restore(RestoreArgs),
    /// Field kits: take part of the book out to work offline, bring it back, take leases back.
    #[command(
        after_help = "Examples:\n  precre kit out --out /media/usb/busan.kit --sector retail --limit 20\n  precre kit out --out lee.kit APP-000028-1 APP-000031-1\n  precre kit in /media/usb/busan.kit\n  precre kit revoke 3f2a9c01d4e5b6a7 --reason \"laptop lost\"\n  precre --db lee.kit workbench            # work on the kit offline"
    )]
    Kit(KitArgs),
    /// Conflicts found when kits came back (decided in two places, a statement or a firm
    /// changed on both sides), and resolving them.
    #[command(
        after_help = "Examples:\n  precre conflicts\n  precre conflicts --all --format json\n  precre conflicts resolve 3 --keep kit --reason \"the site visit is more recent\""
    )]
    Conflicts(ConflictsArgs),
}
