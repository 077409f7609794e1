//! Variants of a real document for tests and benchmarks: the same article re-encoded (GBK,
//! GB18030, Big5) and wrapped in an HTML page with the furniture of a government site
//! (navigation, breadcrumbs, share buttons, 上一篇/下一篇, a keyword-stuffed link list, a
//! gambling SEO block, a footer with copyright and ICP numbers, scripts, styles and comments).
//!
//! The wrapper is written here once so that the tests and `qiao bench docs` read the same
//! pages, and [`WRAPPER_LINES`] says which reason each added line must be removed for.

use crate::Format;
use crate::clean::Reason;
use crate::decode::Encoding;

/// `text` in `encoding`, and whether every character could be encoded (otherwise the missing
/// ones are `&#NNNN;` references).
pub fn encode(text: &str, encoding: Encoding) -> (Vec<u8>, bool) {
    encoding.encode_checked(text)
}

/// Lines the HTML wrapper adds, each with the reason the cleaner must give.
pub const WRAPPER_LINES: &[(&str, Reason)] = &[
    (
        "首页 机构概况 政务公开 办事服务 互动交流 网站地图",
        Reason::Navigation,
    ),
    ("当前位置：首页 > 政务公开 > 正文", Reason::Navigation),
    (
        "【字体：大 中 小】 【打印本页】 【关闭窗口】",
        Reason::PageTools,
    ),
    ("分享到： 微信 微博 QQ空间", Reason::Share),
    (
        "上海代开发票 北京代开发票 深圳代开发票 广州代开发票",
        Reason::LinkList,
    ),
    (
        "澳门葡京娱乐城 真人百家乐 注册送彩金 立即开户",
        Reason::Gambling,
    ),
    ("时时彩 六合彩 北京赛车", Reason::Gambling),
    (
        "上一篇：关于开展2023年度科技型中小企业评价工作的通知",
        Reason::PrevNext,
    ),
    ("下一篇：无", Reason::PrevNext),
    (
        "主办单位：某区人民政府办公室 技术支持：某某信息技术有限公司",
        Reason::Footer,
    ),
    (
        "版权所有 © 2009-2024 某区人民政府 沪ICP备12345678号-1 沪公网安备31011202000000号",
        Reason::Icp,
    ),
    ("网站标识码：3101120000", Reason::Icp),
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn links(items: &str, base: &str) -> String {
    items
        .split(' ')
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<a href=\"{base}/{i}.html\" target=\"_blank\">{}</a>",
                escape(t)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An HTML page around `body` (plain text, one paragraph per line), titled `title`, declaring
/// `charset` in a `<meta>` when given.
pub fn html_page(title: Option<&str>, body: &str, charset: Option<&str>) -> String {
    let mut page = String::from("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n");
    if let Some(c) = charset {
        page.push_str(&format!(
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={c}\">\n"
        ));
    }
    if let Some(t) = title {
        page.push_str(&format!("<title>{}_某区人民政府</title>\n", escape(t)));
    }
    page.push_str(
        "<style>body{font-family:\"宋体\"} .hide{display:none}</style>\n\
         <script type=\"text/javascript\">var nav = \"<p>首页</p>\"; if (a < b && c > d) { document.write('上一篇'); }</script>\n\
         </head>\n<body>\n<!-- 顶部导航 <p>不应出现</p> -->\n<nav>",
    );
    page.push_str(&links(WRAPPER_LINES[0].0, "/nav"));
    page.push_str("</nav>\n<div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/zwgk\">政务公开</a> &gt; 正文</div>\n");
    page.push_str("<div class=\"tools\">【字体：<a href=\"#\">大</a> <a href=\"#\">中</a> <a href=\"#\">小</a>】 【<a href=\"javascript:print()\">打印本页</a>】 【<a href=\"javascript:close()\">关闭窗口</a>】</div>\n");
    page.push_str("<div class=\"article\">\n");
    for line in body.lines() {
        let line = line.trim();
        if !line.is_empty() {
            page.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
    }
    page.push_str("</div>\n<div class=\"share\">分享到：<a href=\"#\">微信</a> <a href=\"#\">微博</a> <a href=\"#\">QQ空间</a></div>\n");
    page.push_str(&format!(
        "<div class=\"seo\">{}</div>\n",
        links(WRAPPER_LINES[4].0, "http://fapiao.example.com")
    ));
    page.push_str("<div class=\"hide\"><p>澳门葡京娱乐城 真人百家乐 注册送彩金 <a href=\"http://casino.example.com\">立即开户</a></p>\n");
    page.push_str(&format!(
        "<p>{}</p></div>\n",
        links(WRAPPER_LINES[6].0, "http://cp.example.com")
    ));
    page.push_str("<ul class=\"prevnext\"><li>上一篇：<a href=\"/a/1.html\">关于开展2023年度科技型中小企业评价工作的通知</a></li><li>下一篇：无</li></ul>\n");
    page.push_str("<footer><p>主办单位：某区人民政府办公室 技术支持：某某信息技术有限公司</p>\n");
    page.push_str("<p>版权所有 &copy; 2009-2024 某区人民政府 <a href=\"https://beian.miit.gov.cn\">沪ICP备12345678号-1</a> 沪公网安备31011202000000号</p>\n");
    page.push_str("<p>网站标识码：3101120000</p></footer>\n</body>\n</html>\n");
    page
}

/// A variant of a document: its bytes, how to read them, and the encoding it must be found in.
#[derive(Clone, Debug)]
pub struct Variant {
    /// What it is (`gbk`, `html big5 undeclared`…).
    pub label: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// How to read them.
    pub format: Format,
    /// The encoding the reader must report.
    pub encoding: Encoding,
    /// Wrapped in [`html_page`].
    pub html: bool,
    /// Every character survived the encoding (otherwise a label's line may read `&#8226;`).
    pub lossless: bool,
}

/// The variants of a document `text` titled `title`: UTF-8 with a BOM, GBK (when GBK holds
/// every character), GB18030, Big5 (for traditional text), and HTML pages in each encoding,
/// with and without a charset declaration.
pub fn variants(text: &str, title: Option<&str>) -> Vec<Variant> {
    let mut out = Vec::new();
    let mut push = |label: String, bytes: Vec<u8>, format, encoding, html, lossless| {
        out.push(Variant {
            label,
            bytes,
            format,
            encoding,
            html,
            lossless,
        })
    };
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    push(
        "utf-8 bom".into(),
        bom,
        Format::Text,
        Encoding::Utf8,
        false,
        true,
    );
    let (gbk, gbk_lossless) = encode(text, Encoding::Gbk);
    // 000 has a bullet (•) and a no-break space that GBK lacks: a GBK text file of it cannot
    // exist (encoding_rs would write `&#8226;`), so it is tried as GBK only in HTML.
    if gbk_lossless {
        push("gbk".into(), gbk, Format::Auto, Encoding::Gbk, false, true);
    }
    // A GB18030 file of text that GBK holds entirely is byte for byte a GBK file.
    let (gb18030, _) = encode(text, Encoding::Gb18030);
    let found = if gbk_lossless {
        Encoding::Gbk
    } else {
        Encoding::Gb18030
    };
    push("gb18030".into(), gb18030, Format::Auto, found, false, true);
    let (big5, big5_lossless) = encode(text, Encoding::Big5);
    if big5_lossless {
        push(
            "big5".into(),
            big5,
            Format::Auto,
            Encoding::Big5,
            false,
            true,
        );
    }
    // In HTML, characters an encoding lacks are character references, which read back the
    // same: every page variant is lossless.
    for (charset, enc, declared) in [
        ("utf-8", Encoding::Utf8, true),
        ("gbk", Encoding::Gbk, true),
        ("gb18030", Encoding::Gb18030, true),
        ("gbk", Encoding::Gbk, false),
        ("big5", Encoding::Big5, true),
        ("big5", Encoding::Big5, false),
    ] {
        let page = html_page(title, text, declared.then_some(charset));
        let (bytes, _) = encode(&page, enc);
        let found = if bytes.is_ascii() && !declared {
            // Big5 of simplified text is all references: ASCII, so UTF-8.
            Encoding::Utf8
        } else if enc == Encoding::Gb18030 && !declared {
            Encoding::Gbk
        } else {
            enc
        };
        let label = format!(
            "html {charset}{}",
            if declared { "" } else { " undeclared" }
        );
        push(label, bytes, Format::Html, found, true, true);
    }
    // Found to be HTML by its content, not by its name.
    let page = html_page(title, text, Some("utf-8"));
    push(
        "html sniffed".into(),
        page.into_bytes(),
        Format::Auto,
        Encoding::Utf8,
        true,
        true,
    );
    out
}
