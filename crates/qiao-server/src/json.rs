//! A JSON body extractor whose failures use the error envelope: 400 when the body is not JSON,
//! 422 naming the field when the JSON does not fit the record (missing, unknown or mistyped),
//! each as the rule it breaks (`required`, `unknown_field`, `wrong_type`, …).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use qiao_domain::Rule;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Code};

/// Largest body accepted, in bytes.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// A parsed JSON request body.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    Code::PayloadTooLarge,
                    format!("the body is larger than {MAX_BODY} bytes"),
                )
            } else {
                ApiError::new(
                    Code::MalformedRequest,
                    format!("the body could not be read: {e}"),
                )
            }
        })?;
        parse(&bytes).map(Json)
    }
}

/// Parses JSON, classifying syntax errors (400) apart from shape errors (422 with the field path).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                // serde appends " at line L column C"; the field path already says where.
                let message = message.split(" at line ").next().unwrap_or(&message);
                field_error(&path, message)
            }
            _ => ApiError::new(
                Code::MalformedRequest,
                format!("the body is not valid JSON: {inner}"),
            ),
        }
    })
}

/// A 422 for a shape error at `path`. serde reports a missing field at its parent, so the
/// field's own name is taken from the message to point at it.
fn field_error(path: &str, message: &str) -> ApiError {
    let parent = if path == "." { "" } else { path };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    let field = match (missing, parent) {
        (Some(name), "") => name.to_string(),
        (Some(name), p) => format!("{p}.{name}"),
        (None, "") => "body".to_string(),
        (None, p) => p.to_string(),
    };
    qiao_domain::Invalid::field(field, Rule::from_serde(message)).into()
}

/// A JSON value's type in serde's words (`map`, `sequence`, `string "x"`), for a body of the
/// wrong shape.
pub fn shape(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".into(),
        Value::Object(_) => "map".into(),
    }
}

/// Deserialises a JSON value into a record type, with the same 422 field naming as [`parse`].
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        field_error(&path, message.split(" at line ").next().unwrap_or(&message))
    })
}

/// Query-string parameters; a malformed query is a 400 in the error envelope.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| {
                ApiError::new(
                    Code::MalformedRequest,
                    format!("the query string is invalid: {}", e.body_text()),
                )
            })
    }
}

/// A path parameter that must be a record id; anything else is a 404, as no such record exists.
pub struct Id(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::new(Code::NotFound, "no such record"))?;
        raw.parse()
            .map(Id)
            .map_err(|_| ApiError::new(Code::NotFound, format!("`{raw}` is not a record id")))
    }
}

/// Applies an RFC 7396 JSON merge patch: objects merge key by key, `null` removes a key, any
/// other value replaces what was there.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}
