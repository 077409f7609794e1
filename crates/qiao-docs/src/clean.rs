//! Which lines of a page are the article, and why the others are not.
//!
//! Every line is classified on features that do not depend on one site's template:
//! - **spam vocabulary density**: the share of the line's letters that gambling or adult terms
//!   cover (`vocabulary.txt`, data with its source), whatever separates them (`|`, commas,
//!   `、`, spaces, nothing); a run of short lines, each mostly such terms, is one block even
//!   when no single line is decisive (spam one keyword per line);
//! - **link and file-name density**: how much of the line is link text, bare URLs, file or
//!   host names (sitemap.xml, index.html);
//! - **sentence shape**: whether the line holds sentence punctuation (an article sentence
//!   does; a menu, a footer or an advertisement does not) and how long it is;
//! - **furniture patterns** every Chinese government or news site has (breadcrumbs,
//!   上一篇/下一篇, 版权所有, ICP numbers, editor, source and date lines, share buttons,
//!   disclaimers, comment boxes, tags) and the names of site sections (最新信息, 相关文章),
//!   written in simplified script and matched on the folded line, so traditional pages are
//!   cleaned by the same rules. Most only fire on short lines without sentence punctuation,
//!   so that an article sentence that happens to mention 来源 or 版权 is kept;
//! - **position and repetition**, once the metadata reader has found the title ([`settle`]):
//!   short lines before the title are the site's header, short lines after the article's last
//!   sentence its footer, and the title printed again is the title.
//!
//! A dateline glued to the first paragraph (`2023-03-25 13:59:00区科委召开…`) is split off
//! first, so that the date is metadata and the paragraph is judged whole. Every step is one
//! pass over the lines (or one regex pass over each line): linear in the page.
//!
//! Nothing is dropped silently: each removed line is reported with a [`Reason`], and the
//! metadata reader takes the source, date and issuer from those lines.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::fold::fold_char;
use crate::html::{Chrome, Line};
use crate::vocabulary::{VOCABULARY, letters};

/// Why a line is not part of the article. The JSON names (`navigation`, `icp`…) are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Breadcrumbs (当前位置), menus, lines inside `<nav>`.
    Navigation,
    /// 版权所有, ©, Copyright.
    Copyright,
    /// An ICP licence or public-security filing number (沪ICP备…, 公网安备).
    Icp,
    /// Site information: 主办单位, 技术支持, 联系我们, lines inside `<footer>`.
    Footer,
    /// 上一篇 / 下一篇 and their kin.
    PrevNext,
    /// Share buttons, QR codes, 转载请注明.
    Share,
    /// Page tools: print, close, font size, 返回顶部, "swipe to view".
    PageTools,
    /// 责任编辑, 编辑, 作者, 记者 lines.
    Editor,
    /// 来源 / 稿源 lines and WeChat account source lines (their value goes into `source`).
    Source,
    /// A line that only gives the publication date.
    Date,
    /// 免责声明 and similar site disclaimers.
    Disclaimer,
    /// 附件 / 相关附件下载 lines.
    Attachment,
    /// The issuing body and date under a notice.
    Signature,
    /// The document number line (闵科委〔2023〕14号); its value goes into `doc_number`.
    DocNumber,
    /// The title line heading the page; its value goes into `title`.
    Title,
    /// An advertisement: a little text and an unrelated link.
    SpamLink,
    /// A line that is only a link (a URL, a related-article link).
    Link,
    /// Several links and little else: related links, keyword-stuffed link lists.
    LinkList,
    /// Gambling SEO text.
    Gambling,
    /// Adult SEO text.
    Adult,
    /// Keyword and tag lines (关键词：…, 标签：…, TAG).
    Tags,
    /// The catalogue fields of a government disclosure page (索引号, 主题分类, 文号, 有效性).
    Metadata,
}

impl Reason {
    /// The stable code (`navigation`, `icp`, `prev_next`…).
    pub fn code(self) -> &'static str {
        match self {
            Reason::Navigation => "navigation",
            Reason::Copyright => "copyright",
            Reason::Icp => "icp",
            Reason::Footer => "footer",
            Reason::PrevNext => "prev_next",
            Reason::Share => "share",
            Reason::PageTools => "page_tools",
            Reason::Editor => "editor",
            Reason::Source => "source",
            Reason::Date => "date",
            Reason::Disclaimer => "disclaimer",
            Reason::Attachment => "attachment",
            Reason::Signature => "signature",
            Reason::DocNumber => "doc_number",
            Reason::Title => "title",
            Reason::SpamLink => "spam_link",
            Reason::Link => "link",
            Reason::LinkList => "link_list",
            Reason::Gambling => "gambling",
            Reason::Adult => "adult",
            Reason::Tags => "tags",
            Reason::Metadata => "metadata",
        }
    }
}

/// A line and, when it is not article text, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classified {
    /// The line as it came (original script).
    pub line: Line,
    /// Its fold (simplified, NFKC, lower case), what the rules read.
    pub folded: String,
    /// `None` for article text.
    pub reason: Option<Reason>,
}

/// A rule: a pattern on the folded line, the longest line (in characters) it applies to, and
/// whether a line with sentence punctuation escapes it.
struct Rule {
    reason: Reason,
    pattern: Regex,
    max_len: usize,
    spares_sentences: bool,
}

fn rule(reason: Reason, pattern: &str, max_len: usize, spares_sentences: bool) -> Rule {
    Rule {
        reason,
        pattern: Regex::new(pattern).unwrap(),
        max_len,
        spares_sentences,
    }
}

/// Leading decoration that does not change what a line is (bullets, asterisks, brackets).
const LEAD: &str = r"^[\s•·*＊\-—>»【\[(]*";

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule(
            Reason::Icp,
            r"icp\s*(备|证|许可)|icp\d{5,}|公网安备|网安备\d|网站标识码",
            200,
            false,
        ),
        rule(
            Reason::Copyright,
            r"版权所有|版权声明|copyright|©|all rights reserved|\(c\)\s*\d{4}|未经(书面)?(授权|许可)|非经授权|不得转载|禁止转载|严禁转载",
            160,
            false,
        ),
        rule(
            Reason::PrevNext,
            &format!("{LEAD}(上一篇|下一篇|上一条|下一条|上一页|下一页|前一篇|后一篇)"),
            100,
            false,
        ),
        rule(
            Reason::Navigation,
            &format!(
                r"{LEAD}(当前位置|您的位置|你的位置|所在位置|您现在的位置|当前页面)|^首页\s*[>»›/]|[>»›]\s*正文\s*$"
            ),
            120,
            false,
        ),
        rule(
            Reason::PageTools,
            r"返回顶部|返回首页|返回列表|回到页首|回页首|回顶部|回上一页|友善列印|我要纠错|【纠错】|阅读量|浏览量|浏览人次|^\s*(打印|关闭|收藏|列印|返回)(\s*[|｜/]?\s*(打印|关闭|收藏|列印|返回|顶部|分享))+\s*$|打印本页|打印此页|关闭窗口|关闭本页|\[打印\]|\[关闭\]|【打印】|【关闭】|字号[:：]?\s*[\[【]?大|左右滑动|点击(查看)?大图|阅读原文|加入收藏|收藏本页|设为首页|今天是\s*[:：]?\s*(\d|星期|$)|欢迎访问|欢迎光临|浏览器不支持|视频加载中|加载中\.\.\.|浏览次数|阅读次数|访问量|点击数[:：]|^【?\s*字体[:：]|发表评论|我要评论|网友评论|条评论|评论\s*[(（]\d|请登录|登录后发言|展开全文|查看全文|打开app|下载客户端|^[-—_\s]*end[-—_\s]*$|^\s*(返回|回首页|回上页|回上一页|top)\s*$",
            60,
            false,
        ),
        rule(
            Reason::Tags,
            &format!(r"{LEAD}(关键词|关键字|标签|tags?|tag标签|热门标签|热词)\s*[:：]"),
            80,
            false,
        ),
        rule(
            Reason::Share,
            r"^(分享|share)\s.{0,30}(facebook|line|twitter|微信|微博|qq)|^(facebook|line|twitter)(\s|$)|分享到|分享至|一键分享|转载请注明|转载请标明|扫一扫|扫码关注|二维码|微信分享|手机扫描|关注我们|点击蓝字|点击上方",
            60,
            true,
        ),
        rule(
            Reason::Editor,
            &format!(
                r"{LEAD}(责任编辑|值班编辑|编辑|校对|审核|审校|终审|初审|\S{{0,6}}作者|记者|通讯员|供稿|撰稿|撰文|摄影|美编|排版|文字|文|图)\s*[:：丨|/｜]|^(记者|文|图)\s*\p{{Han}}{{2,4}}\s*[/／]\s*\p{{Han}}{{2,6}}(报导|报道)$"
            ),
            50,
            false,
        ),
        rule(
            Reason::Source,
            r"(^|\s|】|\]|【|\[)\s*(文章|本文|信息|新闻|消息)?(来源|稿源|出处|转自|发布机构|发文机关|发布单位)\s*[:：]|^(来源|稿源|发布机构|发布机关|发文机关|发布单位|发文单位)\s+\S{2,30}$|(微信|公众号).{0,12}(来自|来源|转自|转载|注明|出处)|(来自|来源|转自|转载|注明|出处).{0,12}(微信|公众号)",
            100,
            false,
        ),
        rule(
            Reason::Date,
            &format!(
                r"{LEAD}(发布|发文|成文|更新|印发|公布|发稿|上传|录入)?(日期|时间)\s*[:：]|{LEAD}(发布|发文|成文|更新|印发|公布|发稿)(日期|时间)\s+\d"
            ),
            60,
            false,
        ),
        rule(
            Reason::Metadata,
            r"(索\s*引\s*号|主题分类|体裁分类|组配分类|服务对象|主\s*题\s*词|公开方式|公开范围|公开时限|有\s*效\s*性|^文\s*号)\s*[:：]",
            120,
            false,
        ),
        rule(
            Reason::Disclaimer,
            r"免责声明|^(特别)?声明[:：]|温馨提示[:：]|本站信息|本网站.{0,12}(不承担|仅供|不代表)|(本站|本网|网站).{0,20}仅供参考|不代表本(站|网)|如有侵权|侵权.{0,6}删除|联系(本站|我们)删除|版权归原作者",
            160,
            false,
        ),
        rule(
            Reason::Footer,
            r"主办单位|承办单位|主办[:：]|承办[:：]|技术支持[:：]|维护单位|网站识别码|新闻信息服务许可|建议使用.{0,20}浏览器|分辨率|地址[:：].{0,60}(电话|邮编|传真|邮箱)[:：]|(电话|邮编|传真)[:：].{0,60}地址[:：]",
            120,
            true,
        ),
        rule(
            Reason::Attachment,
            &format!(r"{LEAD}(相关)?附件(下载)?\s*(\d+)?\s*[:：]"),
            100,
            true,
        ),
    ]
});

/// Words of site menus.
static MENU: &[&str] = &[
    "首页",
    "网站",
    "关于我们",
    "联系我们",
    "地图",
    "登录",
    "注册",
    "english",
    "无障碍",
    "政务公开",
    "新闻",
    "通知公告",
    "信息公开",
    "办事",
    "互动",
    "版权",
    "隐私",
    "服务条款",
    "帮助",
    "合作伙伴",
];

static DOC_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,12}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*(第)?\s*\d{1,5}\s*号$")
        .unwrap()
});

/// A date (ISO, slashes, dots or 年月日) with an optional time: what a dateline says.
const DATE_TIME: &str = r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?";

/// A line that is only a date, with or without its time (`2023-03-25 13:59:00`).
pub(crate) static DATE_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^{DATE_TIME}$")).unwrap());

/// A date written the way sites print datelines, not the way sentences do: ISO, slashes or
/// dots, or any form with a time.
static DATELINE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}:\d{2}(?::\d{2})?")
        .unwrap()
});

/// A dateline glued to the text after it (`2023-03-25 13:59:00区科委召开…`): a date with its
/// time, or an ISO date run straight into a Han character. A sentence that opens with a date
/// (2023年3月25日，区科委…) writes it in 年月日 without a time and is left whole.
static GLUED_DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?P<time>\s*\d{1,2}:\d{2}(?::\d{2})?)?")
        .unwrap()
});

/// Where a dateline glued to the start of `folded` ends, per [`GLUED_DATELINE`].
fn glued_dateline(folded: &str) -> Option<usize> {
    let c = GLUED_DATELINE.captures(folded)?;
    let end = c.get(0)?.end();
    let iso_into_han = !c["date"].contains('年')
        && folded[end..]
            .chars()
            .next()
            .is_some_and(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
    (c.name("time").is_some() || iso_into_han).then_some(end)
}

static ISSUER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}[\p{Han}()（）]{2,30}(委员会|人民政府|政府|办公室|办公厅|局|厅|委|中心|院|协会|学会|部|公司|管委会)$")
        .unwrap()
});

/// File names and host names written as text (sitemap.xml, index.html, example.com): a line
/// made of them lists files or links, whatever separates them.
static FILE_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[\p{Han}\w\-./]*[\p{Han}\w\-]\.(?:xml|html?|shtml|xhtml|txt|php|aspx?|jsp|pdf|docx?|xlsx?|wps|odt|ods|zip|rar|gz|rss|json)\b|\b(?:[a-z0-9\-]+\.)+(?:com|cn|net|org|gov|edu|cc|top|xyz|info|vip)\b")
        .unwrap()
});

/// What every match of [`FILE_TOKEN`] holds: a file extension or a top-level domain.
static FILE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(?:xml|html?|shtml|xhtml|txt|php|aspx?|jsp|pdf|docx?|xlsx?|wps|odt|ods|zip|rar|gz|rss|json|com|cn|net|org|gov|edu|cc|top|xyz|info|vip)\b")
        .unwrap()
});

/// Separators between the items of a menu, a breadcrumb or a keyword list.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '|' | '｜'
                | '·'
                | '•'
                | '丨'
                | '/'
                | '>'
                | '»'
                | '›'
                | '→'
                | '、'
                | ','
                | '，'
                | '-'
                | '—'
                | '–'
        )
}

/// Sentence punctuation: an article sentence has some, page furniture rarely.
fn has_sentence_end(folded: &str) -> bool {
    folded.contains(['。', '!', '?', ';', '；', '！', '？'])
}

fn count_hits(folded: &str, words: &[&str]) -> usize {
    words.iter().filter(|w| folded.contains(*w)).count()
}

/// How many lines [`suspicious`] lists at most, and how many characters of each.
const SUSPICIOUS_LINES: usize = 20;
const SUSPICIOUS_CHARS: usize = 200;

/// Lines of a cleaned text that still hold gambling or adult vocabulary: kept because one such
/// word in a sentence may be the article's own (a notice against gambling), but worth a
/// reviewer's look before the page is public. At most 20 lines, each cut to 200 characters;
/// linear in the text.
pub fn suspicious(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            let folded: String = line.chars().map(fold_char).collect();
            let (g, a) = VOCABULARY.spam(&folded);
            g.marking + a.marking > 0
        })
        .take(SUSPICIOUS_LINES)
        .map(|line| line.trim().chars().take(SUSPICIOUS_CHARS).collect())
        .collect()
}

/// What the spam vocabulary says of a line.
#[derive(Clone, Copy, Debug, Default)]
struct Spam {
    /// Marking terms of both families.
    marking: usize,
    /// The share of the line's letters inside a spam term (0 for a line without letters).
    coverage: f64,
    /// Gambling rather than adult (more marking terms of it; gambling on a tie).
    gambling: bool,
}

impl Spam {
    fn of(folded: &str) -> Spam {
        let (g, a) = VOCABULARY.spam(folded);
        let letters = letters(folded);
        // Context terms of the two families may overlap (网站, 在线): the sum is capped.
        let covered = (g.covered + a.covered).min(letters);
        Spam {
            marking: g.marking + a.marking,
            coverage: if letters == 0 {
                0.0
            } else {
                covered as f64 / letters as f64
            },
            gambling: g.marking >= a.marking,
        }
    }

    fn reason(self) -> Reason {
        if self.gambling {
            Reason::Gambling
        } else {
            Reason::Adult
        }
    }

    /// Whether the line on its own is a spam block. A sentence needs two marking terms and
    /// most of its words from the vocabulary: a notice against gambling names 赌博 in a
    /// sentence and is the article. A line without sentence punctuation is spam with one
    /// marking term when the vocabulary covers half of it (澳门葡京娱乐城) or it carries a
    /// link, or with two when it covers a third (keyword headers padded with other words).
    fn alone(self, sentence: bool, links: usize) -> bool {
        if sentence {
            (self.marking >= 2 && self.coverage >= 0.5)
                || (links > 0 && self.marking >= 1 && self.coverage >= 0.3)
        } else {
            (self.marking >= 2 && self.coverage >= 0.3)
                || (self.marking >= 1 && (self.coverage >= 0.5 || links > 0))
        }
    }
}

/// Whether a folded text is, on its own, gambling or adult spam (a `<title>`'s part, a line).
pub(crate) fn is_spam_text(folded: &str) -> bool {
    let s = Spam::of(folded);
    s.marking > 0 && s.alone(has_sentence_end(folded), 0)
}

/// Splits a dateline glued to the start of a line in the head of the page (before the first
/// sentence of some length) into a line of its own, so that the date is read as metadata and
/// the text after it is judged alone.
fn split_datelines(lines: Vec<Line>) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len() + 1);
    let mut in_head = true;
    for line in lines {
        if !in_head {
            out.push(line);
            continue;
        }
        let folded: String = line.text.chars().map(fold_char).collect();
        if has_sentence_end(&folded) && letters(&folded) >= 20 {
            in_head = false;
        }
        let glued = glued_dateline(&folded).filter(|&end| letters(&folded[end..]) >= 2);
        let Some(end) = glued else {
            out.push(line);
            continue;
        };
        // The fold has as many characters as the line: cut the original at the same one.
        let chars = folded[..end].chars().count();
        let at = line
            .text
            .char_indices()
            .nth(chars)
            .map_or(line.text.len(), |(i, _)| i);
        let (date, rest) = line.text.split_at(at);
        out.push(Line {
            text: date.trim().to_string(),
            link_chars: 0,
            links: 0,
            chrome: line.chrome,
        });
        out.push(Line {
            text: rest.trim().to_string(),
            ..line
        });
    }
    out
}

/// Classifies every line.
pub fn classify(lines: Vec<Line>) -> Vec<Classified> {
    let lines = split_datelines(lines);
    let mut spam = Vec::with_capacity(lines.len());
    let mut out: Vec<Classified> = lines
        .into_iter()
        .map(|line| {
            let folded: String = line.text.chars().map(fold_char).collect();
            let s = Spam::of(&folded);
            spam.push(s);
            let reason = classify_line(&line, &folded, s);
            Classified {
                line,
                folded,
                reason,
            }
        })
        .collect();
    spam_runs(&mut out, &spam);
    spread_spam_blocks(&mut out);
    mark_signature(&mut out);
    out
}

fn classify_line(line: &Line, folded: &str, spam: Spam) -> Option<Reason> {
    let len = folded.chars().filter(|c| !c.is_whitespace()).count();
    let sentence = has_sentence_end(folded);
    // Spam first: a gambling block dressed as a sentence is still a gambling block.
    if spam.marking > 0 && spam.alone(sentence, line.links) {
        return Some(spam.reason());
    }
    if DOC_NUMBER_LINE.is_match(folded.trim()) {
        return Some(Reason::DocNumber);
    }
    for r in RULES.iter() {
        if len <= r.max_len && !(r.spares_sentences && sentence) && r.pattern.is_match(folded) {
            return Some(r.reason);
        }
    }
    if !sentence && line.links >= 3 && is_stuffed(folded) {
        return Some(Reason::LinkList);
    }
    if !sentence && line.chrome != Chrome::Footer && (is_menu(line, folded) || is_sections(folded))
    {
        return Some(Reason::Navigation);
    }
    // A line that is all link text (a related article's title, even with its ！) is a link.
    if len > 0 && len <= 60 && line.links > 0 && line.link_chars * 10 >= len * 9 {
        return Some(if line.links >= 2 {
            Reason::LinkList
        } else {
            Reason::Link
        });
    }
    if !sentence && let Some(files) = file_names(folded) {
        return Some(if files >= 2 {
            Reason::LinkList
        } else {
            Reason::Link
        });
    }
    if len > 0 && line.links > 0 && !sentence {
        let density = line.link_chars as f64 / len as f64;
        let plain = len.saturating_sub(line.link_chars);
        if plain <= 2 && line.links == 1 {
            return Some(Reason::Link);
        }
        if line.links >= 3 && density >= 0.5 {
            return Some(Reason::LinkList);
        }
        if density >= 0.3 && (VOCABULARY.advert(folded) || len <= 80) {
            // A short text with a link that takes a third of it: an advertisement or a link
            // to another page; neither is the article.
            return Some(if line.links >= 2 {
                Reason::LinkList
            } else {
                Reason::SpamLink
            });
        }
    }
    match line.chrome {
        Chrome::Nav => return Some(Reason::Navigation),
        Chrome::Footer => return Some(Reason::Footer),
        Chrome::None => {}
    }
    if !sentence && is_dateline(folded) {
        return Some(Reason::Date);
    }
    None
}

/// How many file or host names a line lists, when they are most of it (sitemap.xml
/// sitemap.html; 公告.pdf 公告.odt); `None` otherwise.
fn file_names(folded: &str) -> Option<usize> {
    // The full pattern starts with a character class and is slow to scan; an extension or a
    // top-level domain is rare in text and quick to look for.
    if !FILE_SUFFIX.is_match(folded) {
        return None;
    }
    let (mut n, mut covered) = (0, 0);
    for m in FILE_TOKEN.find_iter(folded) {
        n += 1;
        covered += letters(m.as_str());
    }
    (n > 0 && covered * 2 >= letters(folded)).then_some(n)
}

/// A short line that holds a dateline's date (ISO, or with its time) and little else: the
/// name of a paper or an account, 发表于上海, a view count (`某某日报 2023-03-25 13:59`).
fn is_dateline(folded: &str) -> bool {
    let Some(m) = DATELINE_DATE.find(folded) else {
        return false;
    };
    let rest = letters(&folded[..m.start()]) + letters(&folded[m.end()..]);
    rest <= 16
}

/// A menu: four or more short items (separated by spaces, `|`, `·`), each a word or two, and
/// either links or two menu words among them (a table's header row has neither); three
/// items will do when two are menu words. A table row of figures is not a menu: items with
/// digits do not count.
fn is_menu(line: &Line, folded: &str) -> bool {
    let items = items(folded);
    let menu_words = count_hits(folded, MENU);
    let short_words = items
        .iter()
        .all(|i| i.chars().count() <= 8 && !i.chars().any(|c| c.is_ascii_digit()));
    // Four short items each set apart by `|`, `/` or `·` (首頁 / 政治 / 國際 / 科技): a menu
    // whatever its words; a table row is set apart by spaces.
    let separators = folded
        .chars()
        .filter(|c| matches!(c, '|' | '｜' | '·' | '•' | '丨' | '/'))
        .count();
    let marked = items.len() >= 4
        && separators + 1 >= items.len()
        && items.iter().all(|i| i.chars().count() <= 6);
    short_words
        && (marked
            || ((items.len() >= 4 || (items.len() == 3 && menu_words >= 2))
                && (line.links >= 2 || menu_words >= 2)))
}

/// A line made only of site-section names (最新信息; 首页 > 政务公开 > 通知公告; 相关文章
/// 更多>>): navigation or the header of a list of links.
fn is_sections(folded: &str) -> bool {
    let items: Vec<&str> = folded
        .split(is_separator)
        .map(|i| i.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|i| !i.is_empty() && *i != "more")
        .collect();
    !items.is_empty() && items.len() <= 8 && items.iter().all(|i| VOCABULARY.is_section(i))
}

/// Items of a line (split on spaces, `|`, `·`, `/`).
fn items(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| c.is_whitespace() || matches!(c, '|' | '｜' | '·' | '•' | '丨' | '/'))
        .filter(|s| !s.is_empty())
        .collect()
}

/// A keyword-stuffed list: advertisement words, or half the items (three at least) sharing a
/// two-character word (上海代开发票 北京代开发票 …). Menu items share nothing.
fn is_stuffed(folded: &str) -> bool {
    if VOCABULARY.advert(folded) {
        return true;
    }
    let items = items(folded);
    let mut counts: std::collections::HashMap<(char, char), usize> = Default::default();
    for item in &items {
        let chars: Vec<char> = item.chars().collect();
        let mut seen: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        seen.sort_unstable();
        seen.dedup();
        for b in seen {
            *counts.entry(b).or_default() += 1;
        }
    }
    counts.values().any(|&n| n >= 3 && n * 2 >= items.len())
}

/// The longest line (in letters) that joins a run of spam lines.
const RUN_LINE_LETTERS: usize = 40;

/// Spam one keyword per line: a run of consecutive short lines without sentence punctuation,
/// each mostly spam vocabulary (marking or context terms), is spam when the run holds two
/// marking terms, though no line alone may (日韩欧美一区二区 next to 国产精品久久久). One pass.
fn spam_runs(lines: &mut [Classified], spam: &[Spam]) {
    let member = |i: usize, lines: &[Classified]| {
        let l = &lines[i];
        (l.reason.is_none() || matches!(l.reason, Some(Reason::Gambling | Reason::Adult)))
            && !has_sentence_end(&l.folded)
            && letters(&l.folded) <= RUN_LINE_LETTERS
            && spam[i].coverage >= 0.5
    };
    let mut i = 0;
    while i < lines.len() {
        if !member(i, lines) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && member(i, lines) {
            i += 1;
        }
        let run = &spam[start..i];
        let marking: usize = run.iter().map(|s| s.marking).sum();
        if i - start >= 2 && marking >= 2 {
            let gambling = run.iter().filter(|s| s.gambling && s.marking > 0).count()
                >= run.iter().filter(|s| !s.gambling && s.marking > 0).count();
            let reason = if gambling {
                Reason::Gambling
            } else {
                Reason::Adult
            };
            for l in &mut lines[start..i] {
                l.reason.get_or_insert(reason);
            }
        }
    }
}

/// Spam comes in blocks: a short line without sentence punctuation between gambling or adult
/// lines (or right after one, carrying a link) belongs to the block.
fn spread_spam_blocks(lines: &mut [Classified]) {
    let spam = |r: Option<Reason>| matches!(r, Some(Reason::Gambling | Reason::Adult));
    for i in 0..lines.len() {
        if lines[i].reason.is_some() || has_sentence_end(&lines[i].folded) {
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| lines[p].reason);
        let next = lines.get(i + 1).and_then(|n| n.reason);
        if spam(prev) && (spam(next) || lines[i].line.links > 0) {
            lines[i].reason = prev;
        }
    }
}

/// The issuing body's name alone on a line, followed by a date alone on a line: the signature
/// under a notice. A date alone elsewhere is a date line.
fn mark_signature(lines: &mut [Classified]) {
    for i in 0..lines.len() {
        if lines[i].reason.is_some() {
            continue;
        }
        let folded = lines[i].folded.trim();
        if DATE_ONLY.is_match(folded) {
            let after_issuer = i > 0 && ISSUER_LINE.is_match(lines[i - 1].folded.trim());
            if after_issuer && lines[i - 1].reason.is_none() {
                lines[i - 1].reason = Some(Reason::Signature);
            }
            lines[i].reason = Some(if after_issuer {
                Reason::Signature
            } else {
                Reason::Date
            });
        }
    }
}

/// Lines that open a list or a table row (1、 (2) 三.) or name an organisation: at the end of
/// a notice they are its content (a list of approved enterprises), not the site's footer.
static CONTENT_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[(（]?\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[、.．)）]|\d{1,3}\s)|有限公司|股份公司|大学|学院|研究院|研究所|医院|联系人")
        .unwrap()
});

/// The longest line (in letters) the zones below take out.
const ZONE_LINE_LETTERS: usize = 40;

/// What the page's shape says once the title is known (`title`: the title the metadata
/// reader found). Three rules that do not depend on a site's template:
/// - **before the title**, a short line without sentence punctuation is the site's header
///   (menus, crumbs, skip links, column names): navigation;
/// - **after the article's last sentence**, a short line without sentence punctuation is
///   furniture (list headers, recommended links, contact lines, END marks), unless it reads
///   like a list item or names an organisation (the content of a notice's annex);
/// - **the title again** (at the foot of the page, or printed twice) is the title, not text.
///
/// Linear: one pass to find the positions, one to mark.
pub fn settle(lines: &mut [Classified], title: Option<&str>) {
    let title_key: Option<String> = title.map(|t| {
        t.chars()
            .map(fold_char)
            .filter(|c| !c.is_whitespace())
            .collect()
    });
    // Whether a line reads the title, spaces aside; no allocation, and most lines differ in
    // their first characters.
    let is_title = |l: &Classified, t: &str| {
        l.folded.len() >= t.len()
            && l.folded
                .chars()
                .filter(|c| !c.is_whitespace())
                .eq(t.chars())
    };
    let title_at = lines
        .iter()
        .position(|l| l.reason == Some(Reason::Title))
        .or_else(|| {
            let t = title_key.as_deref()?;
            lines
                .iter()
                .position(|l| l.reason.is_none() && is_title(l, t))
        });
    let short = |l: &Classified| {
        l.reason.is_none()
            && !has_sentence_end(&l.folded)
            && letters(&l.folded) <= ZONE_LINE_LETTERS
    };
    if let Some(at) = title_at {
        for l in lines[..at].iter_mut() {
            if short(l) && letters(&l.folded) <= 20 {
                l.reason = Some(Reason::Navigation);
            }
        }
        if let Some(t) = title_key.as_deref() {
            for l in lines[at + 1..].iter_mut() {
                if l.reason.is_none() && is_title(l, t) {
                    l.reason = Some(Reason::Title);
                }
            }
        }
    }
    let last_sentence = lines
        .iter()
        .rposition(|l| l.reason.is_none() && has_sentence_end(&l.folded));
    if let Some(last) = last_sentence {
        for l in lines[last + 1..].iter_mut() {
            if short(l) && !CONTENT_ROW.is_match(&l.folded) {
                l.reason = Some(if l.line.links >= 2 {
                    Reason::LinkList
                } else if l.line.links == 1 {
                    Reason::Link
                } else {
                    Reason::Footer
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::text_lines;

    fn reasons(text: &str) -> Vec<Option<&'static str>> {
        classify(text_lines(text))
            .iter()
            .map(|c| c.reason.map(Reason::code))
            .collect()
    }

    #[test]
    fn boilerplate_in_both_scripts() {
        let text = "您的位置：首页 > 新闻中心 > 正文\n\
                    上一篇：關於舉辦活動的通知\n\
                    Copyright © 2009-2024 某某区人民政府 版权所有\n\
                    沪ICP备12345678号-1\n\
                    責任編輯：王某\n\
                    來源：某區科委\n\
                    分享到：微信 微博\n\
                    温馨提示：本站信息仅供参考\n\
                    首页 机构概况 政务公开 办事服务 互动交流\n\
                    澳门葡京娱乐城 百家乐 真人荷官 www.example.bet\n\
                    2023年3月15日";
        assert_eq!(
            reasons(text),
            [
                Some("navigation"),
                Some("prev_next"),
                Some("copyright"),
                Some("icp"),
                Some("editor"),
                Some("source"),
                Some("share"),
                Some("disclaimer"),
                Some("navigation"),
                Some("gambling"),
                Some("date"),
            ]
        );
    }

    /// Furniture of pages unlike the fixtures: a Taiwan government page and a mainland
    /// portal's tool lines.
    #[test]
    fn other_sites_furniture() {
        let text = "回上一頁\n\
                    發布單位：臺北市政府產業發展局\n\
                    更新日期：112-03-15\n\
                    本局今年補助新創企業120家，金額達新臺幣2億元。\n\
                    瀏覽人次：1234\n\
                    友善列印 分享至Facebook\n\
                    回到頁首\n\
                    打印 | 关闭\n\
                    阅读量：356\n\
                    声明：本网转载稿件仅为传递信息，不代表本网观点。\n\
                    互联网新闻信息服务许可证：31120180004";
        assert_eq!(
            reasons(text),
            [
                Some("page_tools"),
                Some("source"),
                Some("date"),
                None,
                Some("page_tools"),
                Some("page_tools"),
                Some("page_tools"),
                Some("page_tools"),
                Some("page_tools"),
                Some("disclaimer"),
                Some("footer"),
            ]
        );
    }

    #[test]
    fn article_sentences_that_mention_boilerplate_words_stay() {
        let text = "本办法所称技术合同，来源于企业委托的研发项目，版权归属按合同约定。\n\
                    区科委将加快建设公共服务平台，推动技术转移，扫一扫即可申报。\n\
                    重点任务\n\
                    一、主要目标";
        assert_eq!(reasons(text), [None, None, None, None]);
    }

    /// Lines of a policy notice that look like furniture to a careless rule.
    #[test]
    fn notice_lines_that_are_content() {
        let text = "资金来源：区财政科技发展专项资金\n\
                    申报时间：2023年3月1日至3月31日\n\
                    联系人：王老师，联系电话：021-12345678\n\
                    单位 联系人 联系电话 地址\n\
                    本指南仅供参考，以正式文件为准。";
        assert_eq!(reasons(text), [None, None, None, None, None]);
    }

    #[test]
    fn adult_spam() {
        let text = "成人视频 免费在线 激情视频 http://spam.example.com\n\
                    区科委召开座谈会，部署年度重点工作。";
        assert_eq!(reasons(text), [Some("adult"), None]);
    }

    #[test]
    fn advertisement_with_a_link_and_a_bare_url() {
        let text = "北京某医院好不好 https://example.com/ad/1\nhttp://www.example.net/a/1.html";
        assert_eq!(reasons(text), [Some("spam_link"), Some("link")]);
    }

    #[test]
    fn signature_block() {
        let text = "特此通知。\n某某区科学技术委员会\n2023年2月15日";
        assert_eq!(reasons(text), [None, Some("signature"), Some("signature")]);
    }

    /// The same spam words in every form a crawl delivers them, in both scripts: each form
    /// must go, and the article sentence after it stay.
    #[test]
    fn spam_in_every_separator_form_and_script() {
        let sentence = "区科委召开座谈会，部署年度重点工作。";
        for (spam, reason) in [
            ("国产精品,亚洲无码,日韩欧美,中文字幕在线观看", "adult"),
            ("国产精品|亚洲无码|日韩欧美|中文字幕在线观看", "adult"),
            ("国产精品 亚洲无码 日韩欧美 中文字幕在线观看", "adult"),
            ("国产精品、亚洲无码、日韩欧美、中文字幕在线观看", "adult"),
            ("国产精品亚洲无码日韩欧美中文字幕在线观看", "adult"),
            ("國產精品，亞洲無碼，日韓歐美，中文字幕線上觀看", "adult"),
            ("澳门葡京,真人百家乐,北京赛车,注册送彩金", "gambling"),
            ("澳门葡京|真人百家乐|北京赛车|注册送彩金", "gambling"),
            ("澳门葡京 真人百家乐 北京赛车 注册送彩金", "gambling"),
            ("澳門博彩,線上娛樂城,真人百家樂,老虎機,體育投注", "gambling"),
        ] {
            let got = reasons(&format!("{spam}\n{sentence}"));
            assert_eq!(got, [Some(reason), None], "{spam}");
        }
        // One word a line: each line alone may hold no marking word (日韩欧美一区二区), the
        // run does.
        let newline =
            "亚洲无码\n国产精品久久久\n日韩欧美一区二区\n中文字幕在线观看\n午夜福利影院\n";
        assert_eq!(
            reasons(&format!("{newline}{sentence}")),
            [
                Some("adult"),
                Some("adult"),
                Some("adult"),
                Some("adult"),
                Some("adult"),
                None
            ]
        );
    }

    /// A policy page may name gambling or adult content: against it, in a sentence or a
    /// heading. Those lines are the article.
    #[test]
    fn articles_against_gambling_stay() {
        let text = "（三）严厉打击跨境赌博\n\
                    依法打击网络赌博、色情等违法犯罪活动，净化网络环境。\n\
                    国产替代\n\
                    免费开放科普场馆30家。";
        assert_eq!(reasons(text), [None, None, None, None]);
    }

    #[test]
    fn file_names_crumbs_and_list_headers() {
        let text = "sitemap.xml | sitemap.html | sitemap.txt\n\
                    最新信息\n\
                    首页 > 新闻中心 > 最新信息\n\
                    相关文章 更多>>\n\
                    关键词：科技创新 座谈会\n\
                    发表评论 请登录 后发言\n\
                    重点任务\n\
                    附件：申报指南.pdf";
        assert_eq!(
            reasons(text),
            [
                Some("link_list"),
                Some("navigation"),
                Some("navigation"),
                Some("navigation"),
                Some("tags"),
                Some("page_tools"),
                None,
                Some("attachment"),
            ]
        );
    }

    /// Datelines: alone with a time, with an account's name around them, glued to the first
    /// paragraph (split off, the paragraph kept whole), labelled without a colon. A sentence
    /// that opens with its date is not a dateline.
    #[test]
    fn datelines_in_their_forms() {
        let lines = classify(text_lines(
            "2023-03-25 13:59:00\n\
             原创 上海科技 2023-03-25 13:59 发表于上海\n\
             發布日期 112-03-25\n\
             2023-03-25 13:59:00区科委召开座谈会，部署年度重点工作。\n\
             2023年3月25日，区科委召开座谈会，部署年度重点工作。",
        ));
        let got: Vec<(&str, Option<&str>)> = lines
            .iter()
            .map(|c| (c.line.text.as_str(), c.reason.map(Reason::code)))
            .collect();
        assert_eq!(
            got,
            [
                ("2023-03-25 13:59:00", Some("date")),
                ("原创 上海科技 2023-03-25 13:59 发表于上海", Some("date")),
                ("發布日期 112-03-25", Some("date")),
                ("2023-03-25 13:59:00", Some("date")),
                ("区科委召开座谈会，部署年度重点工作。", None),
                ("2023年3月25日，区科委召开座谈会，部署年度重点工作。", None),
            ]
        );
    }

    /// Furniture of a disclosure catalogue, a newspaper and a Taiwan news crawl.
    #[test]
    fn catalogue_newspaper_and_news_agency_furniture() {
        let text = "索 引 号： 11310112MB2F00000X/2023-00012 主题分类： 科技、教育\n\
                    文 号： 无 发布日期： 2023年03月25日\n\
                    記者王小明／台北報導\n\
                    首頁 / 政治 / 國際 / 兩岸 / 產經\n\
                    您的浏览器不支持video标签。\n\
                    【来源：新民晚报】\n\
                    分享 LINE Facebook X\n\
                    本網站之文字、圖片及影音，非經授權，不得轉載。\n\
                    欢迎访问本站！今天是2023年3月25日 星期六";
        assert_eq!(
            reasons(text),
            [
                Some("metadata"),
                Some("metadata"),
                Some("editor"),
                Some("navigation"),
                Some("page_tools"),
                Some("source"),
                Some("share"),
                Some("copyright"),
                Some("page_tools"),
            ]
        );
    }

    /// The page's shape once the title is known: the header before it, the title printed
    /// again, and the furniture after the last sentence go; a notice's annex (a list of
    /// enterprises, a contact) stays.
    #[test]
    fn head_tail_and_the_title_again() {
        let mut lines = classify(text_lines(
            "无障碍浏览\n\
             关于公布2023年科技小巨人企业名单的通知\n\
             各有关单位：\n\
             经评审，现将名单公布如下。\n\
             1. 上海某某科技有限公司\n\
             2. 上海某某生物医药有限公司\n\
             联系人：王老师 021-12345678\n\
             关于公布2023年科技小巨人企业名单的通知\n\
             下载客户端，阅读更多精彩内容\n\
             区科委召开科技型企业座谈会",
        ));
        lines[1].reason = Some(Reason::Title);
        settle(&mut lines, Some("关于公布2023年科技小巨人企业名单的通知"));
        let got: Vec<Option<&str>> = lines.iter().map(|c| c.reason.map(Reason::code)).collect();
        assert_eq!(
            got,
            [
                Some("navigation"),
                Some("title"),
                None,
                None,
                None,
                None,
                None,
                Some("title"),
                Some("page_tools"),
                Some("footer"),
            ]
        );
    }
}

#[cfg(test)]
mod suspicious_tests {
    use super::suspicious;

    #[test]
    fn lines_with_spam_words_are_listed_for_review_in_either_script() {
        let text = "本区新增高新技术企业120家。\n关注微信，首存即送彩金。\n嚴厲打擊網上賭博。\n";
        assert_eq!(
            suspicious(text),
            ["关注微信，首存即送彩金。", "嚴厲打擊網上賭博。"]
        );
        assert!(suspicious("技术合同成交额达230亿元。").is_empty());
        let many = "投注。\n".repeat(50);
        assert_eq!(suspicious(&many).len(), 20);
    }
}
