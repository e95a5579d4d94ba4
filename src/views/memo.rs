//! The committee pack: one application's credit memo as a self-contained HTML page that prints
//! on A4 (the firm's facts and flags, the application, up to five years of key ratios against
//! the live sector's median of each year with small inline SVG charts, the model's class,
//! chance of bad and reasons with codes, the challenger's view, the decision with analyst,
//! note, model id and hash). Every text from the store is HTML-escaped; no script, no link out.

use super::firm::FirmDetail;
use super::Result;
use crate::decisions::codes::CodedReason;
use crate::decisions::DecisionRecord;
use crate::finance::catalogue::{find, Unit};
use crate::finance::peers::quantile_sorted;
use crate::store::decisions::Application;
use crate::store::Store;
use std::fmt::Write;

/// The ratios the memo charts (the triage's key ratios).
pub const MEMO_RATIOS: [&str; 6] = super::triage::KEY_RATIOS;

/// How many fiscal years the memo shows at most.
pub const MEMO_YEARS: usize = 5;

/// One key ratio over the memo's years, beside the sector's median of each year.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoRatio {
    pub name: &'static str,
    pub unit: Unit,
    pub higher_is_better: bool,
    pub values: Vec<Option<f64>>,
    pub sector: Vec<Option<f64>>,
}

/// Everything the memo shows.
#[derive(Debug, Clone)]
pub struct Memo {
    pub application: Application,
    pub detail: FirmDetail,
    pub years: Vec<i32>,
    pub ratios: Vec<MemoRatio>,
    pub model_hash: Option<String>,
    /// The decisions on this application, oldest first.
    pub decisions: Vec<DecisionRecord>,
}

/// Gathers the memo of application `id`.
pub fn load(store: &Store, id: &str) -> Result<Memo> {
    let application = store.application(id)?;
    let detail = super::firm::load(store, &application.firm_id)?;
    let n = detail.years.len();
    let first = n.saturating_sub(MEMO_YEARS);
    let years: Vec<i32> = detail.years[first..].to_vec();
    let mut peers = Vec::new();
    for &y in &years {
        peers.push(store.live_sector_ratios(&detail.firm.sector, y)?);
    }
    let ratios = MEMO_RATIOS
        .iter()
        .filter_map(|r| find(r))
        .map(|(i, def)| {
            let line = detail
                .families
                .iter()
                .flat_map(|f| &f.lines)
                .find(|l| l.id == def.id);
            MemoRatio {
                name: def.name,
                unit: def.unit,
                higher_is_better: def.higher_is_better,
                values: line.map_or(vec![None; years.len()], |l| l.values[first..].to_vec()),
                sector: peers
                    .iter()
                    .map(|rows| {
                        let mut v: Vec<f64> = rows
                            .iter()
                            .filter_map(|r| r.values[i])
                            .filter(|v| v.is_finite())
                            .collect();
                        v.sort_by(f64::total_cmp);
                        quantile_sorted(&v, 0.5)
                    })
                    .collect(),
            }
        })
        .collect();
    let model_hash = match (&detail.score, store.active_model()?) {
        (Some(s), Some(m)) if m.id == s.model_id => Some(m.hash()),
        _ => None,
    };
    let decisions = detail
        .decisions
        .iter()
        .filter(|d| d.application_id == application.id)
        .cloned()
        .collect();
    Ok(Memo {
        application,
        detail,
        years,
        ratios,
        model_hash,
        decisions,
    })
}

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn in_unit(v: Option<f64>, unit: Unit) -> String {
    match v.filter(|v| v.is_finite()) {
        None => "–".into(),
        Some(x) => match unit {
            Unit::Percent => format!("{:.1}%", x * 100.0),
            Unit::Times => format!("{x:.1}x"),
            Unit::Months => format!("{x:.1} mo"),
            Unit::Ratio | Unit::Score => format!("{x:.2}"),
        },
    }
}

fn thousands(x: f64) -> String {
    let r = x.round().abs() as u64;
    let digits = r.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A small line chart: the firm's values (solid) and the sector's medians (dashed).
pub fn chart(values: &[Option<f64>], sector: &[Option<f64>]) -> String {
    let (w, h, pad) = (120.0, 36.0, 3.0);
    let all: Vec<f64> = values
        .iter()
        .chain(sector)
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = values.len().max(2) - 1;
    let point = |k: usize, v: f64| {
        let x = pad + (w - 2.0 * pad) * k as f64 / n as f64;
        let y = h - pad - (h - 2.0 * pad) * (v - lo) / span;
        format!("{x:.1},{y:.1}")
    };
    let line = |vs: &[Option<f64>]| {
        vs.iter()
            .enumerate()
            .filter_map(|(k, v)| v.filter(|v| v.is_finite()).map(|v| point(k, v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut svg = format!(
        "<svg class=\"chart\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" aria-label=\"firm (solid) against the sector median (dashed)\">"
    );
    if lo < 0.0 && hi > 0.0 {
        let y = h - pad - (h - 2.0 * pad) * (0.0 - lo) / span;
        let _ = write!(
            svg,
            "<line x1=\"0\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"zero\"/>"
        );
    }
    let _ = write!(
        svg,
        "<polyline points=\"{}\" class=\"sector\"/><polyline points=\"{}\" class=\"firm\"/></svg>",
        line(sector),
        line(values)
    );
    svg
}

const STYLE: &str = "
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.35 'DejaVu Sans', Arial, sans-serif; color: #111; margin: 0 auto;
  max-width: 182mm; padding: 8mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm;
  break-after: avoid; }
.muted { color: #555; }
.flag { color: #8a1c00; font-weight: bold; }
table { border-collapse: collapse; width: 100%; break-inside: avoid; }
th, td { padding: 1mm 2mm; text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
dl { display: grid; grid-template-columns: 38mm 1fr; gap: 0.5mm 3mm; margin: 0; }
dt { color: #555; } dd { margin: 0; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 9pt; }
.chart polyline { fill: none; stroke-width: 1.6; }
.chart .firm { stroke: #1f4e9c; }
.chart .sector { stroke: #888; stroke-dasharray: 3 2; }
.chart .zero { stroke: #c33; stroke-width: 0.6; }
.worse { color: #8a1c00; } .better { color: #1d6b2f; }
section { break-inside: avoid; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555; }
@media print { body { padding: 0; } }
";

/// The memo as a self-contained HTML page.
pub fn html(m: &Memo) -> String {
    let d = &m.detail;
    let f = &d.firm;
    let a = &m.application;
    let currency = d.currency().unwrap_or("");
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Credit memo {}</title><style>{STYLE}</style></head><body>\n",
        escape(&a.id)
    );
    let _ = write!(
        h,
        "<h1>Credit memo: {}</h1><p class=\"muted\">Application {} · firm {} · prepared for the \
         credit committee</p>",
        escape(&f.name),
        escape(&a.id),
        escape(&f.id)
    );
    // The firm.
    h.push_str("<section><h2>The firm</h2><dl>");
    let mut fact = |k: &str, v: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    };
    fact("Name", &f.name);
    fact("Register id", &f.id);
    fact("Sector", &f.sector);
    fact("Region", f.region.as_deref().unwrap_or("–"));
    fact("Size", f.size.as_deref().unwrap_or("–"));
    fact("Founded", f.founded.as_deref().unwrap_or("–"));
    fact(
        "Status",
        &match &f.closed_on {
            Some(c) => format!("{} ({c})", f.status),
            None => f.status.clone(),
        },
    );
    h.push_str("</dl>");
    for flag in &d.flags {
        let _ = write!(h, "<p class=\"flag\">⚠ {}</p>", escape(flag.words()));
    }
    h.push_str("</section>\n");
    // The application.
    h.push_str("<section><h2>The application</h2><dl>");
    let mut fact = |k: &str, v: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    };
    fact(
        "Amount",
        &format!("{} thousand {currency}", thousands(a.amount)),
    );
    fact("Term", &format!("{} months", a.term_months));
    fact("Purpose", a.purpose.as_deref().unwrap_or("–"));
    fact("Submitted", &a.submitted);
    fact("Status", &a.status);
    h.push_str("</dl></section>\n");
    // Key ratios.
    let _ = write!(
        h,
        "<section><h2>Key ratios against the sector</h2><p class=\"muted\">The firm's value each \
         year; below it the median of the sector's live firms that year. Chart: firm solid, \
         sector dashed.</p><table><thead><tr><th>Ratio</th>"
    );
    for y in &m.years {
        let _ = write!(h, "<th class=\"num\">{y}</th>");
    }
    h.push_str("<th>Trend</th></tr></thead><tbody>");
    for r in &m.ratios {
        let _ = write!(
            h,
            "<tr><td>{}<br><span class=\"muted\">sector median</span></td>",
            escape(r.name)
        );
        for (v, s) in r.values.iter().zip(&r.sector) {
            let class = match (v, s) {
                (Some(v), Some(s)) if (v < s) == r.higher_is_better && v != s => "worse",
                (Some(_), Some(_)) => "better",
                _ => "",
            };
            let _ = write!(
                h,
                "<td class=\"num\"><span class=\"{class}\">{}</span><br><span class=\"muted\">{}</span></td>",
                in_unit(*v, r.unit),
                in_unit(*s, r.unit)
            );
        }
        let _ = write!(h, "<td>{}</td></tr>", chart(&r.values, &r.sector));
    }
    h.push_str("</tbody></table></section>\n");
    // The model.
    h.push_str("<section><h2>The model's view</h2>");
    match &d.score {
        Some(s) => {
            let bad = s
                .explanation
                .probabilities
                .iter()
                .find(|(c, _)| c == "bad")
                .map_or(0.0, |(_, p)| *p);
            let _ = write!(
                h,
                "<dl><dt>Model</dt><dd>{} <code>{}</code></dd><dt>Model hash</dt><dd><code>{}</code></dd>\
                 <dt>Fiscal year scored</dt><dd>{}</dd><dt>Class</dt><dd><b>{}</b></dd>\
                 <dt>Chance of bad</dt><dd><b>{:.1}%</b></dd></dl>",
                escape(d.model_name.as_deref().unwrap_or("")),
                escape(&s.model_id),
                escape(m.model_hash.as_deref().unwrap_or("–")),
                s.fiscal_year,
                escape(&s.explanation.class),
                bad * 100.0
            );
            reasons_table(&mut h, &s.coded);
        }
        None => h.push_str("<p class=\"muted\">No active model scores this firm.</p>"),
    }
    match &d.challenger {
        Some((name, c)) => {
            let bad = c
                .explanation
                .probabilities
                .iter()
                .find(|(k, _)| k == "bad")
                .map_or(0.0, |(_, p)| *p);
            let agrees = d
                .score
                .as_ref()
                .is_some_and(|s| s.explanation.class == c.explanation.class);
            let _ = write!(
                h,
                "<p><b>Challenger</b> {} <code>{}</code>: class <b>{}</b>, chance of bad {:.1}% \
                 ({}).</p>",
                escape(name),
                escape(&c.model_id),
                escape(&c.explanation.class),
                bad * 100.0,
                if agrees {
                    "agrees with the model"
                } else {
                    "disagrees with the model"
                }
            );
        }
        None => h.push_str("<p class=\"muted\">No challenger model is set.</p>"),
    }
    h.push_str("</section>\n");
    // The decision.
    h.push_str("<section><h2>The decision</h2>");
    if m.decisions.is_empty() {
        h.push_str("<p class=\"muted\">Not decided yet.</p>");
    }
    for dec in &m.decisions {
        let _ = write!(
            h,
            "<dl><dt>Decision</dt><dd><b>{}</b></dd><dt>Analyst</dt><dd>{}</dd><dt>Time</dt>\
             <dd>{}</dd><dt>Model</dt><dd><code>{}</code> ({})</dd><dt>Model hash</dt>\
             <dd><code>{}</code></dd>",
            escape(&dec.decision),
            escape(&dec.analyst),
            escape(&dec.decided_at),
            escape(dec.model_id.as_deref().unwrap_or("–")),
            escape(dec.predicted_class.as_deref().unwrap_or("–")),
            escape(dec.model_hash.as_deref().unwrap_or("–"))
        );
        if let Some(o) = &dec.override_reason {
            let _ = write!(h, "<dt>Override reason</dt><dd>{}</dd>", escape(o));
        }
        if let Some(n) = &dec.note {
            let _ = write!(h, "<dt>Note</dt><dd>{}</dd>", escape(n));
        }
        h.push_str("</dl>");
        let coded: Vec<CodedReason> = dec
            .reason_codes
            .iter()
            .zip(&dec.reasons)
            .map(|(c, t)| CodedReason {
                code: c.clone(),
                text: t.clone(),
            })
            .collect();
        if !coded.is_empty() {
            reasons_table(&mut h, &coded);
        }
    }
    h.push_str("</section>\n");
    let _ = write!(
        h,
        "<footer>Application {} · firm {} · written by PRECRE</footer>\n</body></html>\n",
        escape(&a.id),
        escape(&f.id)
    );
    h
}

fn reasons_table(h: &mut String, reasons: &[CodedReason]) {
    if reasons.is_empty() {
        h.push_str("<p class=\"muted\">No reasons: the model does not lean toward bad.</p>");
        return;
    }
    h.push_str("<table><thead><tr><th>Code</th><th>Reason</th></tr></thead><tbody>");
    for r in reasons {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            escape(&r.code),
            escape(&r.text)
        );
    }
    h.push_str("</tbody></table>");
}

/// The memo's text as a reader sees it: the HTML without its style and tags, one line per
/// block (for a snapshot of what the page says).
pub fn text_of(html: &str) -> String {
    let body = html.split("</style>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split(' ').next().unwrap_or("");
                let closing = tag.starts_with('/');
                match name {
                    "h1" | "h2" | "p" | "tr" | "section" | "footer" | "li" => out.push('\n'),
                    "dt" if !closing => out.push('\n'),
                    "dd" if !closing => out.push_str(": "),
                    "br" => out.push_str(" / "),
                    "td" | "th" if !closing => out.push_str(" | "),
                    _ => {}
                }
            }
            c if in_tag => tag.push(c),
            c => out.push(c),
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_charts_draw_both_lines() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let svg = chart(
            &[Some(1.0), None, Some(-1.0)],
            &[Some(0.5), Some(0.5), Some(0.5)],
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("class=\"zero\""), "{svg}");
        assert_eq!(thousands(10142000.0), "10,142,000");
        assert_eq!(
            text_of("<style>x</style><h1>A &amp; B</h1><p>c</p>"),
            "A & B\nc"
        );
        assert_eq!(
            text_of("<style></style><dl><dt>Term</dt><dd>24 months</dd></dl><tr><td>a<br>b</td><td>c</td></tr>"),
            "Term: 24 months\n| a / b | c"
        );
    }
}
