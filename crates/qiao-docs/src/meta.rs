//! A document's metadata: title, publication date, source or issuer, document number.
//!
//! Read from the lines the cleaner classified (a source line's value, a signature block's
//! issuer and date) and from the head of the article; patterns run on the folded line and the
//! values are cut from the original, so a traditional page reports 發布 in its own script.

use std::sync::LazyLock;

use regex::Regex;

use crate::clean::{Classified, Reason};
use crate::fold::Folded;
use qiao_numbers::{chinese_digits, chinese_integer};

/// What the metadata reader found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The title.
    pub title: Option<String>,
    /// The publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The source or issuing body.
    pub source: Option<String>,
    /// The document number (字号), e.g. 闵科委〔2023〕14号.
    pub doc_number: Option<String>,
}

/// A calendar date found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// Gregorian year (民國 years converted).
    pub year: i32,
    /// 1-12.
    pub month: u32,
    /// 1-31, valid for the month.
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1..=days).contains(&day) && (1900..=2200).contains(&year)).then_some(Date {
            year,
            month,
            day,
        })
    }
}

const CN: &str = "〇零一二三四五六七八九十";

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)
        (?P<roc>民国\s*(?P<ry>\d{{2,3}}|[{CN}百]{{2,6}})\s*年\s*(?P<rm>\d{{1,2}}|[{CN}]{{1,3}})\s*月\s*(?P<rd>\d{{1,2}}|[{CN}]{{1,3}})\s*日)
        | (?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日
        | (?P<ny>[〇零一二三四五六七八九]{{4}})\s*年\s*(?P<nm>[{CN}]{{1,3}})\s*月\s*(?P<nd>[{CN}]{{1,3}})\s*日
        | (?P<sy>\d{{4}})[-/.](?P<sm>\d{{1,2}})[-/.](?P<sd>\d{{1,2}})"
    ))
    .unwrap()
});

/// A labelled date whose year may be a 民國 year without the word (`發布日期：112-03-15`).
static LABELLED_ROC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(发布|发文|成文|更新)?(时间|日期)\s*[:：]?\s*(?P<y>\d{2,3})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})")
        .unwrap()
});

/// A date's label: 发布时间：, 日期：, or 发布日期 without a colon before the date.
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(发布|发文|成文|更新)?(时间|日期)\s*[:：]|(发布|发文|成文)(时间|日期)\s+").unwrap()
});

/// The first valid date in a folded text.
pub fn find_date(folded: &str) -> Option<Date> {
    DATE.captures_iter(folded).find_map(|c| {
        let num = |name: &str| c.name(name).map(|m| m.as_str());
        let int = |s: &str| {
            s.parse::<u32>()
                .ok()
                .or_else(|| chinese_integer(s).map(|v| v as u32))
        };
        if c.name("roc").is_some() {
            let year = int(num("ry")?)? as i32 + 1911;
            Date::new(year, int(num("rm")?)?, int(num("rd")?)?)
        } else if let Some(y) = num("y") {
            Date::new(y.parse().ok()?, int(num("m")?)?, int(num("d")?)?)
        } else if let Some(y) = num("ny") {
            Date::new(
                chinese_digits(y)? as i32,
                int(num("nm")?)?,
                int(num("nd")?)?,
            )
        } else {
            Date::new(num("sy")?.parse().ok()?, int(num("sm")?)?, int(num("sd")?)?)
        }
    })
}

/// A date after a label (发布时间：, 日期：) in a folded line.
fn labelled_date(folded: &str) -> Option<Date> {
    if let Some(c) = LABELLED_ROC.captures(folded) {
        let year = c["y"].parse::<i32>().ok()? + 1911;
        return Date::new(year, c["m"].parse().ok()?, c["d"].parse().ok()?);
    }
    let label = LABEL.find(folded)?;
    find_date(&folded[label.end()..])
}

static SOURCE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来源|稿源|出处|转自|发布机构|发布机关|发文机关|发布单位|发文单位)\s*[:：]\s*(?P<v>.+?)(?:\s{2,}|\s+(?:发布|成文|时间|日期|作者|浏览|点击|字号|编辑|\S{2,6}[:：])|$)|^(?:来源|稿源|发布机构|发布机关|发文机关|发布单位|发文单位)\s+(?P<w>\S.*)$")
        .unwrap()
});

static WECHAT_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:来自|来源|转自|出自)\s*[:：]?\s*(?P<v>[^。.,，;；!！]{2,30}?(?:微信|公众号))")
        .unwrap()
});

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}{1,12}\s*[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*第?\s*\d{1,5}\s*号").unwrap()
});

/// Values that say there is no source.
const NO_SOURCE: &[&str] = &["不详", "未知", "本站", "本网", "网络", "佚名", "无"];

/// What an HTML page says of itself, beside its lines.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hints<'a> {
    /// The `<title>`.
    pub title: Option<&'a str>,
    /// The first `<h1>`.
    pub heading: Option<&'a str>,
    /// The `<meta>` name/content pairs.
    pub meta: &'a [(String, String)],
}

impl<'a> Hints<'a> {
    fn meta(&self, names: &[&str]) -> Option<&'a str> {
        let meta: &'a [(String, String)] = self.meta;
        names
            .iter()
            .find_map(|n| meta.iter().find(|(k, _)| k == n))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the metadata and marks the title and document-number lines of the head as such.
/// A page's own `<meta>` tags (ArticleTitle, PubDate, ContentSource: the fields Chinese
/// government sites publish) come before what the lines suggest.
pub fn read(lines: &mut [Classified], hints: Hints<'_>) -> Found {
    let fold = |s: &str| s.chars().map(crate::fold::fold_char).collect::<String>();
    let meta_date = hints
        .meta(&[
            "pubdate",
            "publishdate",
            "pubtime",
            "article:published_time",
            "firstpublishedtime",
        ])
        .and_then(|d| find_date(&fold(d)));
    let meta_source = hints
        .meta(&["contentsource", "source"])
        .filter(|s| !NO_SOURCE.contains(s))
        .map(str::to_string);
    let mut found = Found {
        doc_number: doc_number(lines),
        published: meta_date.or_else(|| published(lines)).map(Date::iso),
        source: meta_source.or_else(|| source(lines)),
        title: None,
    };
    let heading = hints.meta(&["articletitle", "og:title"]).or(hints.heading);
    found.title = pick_title(lines, hints.title, heading);
    found
}

fn doc_number(lines: &[Classified]) -> Option<String> {
    // The number stands alone under the title; in a page that runs it into a sentence, it is
    // still near the head.
    let ordered = lines
        .iter()
        .filter(|l| l.reason == Some(Reason::DocNumber))
        .chain(lines.iter().take(20));
    for l in ordered {
        if let Some(m) = DOC_NUMBER.find(&l.folded) {
            let f = Folded::new(&l.line.text);
            return Some(f.original(m.range()).trim().to_string());
        }
    }
    None
}

fn published(lines: &[Classified]) -> Option<Date> {
    let meta =
        |r: Option<Reason>| matches!(r, Some(Reason::Source | Reason::Date | Reason::Metadata));
    // The page's own dateline first: a labelled date (发布时间：) on a metadata line, then any
    // date on a source or date line (`2023/10/10 来源：…`, `2023-03-25 13:59:00`), then the
    // signature's date. Only a page without any of them is dated from a labelled date in the
    // head of its text: a date inside the article (申报时间：…) never beats a dateline.
    lines
        .iter()
        .filter(|l| meta(l.reason))
        .find_map(|l| labelled_date(&l.folded))
        .or_else(|| {
            lines
                .iter()
                .filter(|l| meta(l.reason))
                .find_map(|l| find_date(&l.folded))
        })
        .or_else(|| {
            lines
                .iter()
                .filter(|l| l.reason == Some(Reason::Signature))
                .find_map(|l| find_date(&l.folded))
        })
        .or_else(|| lines.iter().take(12).find_map(|l| labelled_date(&l.folded)))
}

fn source(lines: &[Classified]) -> Option<String> {
    let from_original = |l: &Classified, range: std::ops::Range<usize>| {
        let f = Folded::new(&l.line.text);
        let v = f
            .original(range)
            .trim()
            .trim_end_matches(['.', '。'])
            .to_string();
        (!v.is_empty() && !NO_SOURCE.contains(&v.as_str())).then_some(v)
    };
    let sources = || lines.iter().filter(|l| l.reason == Some(Reason::Source));
    sources()
        .find_map(|l| {
            let c = SOURCE_VALUE.captures(&l.folded)?;
            let v = c.name("v").or(c.name("w"))?.range();
            from_original(l, v)
        })
        .or_else(|| {
            sources().find_map(|l| {
                let v = WECHAT_SOURCE.captures(&l.folded)?.name("v")?.range();
                from_original(l, v)
            })
        })
        .or_else(|| {
            // The issuing body of a signature block.
            lines
                .iter()
                .filter(|l| l.reason == Some(Reason::Signature))
                .find(|l| find_date(&l.folded).is_none())
                .map(|l| l.line.text.trim().to_string())
        })
}

fn is_heading_like(l: &Classified, max: usize) -> bool {
    let n = l.folded.chars().count();
    (4..=max).contains(&n) && !l.folded.contains(['。', '；', ';', '!', '！', '?', '？'])
}

/// The title: the page's `<h1>`, else its `<title>` without the site name, else the first
/// line of the article when it reads like a heading. The title line heading the text is
/// marked [`Reason::Title`]; a heading found after an opening paragraph stays in the text.
/// How many lines from the top a title is looked for in, at most.
const HEAD_LINES: usize = 200;
/// How much of a `<title>` is compared with the page's lines.
const TITLE_CHARS: usize = 300;

fn pick_title(
    lines: &mut [Classified],
    title: Option<&str>,
    heading: Option<&str>,
) -> Option<String> {
    let key = |s: &str| -> String {
        s.chars()
            .map(crate::fold::fold_char)
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let line_key =
        |l: &Classified| -> String { l.folded.chars().filter(|c| !c.is_whitespace()).collect() };
    // The head: the lines before the first sentence of some length (the article's start).
    let head_end = lines
        .iter()
        .position(|l| {
            l.reason.is_none()
                && l.folded.contains(['。', '；', ';', '!', '！', '?', '？'])
                && crate::vocabulary::letters(&l.folded) >= 20
        })
        .unwrap_or(lines.len())
        // A title is near the top: the search stays bounded whatever the page's size.
        .min(HEAD_LINES);
    if let Some(h) = heading.map(str::trim).filter(|h| !h.is_empty()) {
        // The page says which line is its title: it is, wherever near the top it stands
        // (a site's welcome line with a ！ may come first).
        let k = key(h);
        let top = lines.len().min(HEAD_LINES);
        if let Some(l) = lines[..top]
            .iter_mut()
            .find(|l| l.reason.is_none() && line_key(l) == k)
        {
            l.reason = Some(Reason::Title);
        }
        return Some(h.to_string());
    }
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        // A site's <title> is the article's title with the site's name, its column or even
        // spam around it, in any order and with any separator: the title is the longest
        // heading of the page that the <title> contains.
        let k: String = key(t).chars().take(TITLE_CHARS).collect();
        let best = (0..head_end)
            .filter(|&i| {
                let l = &lines[i];
                l.reason.is_none()
                    && is_heading_like(l, 80)
                    && crate::vocabulary::letters(&l.folded) >= 4
                    && k.contains(uncut(&line_key(l)))
            })
            .max_by_key(|&i| lines[i].folded.chars().count());
        if let Some(i) = best {
            lines[i].reason = Some(Reason::Title);
            return Some(complete_title(lines, i));
        }
        // No such line (a <title> that is only the site's name): the page's own heading,
        // else "Article - Site" / "Article_Site" / "Article|Site", the article being the
        // longest part that is not spam.
        if let Some(found) = text_title(lines, head_end) {
            return Some(found);
        }
        let marked = [" - ", " — ", " – ", "_", "|", "｜", " -- "]
            .iter()
            .fold(t.to_string(), |t, sep| t.replace(sep, "\u{1}"));
        let part = marked
            .split('\u{1}')
            .map(str::trim)
            .filter(|p| !crate::clean::is_spam_text(&key(p)))
            .max_by_key(|p| p.chars().count())
            .unwrap_or(t)
            .to_string();
        return Some(part);
    }
    text_title(lines, head_end)
}

/// The title of a page that does not say which line it is: when a metadata line (a dateline,
/// a source, a byline, a document number) follows the title, the longest heading before it
/// (a site's or column's name may come first: 中央社 即時新聞); else the first line when it
/// reads like a heading, else the heading after an opening paragraph (a column's
/// introduction), which stays in the text.
fn text_title(lines: &mut [Classified], head_end: usize) -> Option<String> {
    let is_meta = |l: &Classified| {
        matches!(
            l.reason,
            Some(
                Reason::Date
                    | Reason::Source
                    | Reason::Editor
                    | Reason::Metadata
                    | Reason::DocNumber
            )
        )
    };
    if let Some(m) = lines[..head_end].iter().position(is_meta) {
        let best = (0..m)
            .filter(|&i| {
                lines[i].reason.is_none()
                    && is_heading_like(&lines[i], 80)
                    && crate::vocabulary::letters(&lines[i].folded) >= 4
            })
            .max_by_key(|&i| crate::vocabulary::letters(&lines[i].folded));
        if let Some(i) = best {
            lines[i].reason = Some(Reason::Title);
            return Some(complete_title(lines, i));
        }
    }
    let i = lines.iter().position(|l| l.reason.is_none())?;
    if is_heading_like(&lines[i], 80) {
        lines[i].reason = Some(Reason::Title);
        return Some(complete_title(lines, i));
    }
    let next = (i + 1..lines.len()).find(|&j| lines[j].reason.is_none())?;
    is_heading_like(&lines[next], 40).then(|| lines[next].line.text.trim().to_string())
}

/// A folded title without the digits a crawler left dangling after a Han word (`…召开2`).
fn uncut(folded: &str) -> &str {
    let stem = folded.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = folded.len() - stem.len();
    if (1..=3).contains(&digits)
        && stem
            .chars()
            .next_back()
            .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        stem
    } else {
        folded
    }
}

/// A title line cut by the crawler in the middle of a number (`…市科委召开2`): the dangling
/// digits are dropped and the title carried on from the first lines of the article where
/// they repeat its last words (`…上海市科委召开年区域科技创新工作座谈会，`), up to the end
/// of that clause. A title that is not cut, or whose words the article does not repeat, is
/// left as it is.
fn complete_title(lines: &[Classified], at: usize) -> String {
    let text = lines[at].line.text.trim();
    let folded: Vec<char> = text.chars().map(crate::fold::fold_char).collect();
    let digits = folded
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let han = |c: &char| ('\u{4e00}'..='\u{9fff}').contains(c);
    let stem_len = folded.len() - digits;
    // Only a number cut short right after a Han word (召开2), never a title ending in a
    // figure it means (十四五规划2035).
    if !(1..=3).contains(&digits) || stem_len < 4 || !folded[stem_len - 4..stem_len].iter().all(han)
    {
        return text.to_string();
    }
    let tail: String = folded[stem_len - 4..stem_len].iter().collect();
    let stem: String = text.chars().take(stem_len).collect();
    for l in lines[at + 1..]
        .iter()
        .filter(|l| l.reason.is_none())
        .take(3)
    {
        let Some(found) = l.folded.find(&tail) else {
            continue;
        };
        let start = l.folded[..found + tail.len()].chars().count();
        let original: Vec<char> = l.line.text.chars().collect();
        let rest: String = original[start.min(original.len())..]
            .iter()
            .take_while(|c| !",，。；;：:！!？?、".contains(**c))
            .take(30)
            .collect();
        if crate::vocabulary::letters(&rest) >= 2 {
            return format!("{stem}{}", rest.trim());
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<String> {
        let folded: String = s.chars().map(crate::fold::fold_char).collect();
        find_date(&folded).map(Date::iso)
    }

    fn lines(text: &str) -> Vec<Classified> {
        crate::clean::classify(crate::html::text_lines(text))
    }

    #[test]
    fn document_numbers_in_every_bracket() {
        for (line, want) in [
            ("闵科委〔2023〕14号", "闵科委〔2023〕14号"),
            ("沪府办发[2023]12号", "沪府办发[2023]12号"),
            ("闵府发【2023】第3号", "闵府发【2023】第3号"),
            ("北市產字（2023）5號", "北市產字（2023）5號"),
            ("关于印发的通知（沪科规〔2024〕2号）", "沪科规〔2024〕2号"),
        ] {
            let mut l = lines(&format!("关于印发某某办法的通知\n{line}\n正文第一段。"));
            assert_eq!(
                read(&mut l, Hints::default()).doc_number.as_deref(),
                Some(want),
                "{line}"
            );
        }
    }

    #[test]
    fn metadata_of_a_traditional_page() {
        let mut l = lines(
            "臺北市產業發展局公告\n發布日期：民國112年3月15日  來源：臺北市產業發展局\n\
             本局為推動產業創新，訂定本要點。",
        );
        let found = read(&mut l, Hints::default());
        assert_eq!(found.title.as_deref(), Some("臺北市產業發展局公告"));
        assert_eq!(found.published.as_deref(), Some("2023-03-15"));
        assert_eq!(found.source.as_deref(), Some("臺北市產業發展局"));
        assert_eq!(l[1].reason, Some(Reason::Source));
    }

    fn published_of(text: &str) -> Option<String> {
        read(&mut lines(text), Hints::default()).published
    }

    /// The publication date in the forms sites print it; a date inside the article never
    /// beats the page's dateline.
    #[test]
    fn the_dateline_in_its_forms_and_never_the_article_s_date() {
        let body = "区科委召开座谈会，部署年度重点工作。申报时间：2023年4月1日至4月30日。";
        for (dateline, want) in [
            ("2023-03-25 13:59:00", "2023-03-25"),
            ("2023-03-25", "2023-03-25"),
            ("2023/3/25 9:05:12", "2023-03-25"),
            ("2023年03月25日 13:59", "2023-03-25"),
            ("发布时间：2023年3月25日", "2023-03-25"),
            ("發布日期 112-03-25", "2023-03-25"),
            ("日期：2023年03月25日 作者：本站 点击：86次", "2023-03-25"),
            ("原创 上海科技 2023-03-25 13:59 发表于上海", "2023-03-25"),
            ("时间：2023.03.25 来源：市科技局 作者：办公室", "2023-03-25"),
        ] {
            let text = format!("区科委召开年度工作座谈会\n{dateline}\n{body}");
            assert_eq!(published_of(&text).as_deref(), Some(want), "{dateline}");
        }
        // Glued to the first paragraph, with its time.
        let text = format!("区科委召开年度工作座谈会\n2023-03-25 13:59:00{body}");
        assert_eq!(published_of(&text).as_deref(), Some("2023-03-25"));
        // Under the labelled date of the article's own text, the dateline still wins.
        let text = format!("区科委召开年度工作座谈会\n申报时间：2023年4月1日\n2023-03-25\n{body}");
        assert_eq!(published_of(&text).as_deref(), Some("2023-03-25"));
        // No dateline: a labelled date in the head is all there is.
        let text = format!("区科委召开年度工作座谈会\n{body}");
        assert_eq!(published_of(&text).as_deref(), Some("2023-04-01"));
    }

    /// The title is the page's heading, whole: cut in a number by the crawl, it is carried on
    /// from the article; inside a `<title>` full of spam or site names, it is the heading the
    /// page prints; under a column's name, it is the longest heading above the dateline.
    #[test]
    fn titles_whole() {
        let mut l = lines(
            "抢抓发展机遇,凝聚强大合力,市科委召开2\n2023/10/10 来源:不详\n\
             今天(1月26日),上海市科委召开年区域科技创新工作座谈会,市科委主任出席会议。",
        );
        assert_eq!(
            read(&mut l, Hints::default()).title.as_deref(),
            Some("抢抓发展机遇,凝聚强大合力,市科委召开年区域科技创新工作座谈会")
        );
        // A title that ends in a figure it means is left alone.
        let mut l = lines("科技创新行动2035\n2023-03-25\n全文如下，请遵照执行。");
        assert_eq!(
            read(&mut l, Hints::default()).title.as_deref(),
            Some("科技创新行动2035")
        );
        let mut l = lines(
            "国产精品,亚洲无码,日韩欧美,中文字幕\n区科委召开座谈会\n2023-03-25 13:59:00\n\
             区科委召开座谈会，部署年度重点工作。",
        );
        let hints = Hints {
            title: Some("国产精品,亚洲无码,日韩欧美,中文字幕 - 区科委召开座谈会"),
            ..Hints::default()
        };
        assert_eq!(
            read(&mut l, hints).title.as_deref(),
            Some("区科委召开座谈会")
        );
        let mut l = lines(
            "中央社 即時新聞\n區科委召開科技企業座談會\n記者王小明／台北報導\n2023/03/25 13:59\n\
             區科委今天召開座談會，部署年度重點工作。",
        );
        assert_eq!(
            read(&mut l, Hints::default()).title.as_deref(),
            Some("區科委召開科技企業座談會")
        );
    }

    #[test]
    fn date_formats() {
        assert_eq!(date("2023-03-15").as_deref(), Some("2023-03-15"));
        assert_eq!(
            date("发布时间：2023年3月15日").as_deref(),
            Some("2023-03-15")
        );
        assert_eq!(date("2023/3/5 来源").as_deref(), Some("2023-03-05"));
        assert_eq!(date("民國112年3月15日").as_deref(), Some("2023-03-15"));
        assert_eq!(
            date("民國一百一十二年三月十五日").as_deref(),
            Some("2023-03-15")
        );
        assert_eq!(date("二〇二三年二月十五日").as_deref(), Some("2023-02-15"));
        assert_eq!(date("2023年2月30日"), None);
        assert_eq!(date("第2023年"), None);
        let folded: String = "發布日期：112-03-15"
            .chars()
            .map(crate::fold::fold_char)
            .collect();
        assert_eq!(
            labelled_date(&folded).map(Date::iso).as_deref(),
            Some("2023-03-15")
        );
    }
}
