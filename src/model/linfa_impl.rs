//! The tree in the linfa ecosystem: `Fit` on checked parameters, `PredictInplace` (and so
//! `Predict`) on the fitted tree, over `Array2<f64>` records and `Array1<usize>` class targets.

use super::{Tree, ValidTreeParams};
use crate::analysis::Matrix;
use linfa::dataset::DatasetBase;
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, Array2};

/// What can fail when fitting through linfa.
#[derive(Debug, thiserror::Error)]
pub enum LinfaFitError {
    #[error("the data set is empty")]
    Empty,
    #[error("the records contain a missing or infinite value; impute first")]
    NotFinite,
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

/// The one place a linfa/ndarray matrix becomes ours: through a contiguous row-major `Vec<f64>`.
pub fn to_matrix(records: &Array2<f64>) -> Matrix {
    let (rows, cols) = records.dim();
    Matrix::new(rows, cols, records.iter().copied().collect())
}

impl Fit<Array2<f64>, Array1<usize>, LinfaFitError> for ValidTreeParams {
    type Object = Tree;

    fn fit(
        &self,
        dataset: &DatasetBase<Array2<f64>, Array1<usize>>,
    ) -> Result<Tree, LinfaFitError> {
        let x = to_matrix(&dataset.records);
        if x.rows == 0 {
            return Err(LinfaFitError::Empty);
        }
        if x.data.iter().any(|v| !v.is_finite()) {
            return Err(LinfaFitError::NotFinite);
        }
        let y: Vec<usize> = dataset.targets.iter().copied().collect();
        let n_classes = y.iter().max().map_or(1, |m| m + 1);
        Ok(Tree::fit(self, &x, &y, n_classes))
    }
}

impl PredictInplace<Array2<f64>, Array1<usize>> for Tree {
    fn predict_inplace(&self, x: &Array2<f64>, y: &mut Array1<usize>) {
        for (row, out) in x.rows().into_iter().zip(y.iter_mut()) {
            let values: Vec<f64> = row.iter().copied().collect();
            *out = self.predict_row(&values);
        }
    }

    fn default_target(&self, x: &Array2<f64>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}
