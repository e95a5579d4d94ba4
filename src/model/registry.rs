//! The model registry: a trained pipeline with an id that is the hash of its content, its name,
//! creation time, parameters, features, training-data fingerprint and metrics; JSON files in
//! `models/` carry the same record.

use super::metrics::Evaluation;
use super::pipeline::Pipeline;
use crate::analysis::Dataset;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped when the record's shape changes.
pub const FORMAT_VERSION: u32 = 1;

/// The headline figures kept with a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    pub accuracy: f64,
    pub test_error: f64,
    pub passes_15_percent_bar: bool,
    pub majority_baseline: f64,
    pub macro_recall: f64,
    pub auc: Option<f64>,
    pub gini: Option<f64>,
    pub ks: Option<f64>,
    pub n_train: usize,
    pub n_test: usize,
}

impl ModelMetrics {
    pub fn from_evaluation(e: &Evaluation, n_train: usize, n_test: usize) -> Self {
        ModelMetrics {
            accuracy: e.accuracy,
            test_error: e.test_error,
            passes_15_percent_bar: e.passes_15_percent_bar,
            majority_baseline: e.majority_baseline,
            macro_recall: e.macro_recall,
            auc: e.auc,
            gini: e.gini,
            ks: e.ks,
            n_train,
            n_test,
        }
    }
}

/// A registered model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    pub format_version: u32,
    /// sha256 of the pipeline and the data fingerprint (hex, 16 characters shown as the id).
    pub id: String,
    pub name: String,
    /// Where the data came from, in words (`feature set polish1`, `ratios (all) of latest statements`).
    pub source: String,
    pub created_at: String,
    pub data_fingerprint: String,
    pub metrics: ModelMetrics,
    pub pipeline: Pipeline,
    /// The full test evaluation (confusion matrix, per-class figures, ROC curves), when kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// The cross-validated pruning path, when pruning was cross-validated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cp_table: Vec<super::prune::CpRow>,
    /// The test part's outcomes and predicted chances of bad, for the credit reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_sample: Option<super::reports::Sample>,
    /// Which rows the test part held (ids and fiscal years, in `test_sample`'s order), so that
    /// another model can be measured on the same held-out rows; not part of the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_part: Option<TestPart>,
    /// The training population on its bins (the chance of bad on its deciles, each input on
    /// its screening bins): what monitoring compares the applications of a period with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<crate::analysis::stability::PopulationProfile>,
}

/// The rows of a model's held-out part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestPart {
    pub ids: Vec<String>,
    /// Fiscal years of the statements (empty for a feature set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<i32>,
    /// The first fiscal year of an out-of-time test part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_time_from: Option<i32>,
}

/// sha256 of the training data: ids, labels and the values' bits, row by row.
pub fn fingerprint(data: &Dataset, rows: &[usize]) -> String {
    let mut h = Sha256::new();
    h.update(data.names.join("\u{1f}").as_bytes());
    for &r in rows {
        h.update(data.ids[r].as_bytes());
        h.update([0x1f]);
        h.update(data.labels[r].as_deref().unwrap_or("").as_bytes());
        for v in data.x.row(r) {
            h.update(v.to_bits().to_le_bytes());
        }
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content id: the hash of the pipeline (as JSON) and the training-data fingerprint. The
/// name and the creation time are not part of it, so retraining the same way gives the same id.
pub fn content_id(pipeline: &Pipeline, data_fingerprint: &str) -> String {
    content_hash(pipeline, data_fingerprint)[..16].to_string()
}

/// The full sha256 (64 hex characters) of which the id is the start; recorded with decisions.
pub fn content_hash(pipeline: &Pipeline, data_fingerprint: &str) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(pipeline).unwrap_or_default());
    h.update(data_fingerprint.as_bytes());
    hex(&h.finalize())
}

/// The training rows' profile: the pipeline's chance of bad on each and their inputs.
pub fn training_population(
    data: &Dataset,
    report: &super::pipeline::TrainReport,
) -> crate::analysis::stability::PopulationProfile {
    let p = &report.pipeline;
    let rows = &report.train_rows;
    let x = data.x.select_rows(rows);
    let positive = p.classes.get(p.positive_class).map(String::as_str);
    let bad: Vec<bool> = rows
        .iter()
        .map(|&r| data.labels[r].as_deref() == positive)
        .collect();
    let p_bad: Vec<f64> = p
        .predict_proba(&x)
        .iter()
        .map(|row| row[p.positive_class])
        .collect();
    let columns: Vec<Vec<f64>> = (0..x.cols).map(|c| x.column(c)).collect();
    crate::analysis::stability::profile(&data.names, &columns, &bad, &p_bad)
}

impl ModelRecord {
    pub fn new(
        name: &str,
        source: &str,
        created_at: &str,
        data_fingerprint: String,
        metrics: ModelMetrics,
        pipeline: Pipeline,
    ) -> Self {
        ModelRecord {
            format_version: FORMAT_VERSION,
            id: content_id(&pipeline, &data_fingerprint),
            name: name.to_string(),
            source: source.to_string(),
            created_at: created_at.to_string(),
            data_fingerprint,
            metrics,
            pipeline,
            evaluation: None,
            cp_table: Vec::new(),
            test_sample: None,
            test_part: None,
            population: None,
        }
    }

    /// A record of a training run: its pipeline, headline metrics, full evaluation and cp table.
    pub fn from_report(
        name: &str,
        source: &str,
        created_at: &str,
        data: &Dataset,
        report: &super::pipeline::TrainReport,
    ) -> Self {
        let metrics =
            ModelMetrics::from_evaluation(&report.evaluation, report.n_train, report.n_test);
        let mut rec = ModelRecord::new(
            name,
            source,
            created_at,
            fingerprint(data, &report.train_rows),
            metrics,
            report.pipeline.clone(),
        );
        rec.evaluation = Some(report.evaluation.clone());
        rec.cp_table = report.cp_table.clone();
        let positive = report.pipeline.positive_class;
        rec.test_sample = Some(super::reports::Sample {
            bad: report.test_classes.iter().map(|&c| c == positive).collect(),
            p_bad: report.test_proba.iter().map(|row| row[positive]).collect(),
        });
        rec.test_part = Some(TestPart {
            ids: report
                .test_rows
                .iter()
                .map(|&r| data.ids[r].clone())
                .collect(),
            years: if data.years.is_empty() {
                Vec::new()
            } else {
                report.test_rows.iter().map(|&r| data.years[r]).collect()
            },
            out_of_time_from: None,
        });
        rec.population = Some(training_population(data, report));
        rec
    }

    /// The full content hash (the id is its first 16 characters).
    pub fn hash(&self) -> String {
        content_hash(&self.pipeline, &self.data_fingerprint)
    }

    /// Reads a record from JSON and checks that its id matches its content.
    pub fn from_json(text: &str) -> Result<ModelRecord, super::RecordError> {
        use super::RecordError;
        let rec: ModelRecord =
            serde_json::from_str(text).map_err(|e| RecordError::NotAModel(e.to_string()))?;
        if rec.format_version > FORMAT_VERSION {
            return Err(RecordError::TooNew {
                found: rec.format_version,
                known: FORMAT_VERSION,
            });
        }
        let id = content_id(&rec.pipeline, &rec.data_fingerprint);
        if id != rec.id {
            return Err(RecordError::IdMismatch {
                id: rec.id,
                content: id,
            });
        }
        Ok(rec)
    }
}
