//! `GET /documents/{id}`: an imported policy document as a page: its metadata, the cleaned text
//! and a table of the figures read from it (indicator, value with unit, qualifier, year,
//! subject, target or fact). Search results link document hits here.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use qiao_docs::{Figure, Kind as FigureKind};

use super::{Ctx, Lang, PageResult, Visitor, html};
use crate::state::AppState;

/// One row of the figures table.
struct FigureView {
    index: usize,
    target: bool,
    metric: String,
    indicator: String,
    value: String,
    qualifier: String,
    year: String,
    subject: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    ctx: &'a Ctx,
    id: i64,
    staff: bool,
    region: String,
    title: String,
    fields: Vec<(String, String)>,
    text: String,
    figures: Vec<FigureView>,
    removed: usize,
}

/// The value as written in the text when it carries the unit (230亿元), else the base value
/// and unit.
fn value_text(f: &Figure) -> String {
    if f.raw.trim().is_empty() {
        format!("{}{}", f.value, f.unit)
    } else {
        f.raw.clone()
    }
}

fn figure_view(l: Lang, index: usize, f: &Figure) -> FigureView {
    FigureView {
        index,
        target: f.kind == FigureKind::Target,
        metric: super::targets::metric_hint(l, &f.indicator, &f.unit, f.qualifier.as_deref()),
        indicator: f.indicator.clone(),
        value: value_text(f),
        qualifier: f.qualifier.clone().unwrap_or_default(),
        year: f.year.map(|y| y.to_string()).unwrap_or_default(),
        subject: f.subject.clone().unwrap_or_default(),
        kind: match f.kind {
            FigureKind::Target => l.t("目标", "target"),
            FigureKind::Fact => l.t("实绩", "fact"),
        },
    }
}

/// `GET /documents/{id}`
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> PageResult<Response> {
    let l = v.ctx.l;
    let record = v
        .found(&id, ("该文件不存在。", "No such document."), |id| {
            state.store.get_document(id)
        })
        .await?;
    let d = &record.document;
    // Stored by this server from `qiao_docs::Document`; a body that no longer parses is a fault.
    let figures: Vec<Figure> = serde_json::from_value(d.figures.clone()).map_err(|e| {
        v.error(qiao_store::StoreError::Corrupt(format!(
            "document {id} figures: {e}"
        )))
    })?;
    let mut fields = Vec::new();
    let mut push = |zh: &str, en: &str, value: Option<String>| {
        if let Some(value) = value.filter(|s| !s.is_empty()) {
            fields.push((l.t(zh, en).to_string(), value));
        }
    };
    push("发布日期", "Published", d.published.clone());
    push("来源", "Source", d.source.clone());
    push("文号", "Document number", d.doc_number.clone());
    push(
        "文字",
        "Script",
        Some(
            match d.script.as_str() {
                "hans" => l.t("简体", "simplified"),
                "hant" => l.t("繁体", "traditional"),
                "mixed" => l.t("简繁混合", "mixed"),
                _ => l.t("无中文", "no Chinese"),
            }
            .to_string(),
        ),
    );
    push("编码", "Encoding", Some(d.encoding.clone()));
    push("文件", "File", Some(d.file_name.clone()));
    // The region most target figures name, offered as the default of "make targets".
    let mut regions: Vec<&str> = figures
        .iter()
        .filter_map(|f| f.subject.as_deref())
        .collect();
    regions.sort_unstable();
    let region = regions
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0].to_string())
        .unwrap_or_default();
    Ok(html(&DocumentPage {
        ctx: &v.ctx,
        id: record.id,
        staff: v.ctx.user.as_ref().is_some_and(|u| u.may_manage_policies()),
        region,
        title: d
            .title
            .clone()
            .unwrap_or_else(|| l.t("（无标题）", "(untitled)").to_string()),
        fields,
        text: d.text.clone(),
        figures: figures
            .iter()
            .enumerate()
            .map(|(i, f)| figure_view(l, i, f))
            .collect(),
        removed: d.removed.as_array().map_or(0, Vec::len),
    }))
}
