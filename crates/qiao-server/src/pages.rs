//! Server-rendered pages. For now the home page: counts per kind and the newest listings, so a
//! person who opens the server in a browser sees the platform's data. Every text taken from
//! records passes through [`escape`].

use axum::extract::State;
use axum::response::Html;
use qiao_domain::Kind;
use qiao_store::{ListingFilter, Page};

use crate::error::ApiResult;
use crate::state::AppState;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A search snippet as HTML: its text escaped, its matched spans in `<mark>`.
pub fn snippet_html(snippet: &qiao_search::explain::Snippet) -> String {
    let text = &snippet.text;
    let mut out = String::with_capacity(text.len() + 16 * snippet.highlights.len());
    let mut at = 0;
    for [start, end] in &snippet.highlights {
        out.push_str(&escape(&text[at..*start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[*start..*end]));
        out.push_str("</mark>");
        at = *end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// `GET /`
pub async fn home(State(state): State<AppState>) -> ApiResult<Html<String>> {
    let one = Page { number: 1, size: 1 };
    let mut counts = String::new();
    for kind in Kind::ALL {
        let filter = ListingFilter {
            kind: Some(kind),
            ..Default::default()
        };
        let n = state.store.list_listings(&filter, one).await?.total;
        counts.push_str(&format!(
            "<li><a href=\"/api/v1/{}\">{} <small>{}</small></a> <b>{n}</b></li>",
            kind.plural(),
            kind.label_zh(),
            kind.as_str()
        ));
    }
    let newest = state
        .store
        .list_listings(
            &ListingFilter::default(),
            Page {
                number: 1,
                size: 10,
            },
        )
        .await?;
    let mut rows = String::new();
    for r in &newest.items {
        rows.push_str(&format!(
            "<li><span class=\"tag\">{}</span> <a href=\"/api/v1/{}/{}\">{}</a> <small>{}</small></li>",
            r.listing.kind().label_zh(),
            r.listing.kind().plural(),
            r.id,
            escape(r.listing.title()),
            escape(r.listing.district().unwrap_or(""))
        ));
    }
    Ok(Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>桥 Qiao · 科技成果转化服务平台</title>
<style>body{{font-family:system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2733}}
h1 small,li small{{color:#667}}ul{{padding-left:1.2rem}}.tag{{background:#e8f0fb;border-radius:.3rem;padding:0 .4rem;font-size:.85em}}
.counts{{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;list-style:none;padding:0}}</style></head>
<body><h1>桥 Qiao <small>科技成果转化服务平台 · Technology transfer platform</small></h1>
<h2>资源总览 <small>Overview</small></h2><ul class="counts">{counts}</ul>
<h2>最新发布 <small>Newest listings</small></h2><ul>{rows}</ul>
<p><a href="/api/v1/openapi.json">API 文档 (OpenAPI)</a></p></body></html>"#
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_escaped_around_and_inside_their_marks() {
        let snippet = qiao_search::explain::Snippet {
            field: "body",
            text: "<b>石墨烯</b> & \"导热\"".into(),
            highlights: vec![[3, 12], [20, 26]],
        };
        assert_eq!(
            snippet_html(&snippet),
            "&lt;b&gt;<mark>石墨烯</mark>&lt;/b&gt; &amp; &quot;<mark>导热</mark>&quot;"
        );
    }
}
