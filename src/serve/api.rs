//! The service's JSON documents (their OpenAPI schemas come from these types) and the reading
//! of a body: malformed JSON is 400; a missing field, a wrong type or an unknown field is 422
//! naming the field (`firm.sector`, `statements[0].items.revenue`).

use super::errors::{ApiError, ErrorCode};
use crate::finance::inputs::FACTORS;
use crate::ops::score::{
    FirmScore, PostedFirm, PostedItems, PostedStatement, MAX_FACTOR_ENTRIES, MAX_ITEM_ENTRIES,
    MAX_STATEMENTS,
};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One firm to score: its facts and one or more years of statements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    #[serde(deserialize_with = "object")]
    pub firm: FirmIn,
    /// One statement per fiscal year (at most 100); the latest is scored, the one before it
    /// gives growth and average balances.
    #[serde(deserialize_with = "objects")]
    pub statements: Vec<StatementIn>,
    /// Business factors by name (years_in_business, legal_score, management_score,
    /// credit_security, market_share, supplier_dependence, customer_dependence), numbers in
    /// the ranges an import of factors takes; read by a model trained on them (a missing one
    /// takes the training median).
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, f64>>)]
    pub factors: Option<FactorsIn>,
    /// Also store the firm and its statements (needs `firm.id` and a token of scope `store`).
    /// Register fields not given keep what the store holds. Default: nothing is written.
    #[serde(default)]
    pub store: bool,
}

/// A firm's register facts, checked as an import of firms checks them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirmIn {
    /// Needed only to store the firm (at most 64 characters, no control characters).
    pub id: Option<String>,
    /// At most 200 characters.
    pub name: Option<String>,
    /// One of the store's sectors.
    pub sector: String,
    pub region: Option<String>,
    /// micro, small, medium or large.
    pub size: Option<String>,
    /// YYYY-MM-DD.
    pub founded: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementIn {
    pub fiscal_year: i32,
    /// ISO 4217 code of the amounts (default KRW).
    #[serde(default)]
    pub currency: Option<String>,
    /// units, thousands or millions of the currency (default thousands).
    #[serde(default)]
    pub unit: Option<String>,
    /// Statement items by id (`total_assets`, `revenue`, ...), in the statement's unit of its
    /// currency; at most 64 entries.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub items: ItemsIn,
}

/// A statement's items, read straight into their places, refused past
/// [`MAX_ITEM_ENTRIES`] entries.
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
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if items.entries >= MAX_ITEM_ENTRIES {
                return Err(serde::de::Error::custom(format!(
                    "more than {MAX_ITEM_ENTRIES} entries; a statement has {} items",
                    crate::finance::ITEMS.len()
                )));
            }
            let value: f64 = map.next_value()?;
            last = items.set_after(last, &name, value);
        }
        Ok(ItemsIn(items))
    }
}

/// Business factors by name: known names and numbers only, refused past
/// [`MAX_FACTOR_ENTRIES`] entries (their ranges are checked with the firm).
#[derive(Debug, Default)]
pub struct FactorsIn(pub BTreeMap<String, f64>);

impl<'de> Deserialize<'de> for FactorsIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FactorsVisitor)
    }
}

struct FactorsVisitor;

impl<'de> serde::de::Visitor<'de> for FactorsVisitor {
    type Value = FactorsIn;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of business factors to numbers")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FactorsIn, A::Error> {
        let mut out = BTreeMap::new();
        let mut entries = 0;
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            entries += 1;
            if entries > MAX_FACTOR_ENTRIES {
                return Err(serde::de::Error::custom(format!(
                    "more than {MAX_FACTOR_ENTRIES} entries"
                )));
            }
            if !FACTORS.contains(&&*name) {
                return Err(serde::de::Error::custom(format!(
                    "'{name}' is not a business factor; factors: {}",
                    FACTORS.join(", ")
                )));
            }
            let value: f64 = map.next_value()?;
            out.insert(name.into_owned(), value);
        }
        Ok(FactorsIn(out))
    }
}

/// Reads a JSON object into `T`, refusing the positional form (an array of its fields) that
/// serde's derived readers also take.
fn object<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectOnly(std::marker::PhantomData))
}

/// A list of JSON objects (`object` each), refused past [`MAX_STATEMENTS`] entries.
fn objects<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    struct List<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for List<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "a list of at most {MAX_STATEMENTS} objects")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(Object(v)) = seq.next_element::<Object<T>>()? {
                if out.len() == MAX_STATEMENTS {
                    return Err(serde::de::Error::custom(format!(
                        "more than {MAX_STATEMENTS} entries"
                    )));
                }
                out.push(v);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(List(std::marker::PhantomData))
}

/// `T` read from a JSON object only (`object`).
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}

/// The visitor behind `object`: takes a map only, and reads `T` from it.
struct ObjectOnly<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
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
            factors: self.factors.map(|f| f.0).unwrap_or_default(),
            statements: self
                .statements
                .into_iter()
                .map(|s| PostedStatement {
                    fiscal_year: s.fiscal_year,
                    currency: s.currency,
                    unit: s.unit,
                    items: s.items.0,
                })
                .collect(),
        }
    }
}

/// A posted firm scored by the active model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreResponse {
    #[serde(flatten)]
    pub score: FirmScore,
    /// Whether the firm and its statements were stored.
    pub stored: bool,
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
    /// Who a referral goes to: an analyst's name or a role (default: senior).
    pub referred_to: Option<String>,
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
            ErrorCode::Malformed,
            format!("the body is not UTF-8 text: {e}"),
        )
    })
}

/// Reads a JSON body into `T` (an object, never its positional form), naming the field at
/// fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_text(body_text(bytes)?)
}

/// Reads JSON text into `T` (an object), naming the field at fault: syntax errors are 400,
/// data errors 422 with the field's path.
pub fn parse_text<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    // A good body is read once without tracking paths (tracking was a fifth of a score's CPU);
    // only a refused one is read again to say where.
    let mut quick = serde_json::Deserializer::from_str(text);
    if let Ok(v) = object::<_, T>(&mut quick) {
        if quick.end().is_ok() {
            return Ok(v);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let mut track = serde_path_to_error::Track::new();
    let parsed: Result<T, _> = object(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    let malformed = |e: &serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            format!("the body is not well-formed JSON: {e}"),
        )
    };
    match parsed {
        Ok(v) => de.end().map(|()| v).map_err(|e| malformed(&e)),
        Err(e) if e.is_syntax() || e.is_eof() => Err(malformed(&e)),
        Err(e) => Err(path_error(serde_path_to_error::Error::new(track.path(), e))),
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
        let err = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            message,
        );
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
        assert_eq!(s.items.0.unknown.as_deref(), Some("goodwill_fairy"));
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

    const FIRM: &str = r#"{"firm": {"sector": "retail"}, "statements": [{"fiscal_year": 2024, "items": {"cash": 1}}]}"#;

    #[test]
    fn the_positional_form_of_an_object_is_refused() {
        // serde's derived readers take `[fields...]` for a struct: the service does not.
        for body in [
            r#"[{"sector": "retail"}, [{"fiscal_year": 2024, "items": {}}]]"#,
            r#"{"firm": ["id", "name", "retail"], "statements": []}"#,
            r#"{"firm": {"sector": "retail"}, "statements": [[2024, {"cash": 1}]]}"#,
        ] {
            let e = parse::<ScoreRequest>(body.as_bytes()).unwrap_err();
            assert_eq!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {}",
                e.message
            );
        }
        assert!(parse::<ScoreRequest>(FIRM.as_bytes()).is_ok());
        let e = parse::<DecisionRequest>(br#"["approve", null, [], null, false]"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", e.message);
    }

    #[test]
    fn items_statements_and_factors_are_bounded_while_read() {
        // 70,000 distinct unknown names: refused at entry 65, in time linear in the entries.
        let names: Vec<String> = (0..70_000).map(|i| format!("\"n{i}\": 1")).collect();
        let e = statement(&format!("{{{}}}", names.join(","))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("items"), "{}", e.message);
        assert!(e.message.contains("more than 64 entries"), "{}", e.message);
        let many: Vec<String> = (0..101)
            .map(|y| format!(r#"{{"fiscal_year": {}, "items": {{}}}}"#, 1900 + y))
            .collect();
        let body = format!(
            r#"{{"firm": {{"sector": "retail"}}, "statements": [{}]}}"#,
            many.join(",")
        );
        let e = parse::<ScoreRequest>(body.as_bytes()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("statements"), "{}", e.message);
        let with = |factors: &str| {
            let body = FIRM.replacen('{', &format!(r#"{{"factors": {factors}, "#), 1);
            parse::<ScoreRequest>(body.as_bytes())
        };
        assert!(with(r#"{"market_share": 12.5}"#).is_ok());
        let e = with(r#"{"market_shrae": 12.5}"#).unwrap_err();
        assert!(e.message.contains("not a business factor"), "{}", e.message);
        let e = with(r#"{"market_share": "high"}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", e.message);
    }

    #[test]
    fn a_body_that_is_not_utf8_is_malformed() {
        let e = parse::<StatementIn>(b"{\"fiscal_year\": 2024, \"items\": {\"ca\xffsh\": 1}}")
            .unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST, "{}", e.message);
        assert_eq!(e.kind, ErrorCode::Malformed);
    }

    #[test]
    fn the_openapi_document_describes_items_and_ratios_as_maps() {
        let doc: serde_json::Value = serde_json::from_str(&crate::serve::openapi_json()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let items = &schemas["StatementIn"]["properties"]["items"];
        assert_eq!(items["type"], "object", "{items}");
        assert_eq!(items["additionalProperties"]["type"], "number", "{items}");
        let ratios = &schemas["FirmScore"]["properties"]["ratios"];
        assert_eq!(ratios["type"], "object", "{ratios}");
        assert!(ratios["additionalProperties"].is_object(), "{ratios}");
    }

    #[test]
    fn pairs_are_written_as_an_object_in_their_order() {
        let m = crate::ops::score::Pairs(vec![("b", Some(1.5)), ("a", None)]);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"b":1.5,"a":null}"#);
    }
}
