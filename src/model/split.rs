//! Splitting data: stratified train/test, stratified k folds, by a split column, out of time.

use crate::analysis::rng::Rng;

/// Row indexes of the training part and of the test part.
pub type RowSplit = (Vec<usize>, Vec<usize>);

/// Fisher-Yates shuffle with our seeded generator.
fn shuffle(v: &mut [usize], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn by_class(y: &[usize]) -> Vec<Vec<usize>> {
    let k = y.iter().max().map_or(0, |m| m + 1);
    let mut groups = vec![Vec::new(); k];
    for (i, &c) in y.iter().enumerate() {
        groups[c].push(i);
    }
    groups
}

/// A stratified split: in every class, `test_share` of its rows (rounded) go to the test part.
/// Returns (train, test) row indexes, each sorted.
pub fn stratified(y: &[usize], test_share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut group in by_class(y) {
        shuffle(&mut group, &mut rng);
        let n_test = (group.len() as f64 * test_share).round() as usize;
        test.extend_from_slice(&group[..n_test]);
        train.extend_from_slice(&group[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// Refuses a number of folds that the rows cannot fill: every fold needs at least one row, and
/// at least two folds are needed to hold anything out.
pub fn check_folds(rows: usize, folds: usize) -> Result<(), super::SplitError> {
    if folds < 2 {
        return Err(super::SplitError::TooFewFolds(folds));
    }
    if folds > rows {
        return Err(super::SplitError::FoldsExceedRows { folds, rows });
    }
    Ok(())
}

/// Stratified k folds: each class is shuffled and dealt round-robin. Returns each fold's rows.
pub fn stratified_folds(y: &[usize], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    let k = k.max(1);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for mut group in by_class(y) {
        shuffle(&mut group, &mut rng);
        for i in group {
            folds[next % k].push(i);
            next += 1;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    folds
}

/// An explicit split from a column of `train` / `test` values. Other values are an error naming
/// the first offending row (1-based).
pub fn by_column(values: &[Option<&str>]) -> Result<RowSplit, super::SplitError> {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, v) in values.iter().enumerate() {
        match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("train") => train.push(i),
            Some("test") => test.push(i),
            other => {
                return Err(super::SplitError::NotTrainOrTest {
                    row: i + 1,
                    value: other.unwrap_or("").to_string(),
                })
            }
        }
    }
    Ok((train, test))
}

/// Out of time: rows whose year is before `from_year` train, the others test.
pub fn out_of_time(years: &[i32], from_year: i32) -> (Vec<usize>, Vec<usize>) {
    (0..years.len()).partition(|&i| years[i] < from_year)
}
