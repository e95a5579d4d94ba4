//! Variable screening as a use case: the rows a data choice names, the class read as bad, and
//! the screening report (missing share, VIF, information value, correlations, near-duplicate
//! groups, recommended set). `precre screen` and the workbench's Screen pane run this.

use super::train::{rows, DataChoice};
use super::{OpsError, Result};
use crate::analysis::screen::{bad_class, screen, ScreenRule, Screening};
use crate::store::Store;

/// A screening, as a front-end asks for it.
#[derive(Debug, Clone)]
pub struct ScreenRequest {
    pub data: DataChoice,
    /// The class read as bad for the information value (default: "bad", else the rarest).
    pub bad: Option<String>,
    pub rule: ScreenRule,
}

/// Screens the inputs of the rows the request names.
pub fn run(store: &Store, req: &ScreenRequest) -> Result<Screening> {
    let rule = req.rule;
    if rule.max_vif.is_nan() || rule.max_vif < 1.0 {
        return Err(OpsError::Usage(format!(
            "the VIF threshold {} must be at least 1 (a VIF is never below 1)",
            rule.max_vif
        )));
    }
    let corr_ok = rule.duplicate_corr > 0.0 && rule.duplicate_corr <= 1.0;
    if rule.min_iv.is_nan() || rule.min_iv < 0.0 || !corr_ok {
        return Err(OpsError::Usage(format!(
            "the IV threshold ({}) must be 0 or more and the duplicate correlation ({}) in (0, 1]",
            rule.min_iv, rule.duplicate_corr
        )));
    }
    let data = rows(store, &req.data)?;
    if data.x.cols == 0 {
        return Err(OpsError::BadData("there is no input to screen".into()));
    }
    let bad = bad_class(&data.labels, req.bad.as_deref())?;
    Ok(screen(&data, bad.as_deref(), rule))
}
