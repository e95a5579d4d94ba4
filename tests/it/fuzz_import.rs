//! Generated hostile files, imported in-process: 2,000 seeded random CSV files built from pieces
//! that break parsers (odd delimiters, quotes, byte-order marks, invalid UTF-8, NUL bytes, huge
//! and non-finite numbers, ragged rows, duplicate or empty headers) for every kind. Each import
//! must return (an error or a report), never panic, and a refused file leaves the store unchanged.

use precre::ingest::{import_file, ImportOptions, Kind};
use precre::store::Store;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D1_049B_B133_111D);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const HEADERS: &[&str] = &[
    "id",
    "name",
    "sector",
    "firm_id",
    "fiscal_year",
    "total_assets",
    "revenue",
    "equity",
    "amount",
    "term_months",
    "submitted",
    "as_of",
    "class",
    "source",
    "label",
    "x",
    "",
    "id",
    "\u{feff}id",
    "Fiscal Year",
    "naïve",
    "\"quoted,head\"",
];
const CELLS: &[&str] = &[
    "101-06-72741",
    "Alpha Co",
    "retail",
    "2024",
    "1e400",
    "-1e400",
    "NaN",
    "inf",
    "-0",
    "0",
    "1,000",
    "1.000.000",
    "12.5%",
    "",
    " ",
    "\"",
    "\"\"",
    "\"a\nb\"",
    "=SUM(A1)",
    "2025-01-31",
    "31/01/2025",
    "20250131",
    "good",
    "bad",
    "999999999999999999999999",
    "-",
    "\u{0}",
    "ünïcödé",
    "\t",
    ";",
    "|",
];

fn random_file(rng: &mut Rng) -> Vec<u8> {
    let delim = rng.pick(&[",", ";", "\t", "|", " "]);
    let cols = 1 + rng.below(8);
    let rows = rng.below(6);
    let mut out = Vec::new();
    if rng.below(10) == 0 {
        out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    let header: Vec<&str> = (0..cols).map(|_| rng.pick(HEADERS)).collect();
    out.extend_from_slice(header.join(delim).as_bytes());
    out.push(b'\n');
    for _ in 0..rows {
        // Ragged rows now and then.
        let n = if rng.below(8) == 0 {
            1 + rng.below(cols + 2)
        } else {
            cols
        };
        let cells: Vec<&str> = (0..n).map(|_| rng.pick(CELLS)).collect();
        out.extend_from_slice(cells.join(delim).as_bytes());
        if rng.below(15) == 0 {
            out.extend_from_slice(&[0xFF, 0xFE, 0x80]);
        }
        out.extend_from_slice(if rng.below(6) == 0 { b"\r\n" } else { b"\n" });
    }
    out
}

#[test]
fn generated_hostile_files_never_panic_and_never_half_import() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("fuzz.db")).unwrap();
    let mut rng = Rng(20261122);
    let kinds = [
        Kind::Firms,
        Kind::Statements,
        Kind::Applications,
        Kind::Outcomes,
        Kind::Factors,
        Kind::Features,
    ];
    let mut imported = 0;
    let mut refused = 0;
    for i in 0..2000 {
        let bytes = random_file(&mut rng);
        let path = dir.path().join(format!("f{i}.csv"));
        std::fs::write(&path, &bytes).unwrap();
        let kind = kinds[rng.below(kinds.len())];
        let mut opts = ImportOptions::new(kind);
        opts.create_firms = rng.below(2) == 0;
        if kind == Kind::Features {
            opts.features.name = Some(format!("set{i}"));
        }
        let before = store.content_digest().unwrap();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            import_file(&mut store, &path, &opts)
        }));
        match result {
            Err(_) => panic!(
                "import of generated file {i} ({kind:?}) panicked; its bytes: {:?}",
                String::from_utf8_lossy(&bytes)
            ),
            Ok(Ok(_)) => imported += 1,
            Ok(Err(e)) => {
                refused += 1;
                let msg = e.to_string();
                assert!(!msg.is_empty());
                assert_eq!(
                    store.content_digest().unwrap(),
                    before,
                    "file {i} was refused ({msg}) but the store changed"
                );
            }
        }
    }
    assert!(
        refused > 0 && imported > 0,
        "{imported} imported, {refused} refused"
    );
    assert!(store.check().unwrap().ok());
}
