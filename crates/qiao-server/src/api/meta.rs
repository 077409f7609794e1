//! Health and the OpenAPI document.

use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::state::AppState;

/// `GET /api/v1/health`: the backend and the newest change-feed number.
pub async fn health(State(state): State<AppState>) -> ApiResult<axum::Json<Value>> {
    let seq = state.store.last_seq().await?;
    Ok(axum::Json(
        json!({"status": "ok", "backend": state.store.backend().name(), "last_seq": seq}),
    ))
}

/// `GET /api/v1/openapi.json`
pub async fn openapi() -> axum::Json<Value> {
    static DOC: std::sync::LazyLock<Value> = std::sync::LazyLock::new(crate::openapi::document);
    axum::Json(DOC.clone())
}
