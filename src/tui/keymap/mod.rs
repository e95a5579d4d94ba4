//! The keymap: one table of (where, command, keys, what it does). Key handling looks commands up
//! here and the help overlay and the command palette are drawn from it, so they cannot drift.
//! A TOML file can rebind any command: `[keys] approve = ["a", "ctrl-a"]`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::HashMap;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Firms,
    Firm,
    Pca,
    Model,
    Triage,
    Export,
    /// The help overlay (scrolled with the global movement keys; any other key closes it).
    Help,
    /// A yes / no question.
    Confirm,
    /// A text field, the palette or the decision form: unbound characters are typed.
    Input,
}

impl Context {
    /// The contexts of pop-ups, which do not fall back to the global keys (a typed `q` is text).
    pub fn is_popup(self) -> bool {
        matches!(self, Context::Help | Context::Confirm | Context::Input)
    }

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Firms => "Firms",
            Context::Firm => "Firm",
            Context::Pca => "PCA",
            Context::Model => "Model",
            Context::Triage => "Triage",
            Context::Export => "Export",
            Context::Help => "Help",
            Context::Confirm => "Questions",
            Context::Input => "Text fields and forms",
        }
    }
}

/// Every bindable command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    Help,
    Palette,
    NextScreen,
    PrevScreen,
    GoPortfolio,
    GoFirms,
    GoFirm,
    GoPca,
    GoModel,
    GoTriage,
    GoExport,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    NextPane,
    PrevPane,
    Select,
    Back,
    Refresh,
    Search,
    Filter,
    SortNext,
    SortReverse,
    Columns,
    ClearFilter,
    MoreComponents,
    FewerComponents,
    NextRule,
    NextSelection,
    Train,
    Cancel,
    Activate,
    Compare,
    Challenger,
    Monitor,
    ToggleNode,
    Approve,
    Decline,
    Refer,
    Undo,
    TriageView,
    NewEmptyStore,
    NewDemoStore,
    Memo,
    OpenFirm,
    RunExport,
    ExportWhat,
    ExportFormat,
    EditPath,
    Confirm,
    Deny,
    Submit,
    Dismiss,
    NextField,
    PrevField,
    DeleteChar,
    ClearField,
}

/// One row of the keymap.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub context: Context,
    pub command: Command,
    /// The name used in the configuration file and the palette.
    pub name: &'static str,
    pub keys: Vec<KeyEvent>,
    pub help: &'static str,
}

mod defaults;
use defaults::DEFAULTS;

/// Why a `[keys]` table cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("'{0}' is not a key (examples: q, G, ctrl-c, enter, f1)")]
    NotAKey(String),
    #[error("keys.{0}: no such command (see the help, `?`)")]
    NoSuchCommand(String),
    #[error("keys.{command}: {key}")]
    Binding { command: String, key: Box<KeyError> },
}

/// Parses `q`, `G`, `ctrl-c`, `shift-tab`, `enter`, `f1`, `space`, ...
pub fn parse_key(s: &str) -> Result<KeyEvent, KeyError> {
    let lower = s.to_ascii_lowercase();
    let (mods, rest) = if let Some(r) = lower.strip_prefix("ctrl-") {
        (KeyModifiers::CONTROL, r.to_string())
    } else if let Some(r) = lower.strip_prefix("alt-") {
        (KeyModifiers::ALT, r.to_string())
    } else if lower == "shift-tab" || lower == "backtab" {
        return Ok(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    } else {
        (KeyModifiers::NONE, s.to_string())
    };
    let code = match rest.to_ascii_lowercase().as_str() {
        "tab" => KeyCode::Tab,
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => return Err(KeyError::NotAKey(s.to_string())),
            }
        }
    };
    Ok(KeyEvent::new(code, mods))
}

/// A key as help shows it.
pub fn key_label(k: &KeyEvent) -> String {
    let base = match k.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "S-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        _ => "?".into(),
    };
    if k.modifiers.contains(KeyModifiers::CONTROL) {
        format!("C-{base}")
    } else if k.modifiers.contains(KeyModifiers::ALT) {
        format!("M-{base}")
    } else {
        base
    }
}

/// Two key events are the same binding (shift is part of the character for letters).
fn same(a: &KeyEvent, b: &KeyEvent) -> bool {
    let strip = |m: KeyModifiers| m - KeyModifiers::SHIFT;
    a.code == b.code && strip(a.modifiers) == strip(b.modifiers)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct KeysFile {
    #[serde(default)]
    pub keys: HashMap<String, KeyList>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULTS
                .iter()
                .map(|(context, command, name, keys, help)| Binding {
                    context: *context,
                    command: *command,
                    name,
                    keys: keys.iter().filter_map(|k| parse_key(k).ok()).collect(),
                    help,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The default keymap with the overrides of a `[keys]` table applied.
    pub fn with_overrides(keys: &HashMap<String, KeyList>) -> Result<Keymap, KeyError> {
        let mut map = Keymap::default();
        for (name, list) in keys {
            let b = map
                .bindings
                .iter_mut()
                .find(|b| b.name == name)
                .ok_or_else(|| KeyError::NoSuchCommand(name.clone()))?;
            let list = match list {
                KeyList::One(k) => vec![k.clone()],
                KeyList::Many(v) => v.clone(),
            };
            b.keys = list
                .iter()
                .map(|k| {
                    parse_key(k).map_err(|e| KeyError::Binding {
                        command: name.clone(),
                        key: Box::new(e),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(map)
    }

    /// The command a key runs on a screen: the screen's bindings first, then the global ones.
    /// A pop-up's context has only its own bindings (the help overlay reads the global movement
    /// keys through [`Keymap::lookup_global`]).
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Command> {
        let contexts: &[Context] = if context.is_popup() {
            &[context]
        } else {
            &[context, Context::Global]
        };
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == *ctx && b.keys.iter().any(|k| same(k, key)))
                .map(|b| b.command)
        })
    }

    /// A global binding of a key (the help overlay scrolls with the movement keys).
    pub fn lookup_global(&self, key: &KeyEvent) -> Option<Command> {
        self.lookup(Context::Global, key)
    }

    /// The bindings help shows for a screen: its own, the global ones, then the pop-ups'.
    pub fn help_for(&self, context: Context) -> Vec<&Binding> {
        let mut v: Vec<&Binding> = self
            .bindings
            .iter()
            .filter(|b| b.context == context && context != Context::Global)
            .collect();
        for ctx in [Context::Global, Context::Confirm, Context::Input] {
            v.extend(self.bindings.iter().filter(|b| b.context == ctx));
        }
        v
    }

    /// Every key of a command, as help shows them ("y", "n/Esc").
    pub fn keys_of(&self, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .map(|b| b.keys.iter().map(key_label).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }

    /// The first key of a command, as help shows it.
    pub fn key_of(&self, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first())
            .map(key_label)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_keys_win_over_global_and_overrides_apply() {
        let map = Keymap::default();
        let r = parse_key("r").unwrap();
        assert_eq!(map.lookup(Context::Triage, &r), Some(Command::Refer));
        assert_eq!(map.lookup(Context::Pca, &r), Some(Command::NextRule));
        assert_eq!(map.lookup(Context::Firms, &r), None);
        let mut keys = HashMap::new();
        keys.insert("approve".to_string(), KeyList::One("y".into()));
        let map = Keymap::with_overrides(&keys).unwrap();
        assert_eq!(
            map.lookup(Context::Triage, &parse_key("y").unwrap()),
            Some(Command::Approve)
        );
        keys.insert("nope".to_string(), KeyList::One("y".into()));
        assert!(Keymap::with_overrides(&keys)
            .unwrap_err()
            .to_string()
            .contains("keys.nope"));
        assert!(parse_key("ctrl-").is_err());
    }

    #[test]
    fn popups_have_their_own_keys_and_never_fall_back_to_the_global_ones() {
        let map = Keymap::default();
        let q = parse_key("q").unwrap();
        assert_eq!(map.lookup(Context::Input, &q), None, "a typed q is text");
        assert_eq!(map.lookup(Context::Confirm, &q), None);
        assert_eq!(
            map.lookup(Context::Confirm, &parse_key("y").unwrap()),
            Some(Command::Confirm)
        );
        assert_eq!(
            map.lookup(Context::Input, &parse_key("esc").unwrap()),
            Some(Command::Dismiss)
        );
        // x cancels a job from every screen, not only Model.
        for ctx in [
            Context::Global,
            Context::Export,
            Context::Triage,
            Context::Model,
        ] {
            assert_eq!(
                map.lookup(ctx, &parse_key("x").unwrap()),
                Some(Command::Cancel)
            );
        }
        // Every binding's name is unique, so a configuration file can rebind each one.
        let mut names: Vec<&str> = map.bindings.iter().map(|b| b.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
        // A remapped pop-up key reaches the pop-up.
        let mut keys = HashMap::new();
        keys.insert("confirm".to_string(), KeyList::One("j".into()));
        let map = Keymap::with_overrides(&keys).unwrap();
        assert_eq!(
            map.lookup(Context::Confirm, &parse_key("j").unwrap()),
            Some(Command::Confirm)
        );
        assert_eq!(map.lookup(Context::Confirm, &parse_key("y").unwrap()), None);
    }
}
