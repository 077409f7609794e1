//! Which lines of a page are the article, and why the others are not.
//!
//! Every line is classified on its own features: its length, whether it holds sentence
//! punctuation (an article sentence does; a menu, a footer or an advertisement does not), how
//! much of it is link text, and boilerplate patterns written in simplified script and matched on
//! the folded line, so traditional pages are cleaned by the same rules. The patterns are the
//! furniture every Chinese government or news site has (breadcrumbs, 上一篇/下一篇, 版权所有,
//! ICP numbers, editor and source lines, share buttons, disclaimers) and the spam crawlers
//! pick up (advertisements with an unrelated link, link lists, gambling and adult SEO blocks),
//! not the wording of one site. Most rules only fire on short lines without sentence
//! punctuation, so that an article sentence that happens to mention 来源 or 版权 is kept.
//!
//! Nothing is dropped silently: each removed line is reported with a [`Reason`], and the
//! metadata reader takes the source, date and issuer from those lines.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::fold::fold_char;
use crate::html::{Chrome, Line};

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

/// Characters and count of the bare URLs in a line.
pub(crate) fn bare_urls(line: &str) -> (usize, usize) {
    URL.find_iter(line).fold((0, 0), |(chars, n), m| {
        (chars + m.as_str().chars().count(), n + 1)
    })
}

/// Lines of plain text, with bare URLs counted as links.
pub fn text_lines(text: &str) -> Vec<Line> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (link_chars, links) = bare_urls(l);
            Line {
                text: l.to_string(),
                link_chars,
                links,
                chrome: Chrome::None,
            }
        })
        .collect()
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+").unwrap()
});

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
            r"版权所有|版权声明|copyright|©|all rights reserved|\(c\)\s*\d{4}",
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
            r"返回顶部|返回首页|返回列表|回到页首|回页首|回顶部|回上一页|友善列印|我要纠错|【纠错】|阅读量|浏览量|浏览人次|^\s*(打印|关闭|收藏|列印|返回)(\s*[|｜/]?\s*(打印|关闭|收藏|列印|返回|顶部|分享))+\s*$|打印本页|打印此页|关闭窗口|关闭本页|\[打印\]|\[关闭\]|【打印】|【关闭】|字号[:：]?\s*[\[【]?大|左右滑动|点击(查看)?大图|阅读原文|加入收藏|收藏本页|设为首页|今天是[:：\s]|浏览次数|阅读次数|访问量|点击数[:：]|^【?\s*字体[:：]",
            60,
            false,
        ),
        rule(
            Reason::Share,
            r"分享到|分享至|一键分享|转载请注明|转载请标明|扫一扫|扫码关注|二维码|微信分享|手机扫描",
            60,
            true,
        ),
        rule(
            Reason::Editor,
            &format!(
                r"{LEAD}(责任编辑|值班编辑|编辑|校对|审核|审校|终审|初审|\S{{0,6}}作者|记者|通讯员|供稿|撰稿|撰文|摄影|美编|排版|文字|文|图)\s*[:：丨|/｜]"
            ),
            50,
            false,
        ),
        rule(
            Reason::Source,
            r"(^|\s|】|\])\s*(文章|本文|信息|新闻|消息)?(来源|稿源|出处|转自|发布机构|发文机关|发布单位)\s*[:：]|(微信|公众号).{0,12}(来自|来源|转自|转载|注明|出处)|(来自|来源|转自|转载|注明|出处).{0,12}(微信|公众号)",
            100,
            false,
        ),
        rule(
            Reason::Date,
            &format!(r"{LEAD}(发布|发文|成文|更新|印发|公布|发稿|上传|录入)?(日期|时间)\s*[:：]"),
            60,
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
            r"主办单位|承办单位|主办[:：]|承办[:：]|技术支持[:：]|维护单位|网站识别码|新闻信息服务许可|建议使用.{0,20}浏览器|分辨率",
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

static GAMBLING: &[&str] = &[
    "博彩",
    "赌场",
    "赌博",
    "娱乐城",
    "百家乐",
    "老虎机",
    "真人荷官",
    "真人视讯",
    "时时彩",
    "六合彩",
    "北京赛车",
    "幸运飞艇",
    "体育投注",
    "网上投注",
    "下注",
    "彩金",
    "首存",
    "开户送",
    "注册送",
    "棋牌游戏",
    "捕鱼游戏",
    "电子游艺",
    "葡京",
    "威尼斯人",
    "太阳城",
    "皇冠体育",
    "现金网",
    "bet365",
    "购彩",
    "彩票网",
    "彩票平台",
    "投注",
    "赌球",
    "牛牛",
    "炸金花",
    "斗地主赢钱",
];

static ADULT: &[&str] = &[
    "色情",
    "成人视频",
    "成人网站",
    "黄色网站",
    "一夜情",
    "约炮",
    "裸聊",
    "援交",
    "av女优",
    "无码",
    "激情视频",
    "偷拍",
    "成人影院",
    "情色",
    "美女直播",
];

/// Words of the advertisements that ride along with crawled pages (clinics, loans, invoices).
static ADVERT: &[&str] = &[
    "医院",
    "好不好",
    "哪家好",
    "多少钱",
    "治疗",
    "专科",
    "男科",
    "妇科",
    "不孕",
    "白癜风",
    "癫痫",
    "代开",
    "发票",
    "贷款",
    "借钱",
    "网赚",
    "兼职",
    "减肥",
    "整形",
    "祛斑",
    "代孕",
    "办证",
    "刷单",
    "微信号",
    "加微",
    "qq",
];

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

pub(crate) static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})$")
        .unwrap()
});

static ISSUER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}[\p{Han}()（）]{2,30}(委员会|人民政府|政府|办公室|办公厅|局|厅|委|中心|院|协会|学会|部|公司|管委会)$")
        .unwrap()
});

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
            count_hits(&folded, GAMBLING) + count_hits(&folded, ADULT) > 0
        })
        .take(SUSPICIOUS_LINES)
        .map(|line| line.trim().chars().take(SUSPICIOUS_CHARS).collect())
        .collect()
}

/// Classifies every line.
pub fn classify(lines: Vec<Line>) -> Vec<Classified> {
    let mut out: Vec<Classified> = lines
        .into_iter()
        .map(|line| {
            let folded: String = line.text.chars().map(fold_char).collect();
            let reason = classify_line(&line, &folded);
            Classified {
                line,
                folded,
                reason,
            }
        })
        .collect();
    spread_spam_blocks(&mut out);
    mark_signature(&mut out);
    out
}

fn classify_line(line: &Line, folded: &str) -> Option<Reason> {
    let len = folded.chars().filter(|c| !c.is_whitespace()).count();
    let sentence = has_sentence_end(folded);
    let gambling = count_hits(folded, GAMBLING);
    let adult = count_hits(folded, ADULT);
    // Spam first: a gambling block dressed as a sentence is still a gambling block.
    if gambling >= 2 || (gambling == 1 && (line.links > 0 || !sentence)) {
        return Some(Reason::Gambling);
    }
    if adult >= 2 || (adult == 1 && (line.links > 0 || !sentence)) {
        return Some(Reason::Adult);
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
    if !sentence && line.chrome != Chrome::Footer && is_menu(line, folded) {
        return Some(Reason::Navigation);
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
        if density >= 0.3 && (count_hits(folded, ADVERT) > 0 || len <= 80) {
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
    None
}

/// A menu: four or more short items (separated by spaces, `|`, `·`), each a word or two, and
/// either links or two menu words among them (a table's header row has neither). A table row of figures is not a menu: items with
/// digits do not count.
fn is_menu(line: &Line, folded: &str) -> bool {
    let items = items(folded);
    items.len() >= 4
        && items
            .iter()
            .all(|i| i.chars().count() <= 8 && !i.chars().any(|c| c.is_ascii_digit()))
        && (line.links >= 2 || count_hits(folded, MENU) >= 2)
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
    if count_hits(folded, ADVERT) > 0 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
