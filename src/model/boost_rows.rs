//! The booster's rows as records, one per row and predictor: the row's gradient and hessian
//! (as `f32`, as LightGBM keeps them) followed by its bin codes, so a histogram reads one
//! short record per row instead of two places far apart (ADR 0038).

use super::hist::Binned;

/// Bytes before the codes: the gradient and the hessian.
const HEAD: usize = 8;

/// `bytes[r * stride..]`: row r's gradient (f32), hessian (f32), then one code per input.
pub(super) struct RowRecords {
    stride: usize,
    inputs: usize,
    bytes: Vec<u8>,
}

impl RowRecords {
    /// Every row's codes, gradients and hessians zero.
    pub(super) fn new(binned: &Binned) -> RowRecords {
        let inputs = binned.features();
        let stride = (HEAD + inputs).next_multiple_of(8);
        let mut bytes = vec![0u8; binned.rows * stride];
        for (r, record) in bytes.chunks_exact_mut(stride).enumerate() {
            for (code, column) in record[HEAD..HEAD + inputs].iter_mut().zip(&binned.codes) {
                *code = column[r];
            }
        }
        RowRecords {
            stride,
            inputs,
            bytes,
        }
    }

    pub(super) fn inputs(&self) -> usize {
        self.inputs
    }

    /// Row r's gradient and hessian, widened.
    #[inline]
    pub(super) fn gh(&self, r: usize) -> (f64, f64) {
        let at = r * self.stride;
        gh_of(&self.bytes[at..at + HEAD])
    }

    /// Row r's gradient, hessian and codes.
    #[inline]
    pub(super) fn record(&self, r: usize) -> (f64, f64, &[u8]) {
        let record = &self.bytes[r * self.stride..][..HEAD + self.inputs];
        let (g, h) = gh_of(&record[..HEAD]);
        (g, h, &record[HEAD..])
    }

    /// The records in blocks of `rows` rows, to write gradients side by side: each block's
    /// rows through [`set_gh`].
    pub(super) fn blocks_mut(&mut self, rows: usize) -> std::slice::ChunksMut<'_, u8> {
        self.bytes.chunks_mut(rows * self.stride)
    }

    pub(super) fn stride(&self) -> usize {
        self.stride
    }
}

#[inline]
fn gh_of(head: &[u8]) -> (f64, f64) {
    let g = f32::from_ne_bytes([head[0], head[1], head[2], head[3]]);
    let h = f32::from_ne_bytes([head[4], head[5], head[6], head[7]]);
    (g as f64, h as f64)
}

/// Writes row `r` of a block (of records `stride` bytes long): its gradient and hessian.
#[inline]
pub(super) fn set_gh(block: &mut [u8], stride: usize, r: usize, g: f64, h: f64) {
    let head = &mut block[r * stride..r * stride + HEAD];
    head[..4].copy_from_slice(&(g as f32).to_ne_bytes());
    head[4..].copy_from_slice(&(h as f32).to_ne_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Matrix;

    #[test]
    fn a_record_gives_back_its_codes_and_what_was_written() {
        let x = Matrix::from_rows(&[
            vec![1.0, 5.0, 9.0],
            vec![2.0, 4.0, 9.5],
            vec![3.0, 6.0, 9.0],
        ]);
        let binned = Binned::fit(&x, 255);
        let mut records = RowRecords::new(&binned);
        assert_eq!((records.inputs(), records.stride()), (3, 16));
        let stride = records.stride();
        for (b, block) in records.blocks_mut(2).enumerate() {
            for r in 0..block.len() / stride {
                let row = b * 2 + r;
                set_gh(block, stride, r, row as f64 - 0.5, 0.25);
            }
        }
        for r in 0..3 {
            let (g, h, codes) = records.record(r);
            assert_eq!((g, h), (r as f64 - 0.5, 0.25));
            assert_eq!(records.gh(r), (g, h));
            let expected: Vec<u8> = binned.codes.iter().map(|c| c[r]).collect();
            assert_eq!(codes, &expected[..]);
        }
    }
}
