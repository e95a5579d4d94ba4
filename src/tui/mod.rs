//! The terminal workbench (ratatui + crossterm): settings, the event loop, and the terminal's
//! restoration on quit, error and panic. The state lives in `app`, changes only in `update`, is
//! drawn by `ui` and `screens`; every store access goes through the `worker`.

pub mod app;
pub mod harness;
pub mod keymap;
pub mod screens;
pub mod theme;
pub mod tree_view;
pub mod ui;
pub mod update;
pub mod worker;

use crate::cli::Cli;
use crate::store::Store;
use app::{App, Settings};
use crossterm::event::{self, Event};
use keymap::{Keymap, KeysFile};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use theme::Theme;
use update::{update, Action};

/// The configuration file: `theme = "light"` and a `[keys]` table of rebindings.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: std::collections::HashMap<String, keymap::KeyList>,
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

/// Reads the settings: analyst, theme (flag, then file, then dark; NO_COLOR wins), keymap.
pub fn settings(cli: &Cli, store_label: String) -> anyhow::Result<Settings> {
    let (file, origin) = match config_path(cli.config.as_deref()) {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                anyhow::anyhow!("cannot read the configuration {}: {e}", p.display())
            })?;
            let f: ConfigFile = toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("configuration {}: {e}", p.display()))?;
            (f, p.display().to_string())
        }
        None => (ConfigFile::default(), String::new()),
    };
    let theme = Theme::resolve(cli.theme.as_deref().or(file.theme.as_deref()))
        .map_err(|e| crate::commands::UsageError(format!("--theme: {e}")))?;
    let keys = KeysFile { keys: file.keys };
    let keymap = Keymap::with_overrides(&keys.keys)
        .map_err(|e| crate::commands::UsageError(format!("configuration {origin}: {e}")))?;
    Ok(Settings {
        analyst: crate::decisions::analyst_name(cli.analyst.as_deref()),
        theme,
        keymap,
        store_label,
        export_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    })
}

/// Runs the workbench on the store until the analyst quits.
pub fn run(store: Store, cli: &Cli) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let path = store
        .path()
        .map(Path::to_path_buf)
        .ok_or_else(|| anyhow::anyhow!("the workbench needs a store file"))?;
    drop(store);
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(crate::commands::UsageError(
            "the workbench needs a terminal; every screen's action is also a subcommand (precre --help)"
                .into(),
        )
        .into());
    }
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut app = App::new(settings(cli, label)?);
    let worker = worker::Worker::start(path);
    // ratatui::init enters raw mode and the alternate screen and installs a panic hook that
    // restores the terminal before the panic message is printed.
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, &worker);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    worker: &worker::Worker,
) -> anyhow::Result<()> {
    update(app, Action::Start);
    let mut dirty = true;
    loop {
        for (id, req) in app.outbox.drain(..) {
            worker.send(id, req);
        }
        if app.cancel_requested {
            worker.cancel();
            app.cancel_requested = false;
        }
        if !app.running {
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
        if event::poll(Duration::from_millis(30))? {
            match event::read()? {
                Event::Key(k) => update(app, Action::Key(k)),
                Event::Resize(_, _) => {
                    terminal.autoresize()?;
                    update(app, Action::Resize)
                }
                _ => {}
            }
            dirty = true;
        }
    }
}
