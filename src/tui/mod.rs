//! The terminal workbench (ratatui + crossterm): settings, the event loop, and the terminal's
//! restoration on quit, error and panic. The state lives in `app`, changes only in `update`, is
//! drawn by `ui` and `screens`; every store access goes through the `worker`.

pub mod app;
pub mod hangup;
pub mod harness;
pub mod keymap;
pub mod popup;
pub mod replies;
pub mod screens;
pub mod theme;
pub mod tree_view;
pub mod ui;
pub mod update;
pub mod worker;

use crate::model::governance::PromotionPolicy;
use crate::store::location::Access;
use crate::store::Store;
use app::{App, Settings, StoreStart};
use crossterm::event::{self, Event};
use keymap::{Keymap, KeysFile};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use theme::Theme;
use update::{update, Action};

/// Why the workbench does not start: each is the user's to fix (the command line exits with its
/// usage code).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot read the configuration {}: {source}", path.display())]
    ReadConfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {}: {source}", path.display())]
    Config {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    /// The theme named by the `--theme` flag.
    #[error("--theme: {0}")]
    ThemeFlag(theme::ThemeError),
    /// The theme named by the configuration file (`origin`), or the default one.
    #[error("{}{source}", config_origin(origin, "theme: "))]
    Theme {
        origin: String,
        source: theme::ThemeError,
    },
    #[error("configuration {origin}: {source}")]
    Keys {
        origin: String,
        source: keymap::KeyError,
    },
    #[error("configuration {origin}: [promotion] {source}")]
    Promotion {
        origin: String,
        source: crate::model::governance::PolicyError,
    },
    #[error(
        "the workbench needs a terminal; every screen's action is also a subcommand (precre --help)"
    )]
    NoTerminal,
}

/// "configuration FILE: what: " for a setting read from a file; nothing for a default.
fn config_origin(origin: &str, what: &str) -> String {
    if origin.is_empty() {
        String::new()
    } else {
        format!("configuration {origin}: {what}")
    }
}

/// The configuration file: `theme = "light"`, a `[keys]` table of rebindings and the
/// `[promotion]` policy (four eyes, gates).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: std::collections::HashMap<String, keymap::KeyList>,
    #[serde(default)]
    promotion: PromotionPolicy,
}

/// Reads the configuration file in use (`None` when there is none).
fn read_config(flag: Option<&Path>) -> Result<Option<(ConfigFile, PathBuf)>, StartError> {
    let Some(p) = config_path(flag) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&p).map_err(|source| StartError::ReadConfig {
        path: p.clone(),
        source,
    })?;
    let f: ConfigFile = toml::from_str(&text).map_err(|e| StartError::Config {
        path: p.clone(),
        source: Box::new(e),
    })?;
    f.promotion
        .check()
        .map_err(|source| StartError::Promotion {
            origin: p.display().to_string(),
            source,
        })?;
    Ok(Some((f, p)))
}

/// The promotion policy of the configuration file in use (the defaults without one: one
/// analyst, no gates); the command line and the workbench read it the same way.
pub fn promotion_policy(flag: Option<&Path>) -> Result<PromotionPolicy, StartError> {
    Ok(read_config(flag)?
        .map(|(f, _)| f.promotion)
        .unwrap_or_default())
}

/// The configuration file in use: `--config`, else `config.toml` in the platform config dir.
pub fn config_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    directories::ProjectDirs::from("", "", "precre")
        .map(|d| d.config_dir().join("config.toml"))
        .filter(|p| p.exists())
}

/// What the workbench is started with: the analyst's name, a theme and a configuration file
/// (each `None` for the default).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub analyst: Option<String>,
    pub theme: Option<String>,
    pub config: Option<PathBuf>,
    /// How the store is opened: as it is, with the demo, or after asking (it does not exist).
    pub start: StoreStart,
    /// Who may read the store if the workbench creates it.
    pub access: Access,
    /// How long after a decision its analyst may undo it, in minutes (`None`: the default).
    pub undo_minutes: Option<u32>,
}

/// Reads the settings: analyst, theme (flag, then file, then dark; NO_COLOR wins), keymap.
pub fn settings(options: &Options, store_label: String) -> anyhow::Result<Settings> {
    let (file, origin) = match read_config(options.config.as_deref())? {
        Some((f, p)) => (f, p.display().to_string()),
        None => (ConfigFile::default(), String::new()),
    };
    let theme = match (&options.theme, &file.theme) {
        (Some(flag), _) => Theme::resolve(Some(flag)).map_err(StartError::ThemeFlag),
        (None, Some(t)) => Theme::resolve(Some(t)).map_err(|source| StartError::Theme {
            origin: origin.clone(),
            source,
        }),
        (None, None) => Theme::resolve(None).map_err(|source| StartError::Theme {
            origin: String::new(),
            source,
        }),
    }?;
    let keys = KeysFile { keys: file.keys };
    let keymap = Keymap::with_overrides(&keys.keys).map_err(|source| StartError::Keys {
        origin: origin.clone(),
        source,
    })?;
    Ok(Settings {
        analyst: crate::decisions::analyst_name(options.analyst.as_deref()),
        theme,
        keymap,
        promotion: file.promotion,
        store_label,
        export_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        start: options.start,
        store_path: PathBuf::new(),
        undo_minutes: options
            .undo_minutes
            .unwrap_or(crate::decisions::DEFAULT_UNDO_MINUTES),
    })
}

/// What the title bar says of the store: its file name, and on a field kit that it is one, of
/// which store and since when (a decision taken there reaches the server only by `kit in`).
pub fn store_label(store: &Store, path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match store.kit_origin() {
        Ok(Some(o)) => format!(
            "KIT {} of store {} since {} · {name}",
            o.kit_id,
            o.server_store_id,
            o.taken_at.get(..10).unwrap_or(&o.taken_at)
        ),
        _ => name,
    }
}

/// Runs the workbench on the store at `path` until the analyst quits. The store is opened (and,
/// when it does not exist, created) by the worker at its first request, which comes once the
/// analyst has answered the first question where there is one.
pub fn run(path: PathBuf, options: &Options) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    // The settings first: a bad configuration, theme or keymap is said even without a terminal.
    // A store that exists is read for the title bar (a field kit says so there).
    let label = match path.is_file().then(|| Store::open(&path)) {
        Some(Ok(store)) => store_label(&store, &path),
        _ => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let mut settings = settings(options, label)?;
    settings.store_path = path.clone();
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(StartError::NoTerminal.into());
    }
    let mut app = App::new(settings);
    let worker = worker::Worker::start_with(path, options.access);
    // A hang-up ends the loop through a flag (see `hangup`), not by the signal's default action.
    hangup::install()?;
    // ratatui::init enters raw mode and the alternate screen and installs a panic hook that
    // restores the terminal before the panic message is printed.
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, &worker);
    if hangup::received() {
        // The terminal is gone or going: restore what can be restored (writing to a hung-up
        // terminal fails, and there is nobody to tell), the cursor included (`hangup::exit`
        // ends the process without dropping `terminal`, which would show it), stop a long job,
        // let the writes already asked of the worker (a decision confirmed just before) finish,
        // and end.
        let _ = ratatui::try_restore();
        let _ = terminal.show_cursor();
        worker.cancel();
        worker.finish(Duration::from_secs(5));
        hangup::exit();
    }
    ratatui::restore();
    result
}

/// Where the loop's events come from: the terminal, or a test's script of keys.
pub trait Events {
    /// The next event within `timeout`, if any (`app` lets a test's script wait for a state).
    fn next(&mut self, app: &App, timeout: Duration) -> anyhow::Result<Option<Event>>;

    /// Whether the terminal has hung up: the loop then ends as if the analyst had quit.
    fn hung_up(&self) -> bool {
        false
    }
}

/// The terminal's events (crossterm).
pub struct TerminalEvents;

impl Events for TerminalEvents {
    fn next(&mut self, _app: &App, timeout: Duration) -> anyhow::Result<Option<Event>> {
        if event::poll(timeout)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    }

    fn hung_up(&self) -> bool {
        hangup::received()
    }
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    worker: &worker::Worker,
) -> anyhow::Result<()> {
    main_loop(terminal, app, worker, &mut TerminalEvents)
}

/// The event loop, generic over the ratatui backend (a terminal, or the tests' `TestBackend`)
/// and the source of events: send queued requests, draw when something changed, apply worker
/// replies and events, until the analyst quits or the terminal hangs up.
pub fn main_loop<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    app: &mut App,
    worker: &worker::Worker,
    events: &mut dyn Events,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    // The window's size before anything else: a key in a window too small to see does nothing.
    let size = terminal.size()?;
    update(app, Action::Resize(size.width, size.height));
    update(app, Action::Start);
    let mut dirty = true;
    loop {
        // Nothing reaches the worker (which would create the store) while the first question
        // is open: the analyst's answer decides whether there is a store at all.
        if !matches!(app.overlay, popup::Overlay::NewStore(_)) {
            for (id, req) in app.outbox.drain(..) {
                worker.send(id, req);
            }
        }
        if app.cancel_requested {
            worker.cancel();
            app.cancel_requested = false;
        }
        if !app.running || events.hung_up() {
            return Ok(());
        }
        if dirty {
            terminal.draw(|f| ui::draw(f, app))?;
            dirty = false;
        }
        while let Ok(env) = worker.replies.try_recv() {
            update(app, Action::Reply(env));
            dirty = true;
        }
        if dirty {
            continue;
        }
        if let Some(ev) = events.next(app, Duration::from_millis(30))? {
            match ev {
                Event::Key(k) => update(app, Action::Key(k)),
                Event::Resize(w, h) => {
                    terminal.autoresize()?;
                    update(app, Action::Resize(w, h))
                }
                _ => {}
            }
            dirty = true;
        }
    }
}
