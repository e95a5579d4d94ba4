//! `precre firms`: the firm list, filtered and sorted in the store.

use super::{open_store, UsageError};
use crate::cli::{Cli, FirmsArgs};
use crate::finance::catalogue::Unit;
use crate::output::{format_ratio, print_json, print_table, OutputFormat, TextTable};
use crate::store::firms::FirmQuery;
use crate::store::StoreError;

pub fn run(cli: &Cli, args: &FirmsArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let query = FirmQuery {
        sector: args.sector.clone(),
        search: args.search.clone(),
        sort: args.sort.clone(),
        descending: args.desc,
        limit: args.limit,
        offset: args.offset,
        filter: crate::filter::parse(args.filter.as_deref().unwrap_or(""))
            .map_err(|e| UsageError(format!("--filter: {e}")))?,
        ..Default::default()
    };
    let firms = match store.list_firms(&query) {
        Err(StoreError::NotFound(msg)) => return Err(UsageError(msg).into()),
        other => other?,
    };
    if args.format == OutputFormat::Json {
        return print_json(&firms);
    }
    let mut t = TextTable::new([
        "id",
        "name",
        "sector",
        "region",
        "size",
        "status",
        "year",
        "class",
        "predicted",
        "current",
        "autonomy",
        "net margin",
    ])
    .align_right([6, 9, 10, 11])
    // At 80 columns: region, size and the statement's year go first.
    .optional([3, 4, 6]);
    for f in &firms {
        t.push(vec![
            f.id.clone(),
            f.name.clone(),
            f.sector.clone(),
            f.region.clone().unwrap_or_default(),
            f.size.clone().unwrap_or_default(),
            f.status.clone(),
            f.latest_year.map(|y| y.to_string()).unwrap_or_default(),
            f.class.clone().unwrap_or_default(),
            f.predicted.clone().unwrap_or_default(),
            format_ratio(f.current_ratio, Unit::Ratio),
            format_ratio(f.financial_autonomy, Unit::Percent),
            format_ratio(f.net_margin, Unit::Percent),
        ]);
    }
    if firms.is_empty() && args.format == OutputFormat::Table {
        eprintln!("no firms match; `precre demo` loads the demo portfolio, `precre import FILE --kind firms` yours");
    }
    print_table(&t, args.format)
}
