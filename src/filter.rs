//! Filter expressions for the firms list (`sector = "retail" and current_ratio < 1 and class = bad`),
//! parsed into a checked tree of conditions. Nothing here is SQL: the store turns a parsed filter
//! into bound parameters, so no text an analyst types ever reaches SQL as text.

use crate::finance::catalogue;
use std::fmt;

/// Text fields of a firm that a filter can test (besides every ratio id, which are numbers).
pub const TEXT_FIELDS: &[&str] = &[
    "id",
    "name",
    "sector",
    "region",
    "size",
    "status",
    "class",
    "predicted",
];
/// Numeric firm fields besides the ratios.
pub const NUMBER_FIELDS: &[&str] = &["latest_year"];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Contains (case-insensitive), for text.
    Contains,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "~",
        }
    }
}

/// A value on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

/// What a field is: a firm text field, a firm number field, or a ratio of the latest statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text(&'static str),
    Number(&'static str),
    Ratio(&'static str),
}

impl Field {
    pub fn name(&self) -> &'static str {
        match self {
            Field::Text(n) | Field::Number(n) | Field::Ratio(n) => n,
        }
    }
}

/// A parsed, checked filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare {
        field: Field,
        op: Op,
        value: Value,
    },
    /// `field is missing` (true) or `field is not missing` (false).
    Missing {
        field: Field,
        missing: bool,
    },
}

/// A parse error with the 1-based character column where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "filter, column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Op(Op),
    Open,
    Close,
}

fn tokenize(s: &str) -> Result<Vec<(usize, Tok)>, FilterError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op2 = match two.as_str() {
            "<=" => Some(Op::Le),
            ">=" => Some(Op::Ge),
            "!=" | "<>" => Some(Op::Ne),
            "==" => Some(Op::Eq),
            _ => None,
        };
        if let Some(op) = op2 {
            out.push((col, Tok::Op(op)));
            i += 2;
            continue;
        }
        match c {
            '(' => out.push((col, Tok::Open)),
            ')' => out.push((col, Tok::Close)),
            '=' => out.push((col, Tok::Op(Op::Eq))),
            '<' => out.push((col, Tok::Op(Op::Lt))),
            '>' => out.push((col, Tok::Op(Op::Gt))),
            '~' => out.push((col, Tok::Op(Op::Contains))),
            '"' | '\'' => {
                let quote = c;
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(FilterError {
                                column: col,
                                message: format!("the text started here has no closing {quote}"),
                            })
                        }
                        Some(&q) if q == quote => break,
                        Some(&ch) => text.push(ch),
                    }
                    i += 1;
                }
                out.push((col, Tok::Str(text)));
            }
            _ if c.is_ascii_digit() || c == '-' || c == '.' => {
                let start = i;
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric() || matches!(chars[i + 1], '.' | '_'))
                {
                    i += 1;
                }
                let text: String = chars[start..=i].iter().collect();
                let parsed = text.replace('_', "").parse::<f64>();
                match parsed {
                    Ok(v) if v.is_finite() => out.push((col, Tok::Num(v))),
                    _ => {
                        return Err(FilterError {
                            column: col,
                            message: format!("'{text}' is not a number"),
                        })
                    }
                }
            }
            _ if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i + 1 < chars.len() && (chars[i + 1].is_alphanumeric() || chars[i + 1] == '_')
                {
                    i += 1;
                }
                out.push((col, Tok::Word(chars[start..=i].iter().collect())));
            }
            other => {
                return Err(FilterError {
                    column: col,
                    message: format!("unexpected '{other}'"),
                })
            }
        }
        i += 1;
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

fn keyword(t: Option<&(usize, Tok)>, kw: &str) -> bool {
    matches!(t, Some((_, Tok::Word(w))) if w.eq_ignore_ascii_case(kw))
}

/// Every field name a filter accepts, for messages and completion.
pub fn field_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = TEXT_FIELDS.to_vec();
    v.extend_from_slice(NUMBER_FIELDS);
    v.extend(catalogue::RATIOS.iter().map(|r| r.id));
    v
}

fn lookup_field(name: &str) -> Option<Field> {
    let lower = name.to_ascii_lowercase();
    if let Some(f) = TEXT_FIELDS.iter().find(|f| **f == lower) {
        return Some(Field::Text(f));
    }
    if let Some(f) = NUMBER_FIELDS.iter().find(|f| **f == lower) {
        return Some(Field::Number(f));
    }
    catalogue::find(&lower).map(|(_, r)| Field::Ratio(r.id))
}

/// The known name closest to `name` (by edit distance), to suggest on a typo.
fn closest(name: &str) -> Option<&'static str> {
    fn dist(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    }
    let lower = name.to_ascii_lowercase();
    field_names()
        .into_iter()
        .map(|f| (dist(&lower, f), f))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, f)| f)
}

impl Parser {
    fn err<T>(&self, column: usize, message: impl Into<String>) -> Result<T, FilterError> {
        Err(FilterError {
            column,
            message: message.into(),
        })
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.0)
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while keyword(self.toks.get(self.pos), "or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.not()?;
        while keyword(self.toks.get(self.pos), "and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if keyword(self.toks.get(self.pos), "not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, FilterError> {
        let col = self.col();
        match self.toks.get(self.pos).cloned() {
            None => self.err(col, "expected a condition such as current_ratio < 1"),
            Some((_, Tok::Open)) => {
                self.pos += 1;
                let e = self.or()?;
                match self.toks.get(self.pos) {
                    Some((_, Tok::Close)) => {
                        self.pos += 1;
                        Ok(e)
                    }
                    _ => self.err(self.col(), "expected ')'"),
                }
            }
            Some((_, Tok::Word(name))) => {
                self.pos += 1;
                let Some(field) = lookup_field(&name) else {
                    let hint = closest(&name)
                        .map(|c| format!(" (did you mean {c}?)"))
                        .unwrap_or_else(|| {
                            " (fields: id, name, sector, region, size, status, class, predicted, latest_year or a ratio id)".into()
                        });
                    return self.err(col, format!("unknown field '{name}'{hint}"));
                };
                self.comparison(field)
            }
            Some(_) => self.err(col, "expected a field name"),
        }
    }

    fn comparison(&mut self, field: Field) -> Result<Expr, FilterError> {
        if keyword(self.toks.get(self.pos), "is") {
            self.pos += 1;
            let negated = keyword(self.toks.get(self.pos), "not");
            if negated {
                self.pos += 1;
            }
            if keyword(self.toks.get(self.pos), "missing")
                || keyword(self.toks.get(self.pos), "null")
            {
                self.pos += 1;
                return Ok(Expr::Missing {
                    field,
                    missing: !negated,
                });
            }
            return self.err(self.col(), "expected 'missing' after 'is'");
        }
        let col = self.col();
        let op = match self.toks.get(self.pos) {
            Some((_, Tok::Op(op))) => *op,
            _ => {
                return self.err(
                    col,
                    format!(
                        "expected an operator (= != < <= > >= ~) after {}",
                        field.name()
                    ),
                )
            }
        };
        self.pos += 1;
        let vcol = self.col();
        let value = match self.toks.get(self.pos).cloned() {
            Some((_, Tok::Num(v))) => Value::Number(v),
            Some((_, Tok::Str(s))) => Value::Text(s),
            Some((_, Tok::Word(w))) => Value::Text(w),
            _ => return self.err(vcol, format!("expected a value after {}", op.symbol())),
        };
        self.pos += 1;
        match (&field, &value, op) {
            (Field::Text(_), Value::Number(n), Op::Eq | Op::Ne) => Ok(Expr::Compare {
                field,
                op,
                value: Value::Text(format_number(*n)),
            }),
            (Field::Text(_), _, Op::Eq | Op::Ne | Op::Contains) => {
                Ok(Expr::Compare { field, op, value })
            }
            (Field::Text(name), _, _) => self.err(
                col,
                format!(
                    "{name} is text: use =, != or ~ (contains), not {}",
                    op.symbol()
                ),
            ),
            (_, Value::Text(t), _) => {
                self.err(vcol, format!("{} is a number; '{t}' is not", field.name()))
            }
            (_, Value::Number(_), Op::Contains) => self.err(
                col,
                format!("~ (contains) is for text; {} is a number", field.name()),
            ),
            _ => Ok(Expr::Compare { field, op, value }),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Parses a filter; an empty text means no filter.
pub fn parse(text: &str) -> Result<Option<Expr>, FilterError> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Ok(None);
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: text.chars().count() + 1,
    };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return p.err(p.col(), "expected 'and', 'or' or the end of the filter");
    }
    Ok(Some(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_issue_example_with_precedence() {
        let e = parse(r#"sector = "retail" and current_ratio < 1 and class = bad"#)
            .unwrap()
            .unwrap();
        let Expr::And(left, right) = e else {
            panic!("expected and")
        };
        assert_eq!(
            *right,
            Expr::Compare {
                field: Field::Text("class"),
                op: Op::Eq,
                value: Value::Text("bad".into())
            }
        );
        assert!(matches!(*left, Expr::And(_, _)));
    }

    #[test]
    fn or_binds_looser_than_and_and_parentheses_group() {
        let e = parse("size = micro or size = small and net_margin > 0")
            .unwrap()
            .unwrap();
        assert!(matches!(e, Expr::Or(_, _)));
        let e = parse("(size = micro or size = small) and net_margin > 0")
            .unwrap()
            .unwrap();
        assert!(matches!(e, Expr::And(_, _)));
        let e = parse("not region is missing").unwrap().unwrap();
        assert!(matches!(e, Expr::Not(_)));
    }

    #[test]
    fn errors_name_the_column_and_suggest() {
        let e = parse("curent_ratio < 1").unwrap_err();
        assert_eq!(e.column, 1);
        assert!(e.message.contains("did you mean current_ratio"), "{e}");
        let e = parse("current_ratio < abc").unwrap_err();
        assert_eq!(e.column, 17);
        let e = parse("sector > 3").unwrap_err();
        assert!(e.message.contains("is text"), "{e}");
        let e = parse("name = \"open").unwrap_err();
        assert_eq!(e.column, 8);
        assert!(parse("current_ratio < 1 sector").is_err());
        assert!(parse("(current_ratio < 1").is_err());
        assert_eq!(parse("   ").unwrap(), None);
    }

    #[test]
    fn hostile_text_stays_a_value() {
        let e = parse("name = \"x'; DROP TABLE firms; --\"")
            .unwrap()
            .unwrap();
        assert_eq!(
            e,
            Expr::Compare {
                field: Field::Text("name"),
                op: Op::Eq,
                value: Value::Text("x'; DROP TABLE firms; --".into())
            }
        );
    }
}
