//! The service's JSON documents (their OpenAPI schemas come from these types) and the reading
//! of a body: malformed JSON is 400; a missing field, a wrong type or an unknown field is 422
//! naming the field (`firm.sector`, `statements[0].items.revenue`).

use super::errors::ApiError;
use crate::ops::score::{PostedFirm, PostedItems, PostedStatement};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One firm to score: its facts and one or more years of statements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    pub firm: FirmIn,
    /// One statement per fiscal year; the latest is scored, the one before it gives growth
    /// and average balances.
    pub statements: Vec<StatementIn>,
    /// Business factors by name (years_in_business, legal_score, management_score,
    /// credit_security, market_share, supplier_dependence, customer_dependence), read by a
    /// model trained on them (a missing one takes the training median); numbers only.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub factors: Option<serde_json::Map<String, serde_json::Value>>,
    /// Also store the firm and its statements (needs `firm.id`). Default: nothing is written.
    #[serde(default)]
    pub store: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirmIn {
    /// Needed only to store the firm.
    pub id: Option<String>,
    pub name: Option<String>,
    /// One of the store's sectors (see `GET /v1/models`... or `precre portfolio`).
    pub sector: String,
    pub region: Option<String>,
    pub size: Option<String>,
    /// YYYY-MM-DD.
    pub founded: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementIn {
    pub fiscal_year: i32,
    /// Statement items by id (`total_assets`, `revenue`, ...), in thousands of the currency.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub items: ItemsIn,
}

/// A statement's items, read straight into their places (no map of names is built: this was
/// a third of a score's CPU).
#[derive(Debug, Default)]
pub struct ItemsIn(pub PostedItems);

impl<'de> Deserialize<'de> for ItemsIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ItemsVisitor)
    }
}

struct ItemsVisitor;

impl<'de> serde::de::Visitor<'de> for ItemsVisitor {
    type Value = ItemsIn;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of statement items to amounts")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ItemsIn, A::Error> {
        let mut items = PostedItems::default();
        let mut last = usize::MAX;
        while let Some(name) = map.next_key::<ItemName<'de>>()? {
            let value: f64 = map.next_value()?;
            last = items.set_after(last, &name.0, value);
        }
        Ok(ItemsIn(items))
    }
}

/// An item's name, borrowed from the body when it can be.
struct ItemName<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for ItemName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ItemName<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an item name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<ItemName<'de>, E> {
                Ok(ItemName(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<ItemName<'de>, E> {
                Ok(ItemName(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<ItemName<'de>, E> {
                Ok(ItemName(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl ScoreRequest {
    /// The firm as the use case reads it, moved out of the request.
    pub fn into_posted(self) -> PostedFirm {
        PostedFirm {
            id: self.firm.id,
            name: self.firm.name,
            sector: self.firm.sector,
            region: self.firm.region,
            size: self.firm.size,
            founded: self.firm.founded,
            factors: self
                .factors
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| v.as_f64().map(|v| (k, v)))
                .collect(),
            statements: self
                .statements
                .into_iter()
                .map(|s| PostedStatement {
                    fiscal_year: s.fiscal_year,
                    items: s.items.0,
                })
                .collect(),
        }
    }
}

/// A firm scored by the active model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreResponse {
    pub firm_id: Option<String>,
    /// The fiscal year scored (the latest statement).
    pub fiscal_year: i32,
    pub class: String,
    /// The chance of each class, by name.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub probabilities: AsMap<String, f64>,
    /// Up to four reasons, in words.
    pub reasons: Vec<String>,
    /// The ratios of the scored year, by id, in the catalogue's order (null where a ratio
    /// cannot be computed).
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub ratios: AsMap<&'static str, Option<f64>>,
    pub model_id: String,
    pub model_hash: String,
    /// Whether the firm and its statements were stored.
    pub stored: bool,
}

/// Pairs written as a JSON object, in their order (no map is built to write them).
#[derive(Debug, Clone, PartialEq)]
pub struct AsMap<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for AsMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A decision on a pending application, with the rules of `precre decide`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// approve, decline or refer.
    pub verdict: String,
    pub note: Option<String>,
    /// Up to four; a decline needs at least one.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Needed against the model's class, and to replace a decision.
    pub override_reason: Option<String>,
    /// Replace a decision in force (an explicit, logged override).
    #[serde(default)]
    pub replace: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub schema_version: i64,
}

/// A body as text: 400 unless it is UTF-8.
pub fn body_text(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not UTF-8 text: {e}"),
        )
    })
}

/// Reads a JSON body into `T`, naming the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // The whole body is checked as UTF-8 once (reading from a slice checks every string
    // again: 3% of a score's CPU).
    parse_text(body_text(bytes)?)
}

/// Reads a score request's text: the usual form by `reader`, anything else by serde_json
/// (which names the field at fault).
pub fn parse_score_text(text: &str) -> Result<ScoreRequest, ApiError> {
    match super::reader::score_request(text) {
        Some(req) => Ok(req),
        None => parse_text(text),
    }
}

/// Reads JSON text into `T`, naming the field at fault.
pub fn parse_text<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    // A good body is read once, without tracking paths (a fifth of a score's CPU); only a
    // refused one is read again to say where: syntax errors are 400, data errors 422 with the
    // field's path.
    if let Ok(v) = serde_json::from_str::<T>(text) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let malformed = |e: &serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("the body is not well-formed JSON: {e}"),
        )
    };
    match parsed {
        Ok(v) => de.end().map(|()| v).map_err(|e| malformed(&e)),
        Err(e) if e.inner().is_syntax() || e.inner().is_eof() => Err(malformed(e.inner())),
        Err(e) => Err(path_error(e)),
    }
}

/// A data error in words, with the field's path.
fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    {
        let mut path = e.path().to_string();
        let inner = e.inner().to_string();
        if let Some(missing) = inner
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            path = if path == "." {
                missing.to_string()
            } else {
                format!("{path}.{missing}")
            };
        }
        let path = if path == "." { String::new() } else { path };
        let message = if path.is_empty() {
            inner
        } else if inner.starts_with("missing field") {
            format!("{path}: missing (a required field)")
        } else {
            format!("{path}: {inner}")
        };
        let err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        if path.is_empty() {
            err
        } else {
            err.field(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finance::items::idx;

    fn statement(items: &str) -> Result<StatementIn, ApiError> {
        parse(format!("{{\"fiscal_year\": 2024, \"items\": {items}}}").as_bytes())
    }

    #[test]
    fn items_are_read_into_their_places() {
        let s = statement(r#"{"revenue": 10, "cash": 2.5, "revenue": 12, "goodwill_fairy": 1}"#)
            .unwrap();
        assert_eq!(
            s.items.0.values[idx::REVENUE],
            Some(12.0),
            "the last one given"
        );
        assert_eq!(s.items.0.values[idx::CASH], Some(2.5));
        assert_eq!(s.items.0.values.iter().flatten().count(), 2);
        assert_eq!(s.items.0.unknown, vec!["goodwill_fairy".to_string()]);
        // An escaped name is the same name.
        let s = statement(r#"{"re\u0076enue": 7}"#).unwrap();
        assert_eq!(s.items.0.values[idx::REVENUE], Some(7.0));
        // Read from a JSON value too (a deserializer that hands out owned names).
        let v = ScoreRequest::deserialize(serde_json::json!({"firm": {"sector": "retail"},
            "statements": [{"fiscal_year": 2024, "items": {"cash": 3}}]}))
        .unwrap();
        assert_eq!(v.statements[0].items.0.values[idx::CASH], Some(3.0));
    }

    #[test]
    fn a_bad_amount_names_its_item() {
        for items in [r#"{"cash": null}"#, r#"{"revenue": 1, "cash": "a lot"}"#] {
            let e = statement(items).unwrap_err();
            assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{items}");
            assert_eq!(e.field.as_deref(), Some("items.cash"), "{items}");
        }
        let e = statement(r#"["cash"]"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("items"));
    }

    #[test]
    fn a_body_that_is_not_utf8_is_malformed() {
        let e = parse::<StatementIn>(b"{\"fiscal_year\": 2024, \"items\": {\"ca\xffsh\": 1}}")
            .unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{}", e.message);
        assert_eq!(e.kind, "malformed");
    }

    #[test]
    fn the_openapi_document_describes_items_and_ratios_as_maps() {
        let doc: serde_json::Value = serde_json::from_str(&crate::serve::openapi_json()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let items = &schemas["StatementIn"]["properties"]["items"];
        assert_eq!(items["type"], "object", "{items}");
        assert_eq!(items["additionalProperties"]["type"], "number", "{items}");
        let ratios = &schemas["ScoreResponse"]["properties"]["ratios"];
        assert_eq!(ratios["type"], "object", "{ratios}");
        assert!(ratios["additionalProperties"].is_object(), "{ratios}");
    }

    #[test]
    fn pairs_are_written_as_an_object_in_their_order() {
        let m = AsMap(vec![("b", Some(1.5)), ("a", None)]);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"b":1.5,"a":null}"#);
    }
}
