//! The demo portfolio generator: firms with a hidden credit quality that shows, with noise,
//! through their statements and business factors, and decides their outcome class.

use super::rng::Rng;
use crate::ingest::validate::brn_check_digit;
use std::collections::HashSet;
use std::io::{self, Write};

/// How big a portfolio to make, and from which seed.
#[derive(Debug, Clone, Copy)]
pub struct DemoConfig {
    pub firms: usize,
    pub seed: u64,
    /// The last fiscal year of every firm's statements.
    pub last_year: i32,
    /// How many applications are left pending (the triage queue).
    pub pending: usize,
    /// Plant the construction downturn ([`SHOCK_SECTOR`], from fiscal year `last_year - 2`);
    /// without it the portfolio is the one the default model was trained on.
    pub shock: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            firms: 2400,
            seed: 20_240_601,
            last_year: 2024,
            pending: 48,
            shock: true,
        }
    }
}

/// The planted drift, for monitoring to find: a downturn of one sector in the last three
/// fiscal years. Its firms still running then see their receivables take 2.5 times as long to
/// collect and their operating margin fall by eight points from that year on, apply for credit
/// in the downturn's years only (and once more), and their outcome falls (the hidden score by
/// one standard deviation: more of them fail, in the downturn's years, suddenly).
pub const SHOCK_SECTOR: &str = "construction";
/// How many of the last fiscal years the downturn covers.
pub const SHOCK_YEARS: i32 = 3;
const SHOCK_RECEIVABLE_DAYS: f64 = 2.5;
const SHOCK_MARGIN: f64 = 0.08;
const SHOCK_SCORE: f64 = 1.0;

fn class_of(score: f64) -> &'static str {
    if score < -1.33 {
        "bad"
    } else if score < -0.5 {
        "satisfactory"
    } else {
        "good"
    }
}

struct Sector {
    id: &'static str,
    weight: f64,
    asset_turnover: f64,
    op_margin: f64,
    /// Selling, general and administrative costs as a share of revenue.
    sga: f64,
    fixed_share: f64,
    inventory_share: f64,
    receivable_days: f64,
    word: &'static str,
}

const SECTORS: &[Sector] = &[
    Sector {
        id: "manufacturing",
        weight: 24.0,
        asset_turnover: 1.1,
        op_margin: 0.060,
        sga: 0.12,
        fixed_share: 0.42,
        inventory_share: 0.35,
        receivable_days: 65.0,
        word: "Precision",
    },
    Sector {
        id: "wholesale",
        weight: 16.0,
        asset_turnover: 2.2,
        op_margin: 0.030,
        sga: 0.08,
        fixed_share: 0.14,
        inventory_share: 0.38,
        receivable_days: 50.0,
        word: "Trading",
    },
    Sector {
        id: "retail",
        weight: 14.0,
        asset_turnover: 2.0,
        op_margin: 0.035,
        sga: 0.22,
        fixed_share: 0.26,
        inventory_share: 0.48,
        receivable_days: 12.0,
        word: "Mart",
    },
    Sector {
        id: "construction",
        weight: 12.0,
        asset_turnover: 1.0,
        op_margin: 0.050,
        sga: 0.08,
        fixed_share: 0.20,
        inventory_share: 0.22,
        receivable_days: 95.0,
        word: "Construction",
    },
    Sector {
        id: "it_services",
        weight: 10.0,
        asset_turnover: 1.3,
        op_margin: 0.090,
        sga: 0.35,
        fixed_share: 0.15,
        inventory_share: 0.03,
        receivable_days: 70.0,
        word: "Soft",
    },
    Sector {
        id: "food_service",
        weight: 10.0,
        asset_turnover: 1.6,
        op_margin: 0.050,
        sga: 0.45,
        fixed_share: 0.52,
        inventory_share: 0.08,
        receivable_days: 8.0,
        word: "Kitchen",
    },
    Sector {
        id: "transport",
        weight: 8.0,
        asset_turnover: 0.9,
        op_margin: 0.060,
        sga: 0.15,
        fixed_share: 0.62,
        inventory_share: 0.04,
        receivable_days: 45.0,
        word: "Logistics",
    },
    Sector {
        id: "professional_services",
        weight: 6.0,
        asset_turnover: 1.2,
        op_margin: 0.100,
        sga: 0.40,
        fixed_share: 0.15,
        inventory_share: 0.01,
        receivable_days: 60.0,
        word: "Consulting",
    },
];

const REGIONS: &[(&str, f64)] = &[
    ("Seoul", 30.0),
    ("Gyeonggi", 25.0),
    ("Busan", 9.0),
    ("Incheon", 7.0),
    ("Daegu", 6.0),
    ("Daejeon", 5.0),
    ("Gwangju", 5.0),
    ("Ulsan", 4.0),
    ("Gangwon", 5.0),
    ("Jeju", 4.0),
];

const NAME_STEMS: &[&str] = &[
    "Areum", "Baekdu", "Cheongun", "Dasom", "Eunha", "Gaon", "Haneul", "Isul", "Jaram", "Kkotbit",
    "Nuri", "Onnuri", "Purun", "Saerom", "Tamra", "Uri", "Yeoul", "Bitna", "Dorae", "Hanul",
    "Mirinae", "Saebit", "Sori", "Yeoreum", "Garam", "Binna", "Seoul", "Hangang", "Nabi", "Sol",
];

const PURPOSES: &[&str] = &[
    "working capital",
    "equipment",
    "refinancing",
    "expansion",
    "real estate",
];

/// The five demo files as CSV text writers.
pub struct DemoWriters<W: Write> {
    pub firms: W,
    pub statements: W,
    pub factors: W,
    pub applications: W,
    pub outcomes: W,
}

struct Firm {
    id: String,
    sector: &'static Sector,
    size: &'static str,
    quality: f64,
    /// Shown by the business factors only.
    management: f64,
    /// The first fiscal year of the downturn, for a firm it hits.
    shocked_from: Option<i32>,
}

fn brn(rng: &mut Rng, used: &mut HashSet<String>, corrupt: bool) -> String {
    loop {
        let mut d = [0u32; 10];
        d[0] = rng.int(1, 8) as u32;
        for x in d.iter_mut().take(9).skip(1) {
            *x = rng.int(0, 9) as u32;
        }
        d[9] = brn_check_digit(&d[..9]);
        if corrupt {
            d[9] = (d[9] + 1 + rng.int(0, 8) as u32) % 10;
        }
        let s: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
        let id = format!("{}-{}-{}", &s[0..3], &s[3..5], &s[5..10]);
        if used.insert(id.clone()) {
            return id;
        }
    }
}

fn date(y: i32, rng: &mut Rng) -> String {
    let m = rng.int(1, 12);
    let d = rng.int(1, 28);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes a portfolio of `cfg.firms` firms. Same config, same bytes.
pub fn generate<W: Write>(cfg: &DemoConfig, out: &mut DemoWriters<W>) -> io::Result<usize> {
    let mut root = Rng::new(cfg.seed);
    let mut used = HashSet::new();
    writeln!(
        out.firms,
        "id,name,sector,region,founded,size,status,closed_on"
    )?;
    writeln!(out.statements, "firm_id,fiscal_year,currency,total_assets,fixed_assets,inventories,receivables,short_term_investments,cash,equity,retained_earnings,long_term_borrowings,short_term_borrowings,payables,deferred_income,other_liabilities,revenue,cost_of_sales,operating_profit,net_income,interest_paid,operating_cash_flow")?;
    writeln!(out.factors, "firm_id,as_of,years_in_business,legal_score,management_score,credit_security,market_share,supplier_dependence,customer_dependence")?;
    writeln!(
        out.applications,
        "id,firm_id,amount,term_months,purpose,submitted,status"
    )?;
    writeln!(out.outcomes, "firm_id,as_of,class,source,days_past_due")?;
    let weights: Vec<f64> = SECTORS.iter().map(|s| s.weight).collect();
    let region_weights: Vec<f64> = REGIONS.iter().map(|r| r.1).collect();
    // (id, firm, amount, term, purpose, submitted, approve, may be pending)
    #[allow(clippy::type_complexity)]
    let mut applications: Vec<(String, String, f64, i64, &str, String, bool, bool)> = Vec::new();
    let mut n_statements = 0;
    for i in 0..cfg.firms {
        let mut rng = root.fork(i as u64);
        let sector = &SECTORS[rng.weighted(&weights)];
        let region = REGIONS[rng.weighted(&region_weights)].0;
        let size = ["micro", "small", "medium"][rng.weighted(&[45.0, 40.0, 15.0])];
        let quality = rng.normal();
        // What the loan officer sees and no statement shows: management, standing, security.
        let management = rng.normal();
        let id = brn(&mut rng, &mut used, i % 797 == 400);
        let founded_year = rng.int(1982, cfg.last_year as i64 - 3) as i32;
        let founded = date(founded_year, &mut rng);
        let name = format!("{} {} Co., Ltd.", rng.pick(NAME_STEMS), sector.word);
        let n_years = rng.int(5, 12) as i32;
        let first = (cfg.last_year - n_years + 1).max(founded_year + 1);

        // The outcome: the hidden quality, the management the factors show, and what nobody sees.
        let score = quality + 0.5 * management + 0.35 * rng.normal();
        let mut class = class_of(score);
        // A bad firm fails in a year spread over its history (at least two statements before);
        // its statements stop the year before, and worsen in the last three.
        let mut failure = (class == "bad")
            .then(|| rng.int(i64::from(first) + 2, i64::from(cfg.last_year) + 1) as i32);
        // The downturn hits the sector's firms still running when it starts; one it tips into
        // failure fails during it.
        let shock_from = cfg.last_year - SHOCK_YEARS + 1;
        let hit = cfg.shock
            && sector.id == SHOCK_SECTOR
            && failure.is_none_or(|f| f > shock_from)
            && first < shock_from;
        // A firm the downturn tips into failure fails suddenly: its statements do not worsen
        // before (a client's default, a halted project), so its ratios do not warn of it.
        let mut sudden = false;
        if hit && class != "bad" {
            class = class_of(score - SHOCK_SCORE);
            if class == "bad" {
                sudden = true;
                failure =
                    Some(rng.int(i64::from(shock_from) + 1, i64::from(cfg.last_year) + 1) as i32);
            }
        }
        let firm = Firm {
            id,
            sector,
            size,
            quality,
            management,
            shocked_from: hit.then_some(shock_from),
        };
        let last_statement = failure.map_or(cfg.last_year, |f| (f - 1).min(cfg.last_year));
        let (status, closed_on, final_dpd) = match (class, failure) {
            ("bad", Some(f)) => match rng.weighted(&[35.0, 25.0, 40.0]) {
                0 => ("bankrupt", Some(date(f, &mut rng)), None),
                1 => ("closed", Some(date(f, &mut rng)), None),
                _ => ("defaulted", None, Some(rng.int(90, 420))),
            },
            ("satisfactory", _) => ("active", None, Some(rng.int(1, 89))),
            _ => ("active", None, Some(0)),
        };
        let closed = closed_on.clone().unwrap_or_default();
        // The day the firm failed: its closure, or its 90+ days past due outcome (30 June).
        let failed_on = failure.map(|f| closed_on.clone().unwrap_or(format!("{f}-06-30")));
        writeln!(
            out.firms,
            "{},\"{}\",{},{},{},{},{},{}",
            firm.id, name, sector.id, region, founded, size, status, closed
        )?;
        write_outcomes(
            &mut rng,
            &firm.id,
            first,
            class,
            (failure, closed_on.as_deref(), final_dpd),
            cfg.last_year,
            &mut out.outcomes,
        )?;

        n_statements += write_statements(
            &mut rng,
            &firm,
            (first, last_statement),
            failure.filter(|_| !sudden),
            &mut out.statements,
        )?;
        write_factors(
            &mut rng,
            &firm,
            founded_year,
            cfg.last_year,
            &mut out.factors,
        )?;

        // Applications while the firm runs; only a firm still running can be pending.
        let running = failure.is_none_or(|f| f > cfg.last_year);
        // A firm the downturn hits applies once more (for working capital).
        let n_apps = rng.weighted(&[35.0, 50.0, 15.0]) + usize::from(firm.shocked_from.is_some());
        for k in 0..n_apps {
            let revenue_scale = scale(size);
            let amount = (revenue_scale * rng.range(0.05, 0.4) / 1000.0).round() * 1000.0;
            let term = *rng.pick(&[12, 24, 36, 48, 60]);
            let purpose = rng.pick(PURPOSES);
            // Any year of its history after its second statement (the downturn's years for a
            // firm it hits), and before the firm failed.
            let latest = i64::from(last_statement) + 1;
            let earliest = match firm.shocked_from {
                Some(y) => i64::from(y + 1),
                None => i64::from(first) + 2,
            }
            .min(latest);
            let y = rng.int(earliest, latest) as i32;
            let mut submitted = date(y, &mut rng);
            if failed_on.as_ref().is_some_and(|f| submitted >= *f) {
                submitted = format!("{}{}", y - 1, &submitted[4..]);
            }
            let approve = quality + 0.8 * rng.normal() > -0.9;
            let app_id = format!("APP-{:06}-{}", i + 1, k + 1);
            applications.push((
                app_id,
                firm.id.clone(),
                amount,
                term,
                purpose,
                submitted,
                approve && running,
                running,
            ));
        }
    }
    // The triage queue: an evenly spread choice of the running firms' applications stays pending.
    let eligible = applications.iter().filter(|a| a.7).count();
    let stride = (eligible / cfg.pending.max(1)).max(1);
    let mut n = 0;
    for (app_id, firm_id, amount, term, purpose, submitted, approve, may_pend) in &applications {
        let pending = *may_pend && n % stride == stride / 2 && n / stride < cfg.pending;
        if *may_pend {
            n += 1;
        }
        let (status, submitted) = if pending {
            (
                "pending",
                format!("{}-{}", cfg.last_year + 1, &submitted[5..]),
            )
        } else if *approve {
            ("approved", submitted.clone())
        } else {
            ("declined", submitted.clone())
        };
        writeln!(
            out.applications,
            "{app_id},{firm_id},{amount:.0},{term},{purpose},{submitted},{status}"
        )?;
    }
    Ok(n_statements)
}

/// Typical revenue of a size class, in thousands of KRW.
fn scale(size: &str) -> f64 {
    match size {
        "micro" => 400_000.0,
        "small" => 4_000_000.0,
        _ => 30_000_000.0,
    }
}

fn write_statements<W: Write>(
    rng: &mut Rng,
    f: &Firm,
    (first, last): (i32, i32),
    failure: Option<i32>,
    out: &mut W,
) -> io::Result<usize> {
    let s = f.sector;
    let mut revenue = scale(f.size) * (0.55 * rng.normal()).exp();
    let firm_equity = 0.12 * rng.normal();
    let firm_margin = 0.02 * rng.normal();
    let firm_fixed = 0.08 * rng.normal();
    let mut n = 0;
    for year in first..=last {
        // A failing firm worsens over its last three years.
        let q = f.quality - failure.map_or(0.0, |fy| 0.45 * f64::from((3 - (fy - year)).max(0)));
        let growth = 0.03 + 0.05 * q + 0.10 * rng.normal();
        revenue *= 1.0 + growth.max(-0.6);
        let rev = revenue.round().max(1000.0);
        let downturn = f.shocked_from.is_some_and(|from| year >= from);
        let margin = s.op_margin + 0.035 * q + firm_margin + 0.03 * rng.normal()
            - if downturn { SHOCK_MARGIN } else { 0.0 };
        let op = (rev * margin).round();
        let cogs = (rev - op - rev * s.sga * (1.0 + 0.1 * rng.normal()))
            .round()
            .max(0.0);
        let turnover = s.asset_turnover * (0.10 * q + 0.25 * rng.normal()).exp();
        let ta = (rev / turnover).round().max(1000.0);
        let fixed_share = (s.fixed_share + firm_fixed + 0.04 * rng.normal()).clamp(0.03, 0.88);
        let fa = (ta * fixed_share).round();
        let ca = ta - fa;
        let mut inv = ca * (s.inventory_share * (1.0 + 0.3 * rng.normal())).clamp(0.0, 0.7);
        let days = s.receivable_days * if downturn { SHOCK_RECEIVABLE_DAYS } else { 1.0 };
        let mut rec = rev * days / 365.0 * (0.3 * rng.normal() - 0.12 * q).exp();
        let mut cash = ca * (0.12 + 0.05 * q + 0.05 * rng.normal()).clamp(0.01, 0.5);
        let mut sti = if rng.chance(0.3) {
            ca * rng.range(0.0, 0.08)
        } else {
            0.0
        };
        let used = inv + rec + cash + sti;
        if used > 0.95 * ca {
            let k = 0.95 * ca / used;
            inv *= k;
            rec *= k;
            cash *= k;
            sti *= k;
        }
        let (inv, rec, cash, sti) = (inv.round(), rec.round(), cash.round(), sti.round());
        let eq_ratio = (0.33 + 0.18 * q + firm_equity + 0.04 * rng.normal()).clamp(-0.45, 0.92);
        let equity = (ta * eq_ratio).round();
        let liabilities = ta - equity;
        let payables = (cogs * (45.0 - 12.0 * q + 10.0 * rng.normal()).clamp(5.0, 150.0) / 365.0)
            .min(0.5 * liabilities)
            .round();
        let deferred = (liabilities * rng.range(0.0, 0.05)).round();
        let borrowings = ((liabilities - payables - deferred) * rng.range(0.7, 0.95)).round();
        let lt_share = rng.range(0.3, 0.7);
        let ltb = (borrowings * lt_share).round();
        let stb = borrowings - ltb;
        let other = liabilities - payables - deferred - ltb - stb;
        let rate = (0.045 - 0.012 * q + 0.008 * rng.normal()).clamp(0.025, 0.12);
        let interest = (borrowings * rate).round();
        let pre_tax = op - interest + rev * 0.005 * rng.normal();
        let net_income = (if pre_tax > 0.0 {
            pre_tax * 0.8
        } else {
            pre_tax
        })
        .round();
        let retained = if equity > 0.0 {
            (equity * rng.range(0.3, 0.9)).round()
        } else {
            equity
        };
        let ocf = (net_income + 0.08 * fa + rev * 0.04 * rng.normal()).round();
        writeln!(
            out,
            "{},{year},KRW,{ta},{fa},{inv},{rec},{sti},{cash},{equity},{retained},{ltb},{stb},{payables},{deferred},{other},{rev},{cogs},{op},{net_income},{interest},{ocf}",
            f.id
        )?;
        n += 1;
    }
    Ok(n)
}

/// One outcome a year (30 June) from the year after the first statement: paid as agreed
/// (0 days past due) or a tolerated delay; a bad firm's last one is its failure (a closure, or
/// 90+ days past due), the year before it often a delay; a running firm's last one is dated
/// after the last fiscal year and carries its class.
fn write_outcomes<W: Write>(
    rng: &mut Rng,
    firm: &str,
    first: i32,
    class: &str,
    (failure, closed_on, final_dpd): (Option<i32>, Option<&str>, Option<i64>),
    last_year: i32,
    out: &mut W,
) -> io::Result<()> {
    let end = failure.unwrap_or(last_year + 1);
    for year in first + 1..end {
        let late = failure.is_some_and(|f| year + 1 == f) && rng.chance(0.6)
            || class == "satisfactory" && rng.chance(0.35);
        let (c, dpd) = if late {
            ("satisfactory", rng.int(1, 89))
        } else {
            ("good", 0)
        };
        writeln!(out, "{firm},{year}-06-30,{c},days_past_due,{dpd}")?;
    }
    match (failure, closed_on) {
        (Some(_), Some(date)) => writeln!(out, "{firm},{date},bad,status,"),
        _ => writeln!(
            out,
            "{firm},{end}-06-30,{class},days_past_due,{}",
            final_dpd.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

fn write_factors<W: Write>(
    rng: &mut Rng,
    f: &Firm,
    founded: i32,
    last: i32,
    out: &mut W,
) -> io::Result<()> {
    let (q, m) = (f.quality, f.management);
    let years = (last + 1 - founded) as f64 + rng.range(0.0, 1.0);
    let score = |rng: &mut Rng| {
        (3.0 + 0.4 * q + 0.6 * m + 0.8 * rng.normal())
            .round()
            .clamp(1.0, 5.0)
    };
    let legal = score(rng);
    let management = score(rng);
    let security = (0.6 + 0.1 * q + 0.2 * m + 0.4 * rng.normal()).clamp(0.0, 2.0);
    let share_base = match f.size {
        "micro" => 0.3,
        "small" => 1.5,
        _ => 6.0,
    };
    let market_share = (share_base * (0.8 * rng.normal() + 0.2 * q).exp()).clamp(0.01, 60.0);
    let supplier = if rng.chance(0.3 - 0.08 * q) {
        "yes"
    } else {
        "no"
    };
    let customer = if rng.chance(0.25 - 0.08 * q) {
        "yes"
    } else {
        "no"
    };
    writeln!(
        out,
        "{},{}-01-15,{years:.1},{legal},{management},{security:.2},{market_share:.2},{supplier},{customer}",
        f.id,
        last + 1
    )
}
