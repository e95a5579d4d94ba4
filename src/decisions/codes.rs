//! Reason codes: the bank's list of what a decline or a referral cites (a code, a short text as a
//! credit officer writes it, the inputs it covers), shipped as `data/reason_codes.toml` and
//! replaceable by the bank's own file; read from text here (the caller reads the file), with
//! errors that name the file, the line and the field.

use serde::Deserialize;
use std::sync::OnceLock;
use thiserror::Error;

/// The shipped catalogue (the file a bank copies and edits).
pub const DEFAULT_TOML: &str = include_str!("../../data/reason_codes.toml");

/// The code cited when equity is negative; always present.
pub const NEGATIVE_EQUITY: &str = "NEQ";
/// The code of a reason in the analyst's own words; always present.
pub const OTHER: &str = "OTH";

/// One reason code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReasonCode {
    pub code: String,
    pub text: String,
    /// Input ids it covers; "*" covers any input no other code covers.
    pub inputs: Vec<String>,
}

/// The catalogue of reason codes, in the file's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCodes {
    pub codes: Vec<ReasonCode>,
}

/// A reason as a decision records it: its code and its text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CodedReason {
    pub code: String,
    pub text: String,
}

/// Why a reason-code file was refused.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{origin}, line {line}: {field}: {message}")]
pub struct CodesError {
    pub origin: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    reason: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    code: toml::Spanned<String>,
    text: toml::Spanned<String>,
    inputs: toml::Spanned<Vec<String>>,
}

/// The line (1-based) of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

impl ReasonCodes {
    /// Reads a catalogue from TOML text; `origin` (a file name) and the line and field are named
    /// in an error. `known_input` tells whether an input id exists.
    pub fn parse(
        text: &str,
        origin: &str,
        known_input: &dyn Fn(&str) -> bool,
    ) -> Result<ReasonCodes, CodesError> {
        let err = |at: usize, field: &str, message: String| CodesError {
            origin: origin.to_string(),
            line: line_of(text, at),
            field: field.to_string(),
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            // The key on the line the error points at names the field.
            let line = text[..at.min(text.len())]
                .rsplit('\n')
                .next()
                .unwrap_or("")
                .to_string()
                + text[at.min(text.len())..].split('\n').next().unwrap_or("");
            let field = line
                .split_once('=')
                .map(|(k, _)| k.trim().to_string())
                .filter(|k| !k.is_empty() && !k.contains(' '))
                .unwrap_or_else(|| "reason".into());
            err(at, &field, e.message().trim().to_string())
        })?;
        let mut codes: Vec<ReasonCode> = Vec::new();
        for e in file.reason {
            let code = e.code.get_ref().trim().to_string();
            let valid = !code.is_empty()
                && code.len() <= 12
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(err(
                    e.code.span().start,
                    "code",
                    format!("'{code}' is no code: 1 to 12 letters, digits, '-' or '_'"),
                ));
            }
            if codes.iter().any(|c| c.code == code) {
                return Err(err(
                    e.code.span().start,
                    "code",
                    format!("'{code}' is listed twice"),
                ));
            }
            let text_value = e.text.get_ref().trim().to_string();
            if text_value.is_empty() || text_value.chars().any(char::is_control) {
                return Err(err(
                    e.text.span().start,
                    "text",
                    format!("the text of {code} is empty or holds a control character"),
                ));
            }
            if let Some(bad) = e
                .inputs
                .get_ref()
                .iter()
                .find(|i| i.as_str() != "*" && !known_input(i))
            {
                return Err(err(
                    e.inputs.span().start,
                    "inputs",
                    format!("'{bad}' is no ratio, business factor or firm attribute"),
                ));
            }
            codes.push(ReasonCode {
                code,
                text: text_value,
                inputs: e.inputs.into_inner(),
            });
        }
        for needed in [NEGATIVE_EQUITY, OTHER] {
            if !codes.iter().any(|c| c.code == needed) {
                return Err(CodesError {
                    origin: origin.to_string(),
                    line: line_of(text, text.len()),
                    field: "code".into(),
                    message: format!("the code {needed} must be listed"),
                });
            }
        }
        Ok(ReasonCodes { codes })
    }

    /// The shipped catalogue.
    pub fn defaults(known_input: &dyn Fn(&str) -> bool) -> ReasonCodes {
        ReasonCodes::parse(DEFAULT_TOML, "data/reason_codes.toml", known_input)
            .unwrap_or_else(|e| panic!("the shipped reason codes are invalid: {e}"))
    }

    pub fn get(&self, code: &str) -> Option<&ReasonCode> {
        self.codes
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// The code that covers an input: the first listing it, else the first listing "*".
    pub fn for_input(&self, input: &str) -> Option<&ReasonCode> {
        self.codes
            .iter()
            .find(|c| c.inputs.iter().any(|i| i == input))
            .or_else(|| {
                self.codes
                    .iter()
                    .find(|c| c.inputs.iter().any(|i| i == "*"))
            })
    }

    /// A reason from a code with the catalogue's text (`None` for an unknown code).
    pub fn reason(&self, code: &str) -> Option<CodedReason> {
        self.get(code).map(|c| CodedReason {
            code: c.code.clone(),
            text: c.text.clone(),
        })
    }

    /// A reason typed by an analyst: `CODE` alone or `CODE: words` (a known code) is that code
    /// (with the catalogue's text when no words follow); anything else is OTH with the words.
    pub fn read_typed(&self, typed: &str) -> CodedReason {
        let typed = typed.trim();
        let (head, rest) = match typed.split_once(':') {
            Some((h, r)) => (h.trim(), Some(r.trim())),
            None => (typed, None),
        };
        match self.get(head) {
            Some(c) => CodedReason {
                code: c.code.clone(),
                text: match rest {
                    Some(r) if !r.is_empty() => r.to_string(),
                    _ => c.text.clone(),
                },
            },
            None => CodedReason {
                code: OTHER.into(),
                text: typed.to_string(),
            },
        }
    }
}

static ACTIVE: OnceLock<ReasonCodes> = OnceLock::new();

/// Sets the catalogue this process uses (once; a later call is ignored).
pub fn install(codes: ReasonCodes) {
    let _ = ACTIVE.set(codes);
}

/// The catalogue in use: the installed one, else the shipped one with every input known.
pub fn active() -> &'static ReasonCodes {
    ACTIVE.get_or_init(|| ReasonCodes::defaults(&|_| true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &str) -> bool {
        true
    }

    #[test]
    fn the_shipped_codes_cover_the_ratio_families_and_read_typed_reasons() {
        let c = ReasonCodes::defaults(&any);
        assert_eq!(c.for_input("financial_autonomy").unwrap().code, "NEQ");
        assert_eq!(c.for_input("current_ratio").unwrap().code, "LIQ");
        assert_eq!(c.for_input("management_score").unwrap().code, "MGT");
        assert_eq!(c.for_input("PC1 (x +0.5)").unwrap().code, "FIN");
        assert_eq!(
            c.read_typed("liq: current ratio 0.6"),
            CodedReason {
                code: "LIQ".into(),
                text: "current ratio 0.6".into()
            }
        );
        assert_eq!(c.read_typed("LEV").text, "High leverage");
        assert_eq!(c.read_typed("site visit failed").code, "OTH");
    }

    #[test]
    fn a_broken_file_names_its_line_and_field() {
        let text = "[[reason]]\ncode = \"NEQ\"\ntext = \"x\"\ninputs = []\n\n[[reason]]\ncode = \"OTH\"\ntext = 3\ninputs = []\n";
        let e = ReasonCodes::parse(text, "codes.toml", &any).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (8, "text"), "{e}");
        assert!(
            e.to_string().starts_with("codes.toml, line 8: text: "),
            "{e}"
        );
        let text = "[[reason]]\ncode = \"NEQ\"\ntext = \"x\"\ninputs = [\"no_such\"]\n";
        let e = ReasonCodes::parse(text, "codes.toml", &|i| i != "no_such").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (4, "inputs"), "{e}");
        let text = "[[reason]]\ncode = \"NEQ\"\ntext = \"x\"\ninputs = []\n";
        let e = ReasonCodes::parse(text, "codes.toml", &any).unwrap_err();
        assert!(e.message.contains("OTH"), "{e}");
        let text = "[[reason]]\ncode = \"N Q\"\ntext = \"x\"\ninputs = []\n";
        let e = ReasonCodes::parse(text, "codes.toml", &any).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "code"), "{e}");
    }
}
