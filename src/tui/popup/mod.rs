//! The pop-ups over a screen: help, the command palette, one-line inputs, the decision form and
//! yes / no questions. Their keys come from the keymap's pop-up contexts (`Context::Help`,
//! `Confirm`, `Input`), so help lists them and a configuration file can rebind them; characters
//! no binding claims are typed into the text.

mod draw;
pub use draw::draw;

use super::app::{App, Level, Screen};
use super::keymap::{Command, Context};
use super::screens;
use crate::decisions::{ModelRef, Verdict};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;

/// What a one-line text input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    Search,
    Filter,
    Columns,
    OpenFirm,
    ExportPath,
    FormField(usize),
}

impl InputPurpose {
    pub fn prompt(self) -> &'static str {
        match self {
            InputPurpose::Search => "Search name or id",
            InputPurpose::Filter => "Filter",
            InputPurpose::Columns => "Ratio columns (ids, comma-separated)",
            InputPurpose::OpenFirm => "Open firm (id)",
            InputPurpose::ExportPath => "Export to file",
            InputPurpose::FormField(i) => {
                crate::tui::screens::model::FORM_FIELDS
                    [i.min(crate::tui::screens::model::FORM_FIELDS.len() - 1)]
            }
        }
    }
}

/// A decision being written in the triage pop-up.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDraft {
    pub verdict: Verdict,
    pub application_id: String,
    pub firm: String,
    pub model: Option<ModelRef>,
    /// Up to four reason lines (declines), prefilled from the model.
    pub reasons: Vec<String>,
    /// Who a referral goes to (referrals only; prefilled with the default role).
    pub referred_to: String,
    pub note: String,
    pub override_reason: String,
    /// The decision goes against the model's class: an override reason is needed.
    pub against_model: bool,
    pub field: usize,
    pub error: Option<String>,
}

impl DecisionDraft {
    fn reason_fields(&self) -> usize {
        if self.verdict == Verdict::Decline {
            crate::decisions::MAX_REASONS
        } else {
            0
        }
    }

    fn referral_fields(&self) -> usize {
        usize::from(self.verdict == Verdict::Refer)
    }

    /// The fields in order: reasons (declines only), who a referral goes to (referrals only),
    /// note, override reason (when needed).
    pub fn field_names(&self) -> Vec<String> {
        let mut v: Vec<String> = (1..=self.reason_fields())
            .map(|i| format!("reason {i}"))
            .collect();
        if self.referral_fields() > 0 {
            v.push("refer to".into());
        }
        v.push("note".into());
        if self.against_model {
            v.push("override reason".into());
        }
        v
    }

    pub fn field_mut(&mut self, i: usize) -> &mut String {
        let (reasons, referral) = (self.reason_fields(), self.referral_fields());
        if i < reasons {
            &mut self.reasons[i]
        } else if i < reasons + referral {
            &mut self.referred_to
        } else if i == reasons + referral {
            &mut self.note
        } else {
            &mut self.override_reason
        }
    }

    pub fn field(&self, i: usize) -> &str {
        let (reasons, referral) = (self.reason_fields(), self.referral_fields());
        if i < reasons {
            &self.reasons[i]
        } else if i < reasons + referral {
            &self.referred_to
        } else if i == reasons + referral {
            &self.note
        } else {
            &self.override_reason
        }
    }

    /// Whether anything was typed that quitting would lose.
    pub fn has_text(&self) -> bool {
        !self.note.trim().is_empty()
            || !self.override_reason.trim().is_empty()
            || !self.referred_to.trim().is_empty()
    }
}

/// A promotion being confirmed: what it changes, and the analyst's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionDraft {
    pub preview: Box<crate::ops::governance::Preview>,
    pub reason: String,
    pub error: Option<String>,
}

/// The pop-up on top of the screen, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help {
        scroll: usize,
    },
    Palette {
        input: String,
        selected: usize,
    },
    Input {
        purpose: InputPurpose,
        text: String,
    },
    Decision(Box<DecisionDraft>),
    Promote(Box<PromotionDraft>),
    /// Esc on a decision form with text: discard it? (no goes back to the form).
    ConfirmDiscard(Box<DecisionDraft>),
    /// Quit although `what` would be lost? (no goes back to `back`, the pop-up open before).
    ConfirmQuit {
        what: String,
        back: Box<Overlay>,
    },
    ConfirmOverwrite(PathBuf),
    /// The first start on a path where no store is: an empty store, the demo, or quit.
    NewStore(PathBuf),
}

impl Overlay {
    /// The keymap context of this pop-up.
    pub fn context(&self) -> Option<Context> {
        match self {
            Overlay::None => None,
            Overlay::Help { .. } => Some(Context::Help),
            Overlay::ConfirmQuit { .. }
            | Overlay::ConfirmOverwrite(_)
            | Overlay::ConfirmDiscard(_)
            | Overlay::NewStore(_) => Some(Context::Confirm),
            Overlay::Palette { .. }
            | Overlay::Input { .. }
            | Overlay::Decision(_)
            | Overlay::Promote(_) => Some(Context::Input),
        }
    }
}

/// Opens a one-line input.
pub fn open_input(app: &mut App, purpose: InputPurpose, text: String) {
    app.overlay = Overlay::Input { purpose, text };
}

/// A text edit a key makes: typed character, deletion, clearing.
enum Edit {
    Type(char),
    Delete,
    Clear,
}

fn edit_of(cmd: Option<Command>, key: &KeyEvent) -> Option<Edit> {
    match cmd {
        Some(Command::DeleteChar) => Some(Edit::Delete),
        Some(Command::ClearField) => Some(Edit::Clear),
        Some(_) => None,
        None => match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(Edit::Type(c))
            }
            _ => None,
        },
    }
}

fn apply(text: &mut String, edit: Edit) {
    match edit {
        Edit::Type(c) => text.push(c),
        Edit::Delete => {
            text.pop();
        }
        Edit::Clear => text.clear(),
    }
}

/// A key while a pop-up is open.
pub fn on_key(app: &mut App, key: KeyEvent) {
    let overlay = std::mem::replace(&mut app.overlay, Overlay::None);
    let km = &app.settings.keymap;
    let cmd = overlay.context().and_then(|ctx| km.lookup(ctx, &key));
    app.overlay = match overlay {
        Overlay::None => Overlay::None,
        Overlay::Help { scroll } => match km.lookup_global(&key) {
            Some(Command::Down) => Overlay::Help { scroll: scroll + 1 },
            Some(Command::Up) => Overlay::Help {
                scroll: scroll.saturating_sub(1),
            },
            Some(Command::PageDown) => Overlay::Help {
                scroll: scroll + 10,
            },
            Some(Command::PageUp) => Overlay::Help {
                scroll: scroll.saturating_sub(10),
            },
            _ => Overlay::None,
        },
        Overlay::ConfirmQuit { what, back } => match cmd {
            Some(Command::Confirm) => {
                app.running = false;
                Overlay::None
            }
            Some(Command::Deny) => *back,
            _ => Overlay::ConfirmQuit { what, back },
        },
        Overlay::NewStore(path) => match cmd {
            Some(Command::NewEmptyStore) => {
                app.overlay = Overlay::None;
                return super::update::bootstrap(app, false);
            }
            Some(Command::NewDemoStore) => {
                app.overlay = Overlay::None;
                return super::update::bootstrap(app, true);
            }
            _ if cmd == Some(Command::Deny) || km.lookup_global(&key) == Some(Command::Quit) => {
                app.running = false;
                Overlay::NewStore(path)
            }
            _ => Overlay::NewStore(path),
        },
        Overlay::ConfirmDiscard(d) => match cmd {
            Some(Command::Confirm) => {
                app.set_status(Level::Info, "decision not taken; its text is discarded");
                Overlay::None
            }
            Some(Command::Deny) => Overlay::Decision(d),
            _ => Overlay::ConfirmDiscard(d),
        },
        Overlay::ConfirmOverwrite(path) => match cmd {
            Some(Command::Confirm) => {
                app.overlay = Overlay::None;
                screens::export::start(app, true);
                return;
            }
            Some(Command::Deny) => {
                let msg = format!(
                    "export cancelled; {} changes the path",
                    app.key(Command::EditPath)
                );
                app.set_status(Level::Info, msg);
                Overlay::None
            }
            _ => Overlay::ConfirmOverwrite(path),
        },
        Overlay::Palette {
            mut input,
            selected,
        } => {
            let matches = palette_matches(app, &input);
            match cmd {
                Some(Command::Dismiss) => Overlay::None,
                Some(Command::Submit) => {
                    if let Some(&(ctx, cmd)) = matches.get(selected) {
                        if let Some(s) = Screen::ALL.iter().find(|s| s.context() == ctx) {
                            if ctx != Context::Global && app.screen != *s {
                                super::update::switch(app, *s);
                            }
                        }
                        super::update::run(app, cmd);
                        return;
                    }
                    Overlay::None
                }
                Some(Command::NextField) => Overlay::Palette {
                    selected: (selected + 1).min(matches.len().saturating_sub(1)),
                    input,
                },
                Some(Command::PrevField) => Overlay::Palette {
                    selected: selected.saturating_sub(1),
                    input,
                },
                c => match edit_of(c, &key) {
                    Some(e) => {
                        apply(&mut input, e);
                        Overlay::Palette { input, selected: 0 }
                    }
                    None => Overlay::Palette { input, selected },
                },
            }
        }
        Overlay::Input { purpose, mut text } => match cmd {
            Some(Command::Dismiss) => Overlay::None,
            Some(Command::Submit) => {
                submit_input(app, purpose, text);
                return;
            }
            c => {
                if let Some(e) = edit_of(c, &key) {
                    apply(&mut text, e);
                }
                Overlay::Input { purpose, text }
            }
        },
        Overlay::Promote(mut d) => match cmd {
            Some(Command::Dismiss) => {
                app.set_status(Level::Info, "nothing changed: the model was not promoted");
                Overlay::None
            }
            Some(Command::Submit) if d.reason.trim().is_empty() => {
                d.error = Some("give a reason: the model log records why".into());
                Overlay::Promote(d)
            }
            Some(Command::Submit) => {
                screens::model::submit_promotion(app, *d);
                return;
            }
            c => {
                if let Some(e) = edit_of(c, &key) {
                    d.error = None;
                    apply(&mut d.reason, e);
                }
                Overlay::Promote(d)
            }
        },
        Overlay::Decision(mut d) => {
            let n = d.field_names().len();
            match cmd {
                // A typed note is never dropped without asking.
                Some(Command::Dismiss) if d.has_text() => Overlay::ConfirmDiscard(d),
                Some(Command::Dismiss) => {
                    app.set_status(Level::Info, "decision not taken");
                    Overlay::None
                }
                Some(Command::Submit) => {
                    screens::triage::submit_decision(app, *d);
                    return;
                }
                Some(Command::NextField) => {
                    d.field = (d.field + 1) % n;
                    Overlay::Decision(d)
                }
                Some(Command::PrevField) => {
                    d.field = (d.field + n - 1) % n;
                    Overlay::Decision(d)
                }
                c => {
                    if let Some(e) = edit_of(c, &key) {
                        if matches!(e, Edit::Type(_)) {
                            d.error = None;
                        }
                        let f = d.field;
                        apply(d.field_mut(f), e);
                    }
                    Overlay::Decision(d)
                }
            }
        }
    };
}

/// The palette's commands matching the typed text (name or help), this screen's first.
pub fn palette_matches(app: &App, input: &str) -> Vec<(Context, Command)> {
    let needle = input.to_ascii_lowercase();
    let mut v: Vec<(Context, Command)> = app
        .settings
        .keymap
        .bindings
        .iter()
        .filter(|b| !b.context.is_popup())
        .filter(|b| {
            needle.is_empty()
                || b.name.contains(&needle)
                || b.help.to_ascii_lowercase().contains(&needle)
        })
        .map(|b| (b.context, b.command))
        .collect();
    let here = app.screen.context();
    v.sort_by_key(|(c, _)| *c != here);
    v
}

fn submit_input(app: &mut App, purpose: InputPurpose, text: String) {
    let refused = match purpose {
        InputPurpose::Search => {
            screens::firms::set_search(app, &text);
            None
        }
        InputPurpose::Filter => screens::firms::set_filter(app, &text)
            .err()
            .map(|e| e.to_string()),
        InputPurpose::Columns => screens::firms::set_columns(app, &text)
            .err()
            .map(|e| e.to_string()),
        InputPurpose::OpenFirm => {
            screens::firm::open_by_id(app, &text);
            None
        }
        InputPurpose::ExportPath => {
            screens::export::set_path(app, &text);
            None
        }
        InputPurpose::FormField(i) => {
            screens::model::set_field(app, i, text.clone());
            None
        }
    };
    if let Some(e) = refused {
        app.set_status(Level::Error, e);
        app.overlay = Overlay::Input { purpose, text };
    }
}
