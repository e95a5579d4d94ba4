//! Themes: TOML files (the four in `themes/` are built in) turned into styles; `NO_COLOR` gives
//! monochrome; `#rrggbb` is sent as true colour only when the terminal says so.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;

/// The built-in themes, embedded so an installed binary has them.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    monochrome: bool,
    #[serde(default)]
    bold_titles: bool,
    colors: Colors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Colors {
    text: String,
    muted: String,
    accent: String,
    title: String,
    border: String,
    selected_fg: String,
    selected_bg: String,
    good: String,
    satisfactory: String,
    bad: String,
    warning: String,
    error: String,
    notice: String,
}

/// The styles the screens draw with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub monochrome: bool,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub border: Style,
    pub selected: Style,
    pub good: Style,
    pub satisfactory: Style,
    pub bad: Style,
    pub warning: Style,
    pub error: Style,
    pub notice: Style,
}

/// Why a theme cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("'{0}' is not a colour: use a name (red, lightcyan, ...), reset, 0-255 or #rrggbb")]
    NotAColour(String),
    #[error("{origin}: {source}")]
    File {
        origin: String,
        source: Box<toml::de::Error>,
    },
    #[error("{origin}: colors.{field}: {colour}")]
    Colour {
        origin: String,
        field: &'static str,
        colour: Box<ThemeError>,
    },
    #[error("cannot read theme {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("no theme '{0}': use dark, light, high-contrast, monochrome or a theme file")]
    Unknown(String),
}

/// Parses a colour name, index or `#rrggbb`.
pub fn parse_color(s: &str, truecolor: bool) -> Result<Color, ThemeError> {
    let t = s.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
    let named = match t.as_str() {
        "reset" | "default" => Some(Color::Reset),
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" | "grey" => Some(Color::Gray),
        "darkgray" | "darkgrey" => Some(Color::DarkGray),
        "lightred" => Some(Color::LightRed),
        "lightgreen" => Some(Color::LightGreen),
        "lightyellow" => Some(Color::LightYellow),
        "lightblue" => Some(Color::LightBlue),
        "lightmagenta" => Some(Color::LightMagenta),
        "lightcyan" => Some(Color::LightCyan),
        "white" => Some(Color::White),
        _ => None,
    };
    if let Some(c) = named {
        return Ok(c);
    }
    if let Ok(i) = t.parse::<u8>() {
        return Ok(Color::Indexed(i));
    }
    if let Some(hex) = t.strip_prefix('#').filter(|h| h.len() == 6) {
        let v = u32::from_str_radix(hex, 16).map_err(|_| ThemeError::NotAColour(s.to_string()))?;
        let (r, g, b) = ((v >> 16) as u8, (v >> 8) as u8, v as u8);
        return Ok(if truecolor {
            Color::Rgb(r, g, b)
        } else {
            Color::Indexed(nearest_256(r, g, b))
        });
    }
    Err(ThemeError::NotAColour(s.to_string()))
}

/// The nearest colour of the xterm 6x6x6 cube or grey ramp.
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> u8 {
        if v < 48 {
            0
        } else if v < 115 {
            1
        } else {
            (v - 35) / 40
        }
    };
    let cube = 16 + 36 * level(r) + 6 * level(g) + level(b);
    let steps = [0u8, 95, 135, 175, 215, 255];
    let cube_rgb = (
        steps[level(r) as usize],
        steps[level(g) as usize],
        steps[level(b) as usize],
    );
    let grey_level = ((u32::from(r) + u32::from(g) + u32::from(b)) / 3) as u8;
    let gi = if grey_level > 238 {
        23
    } else {
        grey_level.saturating_sub(3) / 10
    };
    let gv = 8 + 10 * gi;
    let d = |a: (u8, u8, u8)| -> i32 {
        let f = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        f(a.0, r) + f(a.1, g) + f(a.2, b)
    };
    if d((gv, gv, gv)) < d(cube_rgb) {
        232 + gi
    } else {
        cube
    }
}

/// Whether the terminal says it takes 24-bit colour.
pub fn terminal_truecolor() -> bool {
    std::env::var("COLORTERM")
        .map(|v| matches!(v.as_str(), "truecolor" | "24bit"))
        .unwrap_or(false)
}

/// Whether `NO_COLOR` asks for no colour (set to any non-empty value).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    /// A theme from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str, truecolor: bool) -> Result<Theme, ThemeError> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::File {
            origin: origin.to_string(),
            source: Box::new(e),
        })?;
        let c = |s: &str, field: &'static str| {
            parse_color(s, truecolor).map_err(|e| ThemeError::Colour {
                origin: origin.to_string(),
                field,
                colour: Box::new(e),
            })
        };
        let fg = |s: &str, field: &'static str| c(s, field).map(|col| Style::default().fg(col));
        let title = fg(&f.colors.title, "title")?;
        let bold_title = if f.bold_titles || f.monochrome {
            title.add_modifier(Modifier::BOLD)
        } else {
            title
        };
        let selected = if f.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .fg(c(&f.colors.selected_fg, "selected_fg")?)
                .bg(c(&f.colors.selected_bg, "selected_bg")?)
        };
        Ok(Theme {
            name: f.name,
            monochrome: f.monochrome,
            text: fg(&f.colors.text, "text")?,
            muted: if f.monochrome {
                Style::default().add_modifier(Modifier::DIM)
            } else {
                fg(&f.colors.muted, "muted")?
            },
            accent: fg(&f.colors.accent, "accent")?,
            title: bold_title,
            border: fg(&f.colors.border, "border")?,
            selected,
            good: fg(&f.colors.good, "good")?,
            satisfactory: fg(&f.colors.satisfactory, "satisfactory")?,
            bad: fg(&f.colors.bad, "bad")?.add_modifier(if f.monochrome {
                Modifier::BOLD
            } else {
                Modifier::empty()
            }),
            warning: fg(&f.colors.warning, "warning")?,
            error: fg(&f.colors.error, "error")?.add_modifier(Modifier::BOLD),
            notice: fg(&f.colors.notice, "notice")?,
        })
    }

    /// A built-in theme by name.
    pub fn built_in(name: &str) -> Option<Theme> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(n, text)| Theme::from_toml(text, n, terminal_truecolor()).ok())
    }

    /// The theme a name or a file path asks for; `NO_COLOR` wins over both.
    pub fn resolve(choice: Option<&str>) -> Result<Theme, ThemeError> {
        if no_color() {
            return Ok(Theme::monochrome());
        }
        let choice = choice.unwrap_or("dark");
        if let Some(t) = Theme::built_in(choice) {
            return Ok(t);
        }
        let path = Path::new(choice);
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            return Theme::from_toml(&text, &path.display().to_string(), terminal_truecolor());
        }
        Err(ThemeError::Unknown(choice.to_string()))
    }

    pub fn monochrome() -> Theme {
        Theme::from_toml(BUILT_IN[3].1, "monochrome", false).unwrap_or_else(|_| Theme::plain())
    }

    pub fn dark() -> Theme {
        Theme::from_toml(BUILT_IN[0].1, "dark", false).unwrap_or_else(|_| Theme::plain())
    }

    fn plain() -> Theme {
        let s = Style::default();
        Theme {
            name: "plain".into(),
            monochrome: true,
            text: s,
            muted: s,
            accent: s,
            title: s.add_modifier(Modifier::BOLD),
            border: s,
            selected: s.add_modifier(Modifier::REVERSED),
            good: s,
            satisfactory: s,
            bad: s.add_modifier(Modifier::BOLD),
            warning: s,
            error: s.add_modifier(Modifier::BOLD),
            notice: s,
        }
    }

    /// The style of a class (good, satisfactory, bad; others muted).
    pub fn class(&self, class: &str) -> Style {
        match class {
            "good" => self.good,
            "satisfactory" => self.satisfactory,
            "bad" => self.bad,
            _ => self.muted,
        }
    }
}

/// The letter that shows a class without colour.
pub fn class_letter(class: &str) -> &'static str {
    match class {
        "good" => "G",
        "satisfactory" => "S",
        "bad" => "B",
        "" => " ",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_and_bad_ones_name_the_field() {
        for (name, text) in BUILT_IN {
            assert!(Theme::from_toml(text, name, false).is_ok(), "{name}");
        }
        let bad = BUILT_IN[0]
            .1
            .replace("good = \"green\"", "good = \"greeen\"");
        let e = Theme::from_toml(&bad, "x.toml", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml: colors.good"), "{e}");
        assert_eq!(parse_color("#ff0000", false).unwrap(), Color::Indexed(196));
        assert_eq!(parse_color("#ff0000", true).unwrap(), Color::Rgb(255, 0, 0));
        assert_eq!(parse_color("#808080", false).unwrap(), Color::Indexed(244));
    }
}
