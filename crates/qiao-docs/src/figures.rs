//! Quantified statements: "技术合同成交额达230亿元" → indicator 技术合同成交额, value
//! 23000000000, unit 元, qualifier 达, year, subject, target or fact.
//!
//! The text is split into sentences (。！？； and line ends) and clauses (，、：). Each number
//! with a unit or a multiplier is a figure, except ordinals (第七次), years and dates (年/月/日
//! are not units), and codes glued to Latin letters (5G, G60). Within its clause:
//! - the **qualifier** is the cue right before the number (达, 力争达到, 保持在…) or at the head
//!   of the clause (新增, 累计), and 左右/以上 right after the unit;
//! - the **indicator** (what the figure measures) is what the clause says before the number,
//!   after the last verb (帮助100家企业获得**科技信贷**3亿元), when a cue ties them (技术合同成交额
//!   达230亿元); a count followed by its noun counts that noun (新增20家**创新研发中心**, 提出8个
//!   方面30条**具体措施**, 90%以上的**成果**). A number whose indicator names nothing — a verb
//!   phrase (形成了“6个), a structural noun (8个方面), the tail of a phrase cut after a quote or
//!   的 (”的鲜明特色 90%) — is not a figure and is not reported;
//! - the **year** is a year named in the sentence (到2030年 wins), else the document's year
//!   (the year in its title: 2023年工作要点);
//! - the **subject** is an organisation heading the figure's clause (上海交通大学获批…), else
//!   the district or development zone named in the sentence nearest before the number (张江高新区杨浦园: a zone of the list in [`ZONE`], with its sub-park), else the
//!   district the document's title or issuer names (闵行区科委 → 闵行区);
//! - the **kind** weighs cue words: 力争/目标/到…年/将 for a target, 已/累计/同比/了 for a
//!   fact, with a work plan's title (要点, 计划, 方案…) tipping ties to target and a news
//!   page's to fact.
//!
//! Matching runs on the folded text (simplified, ASCII digits); indicator, qualifier, raw text
//! and sentence are cut from the original, in its script.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize, Serializer};

use crate::fold::Folded;
use qiao_numbers::Decimal;

/// A target to reach or a fact achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A plan's goal: 力争达到, 到2030年, a work plan's 达.
    Target,
    /// A reported value: 已达, 累计, 同比增长.
    Fact,
}

/// One quantified statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// What is counted (技术合同成交额), original script.
    pub indicator: String,
    /// The value in base units (230亿元 → 23000000000; 10% → 10).
    #[serde(serialize_with = "whole_as_integer")]
    pub value: f64,
    /// The upper end of a range (300至500家 → value 300, value_max 500), in the same units.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_as_integer_opt"
    )]
    pub value_max: Option<f64>,
    /// The unit, simplified, without multiplier: 元, 家, %, 个百分点, pH…; empty when the
    /// text gives a multiplier only (230亿).
    pub unit: String,
    /// The number and unit as written (230亿元, 兩百三十億元).
    pub raw: String,
    /// 达, 力争达到, 保持在…左右, 新增, 累计… as written; `None` when there is none.
    pub qualifier: Option<String>,
    /// The year the figure is for, or its deadline.
    pub year: Option<i32>,
    /// The region or organisation it is about.
    pub subject: Option<String>,
    /// Target or fact.
    pub kind: Kind,
    /// The whole sentence, original script.
    pub sentence: String,
}

/// 23000000000, not 23000000000.0: whole values serialise as JSON integers.
fn whole_as_integer<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn whole_as_integer_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => whole_as_integer(v, s),
        None => s.serialize_none(),
    }
}

/// What the extractor knows of the document as a whole.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The year the document is about (in its title), else the year it was published.
    pub year: Option<i32>,
    /// The region the document's title or issuer names.
    pub subject: Option<String>,
    /// The document is a plan (工作要点, 行动方案…): bare values are targets.
    pub plan: bool,
}

/// Units after a number, longest first: counts and money of policy texts, then measures
/// (durations, temperatures, SI units in Latin letters, optionally per something:
/// kg/667m2, r/min). A lone `g` or `m` is left out: 5G and G60 are names, not grams.
const UNITS: &str = r"个百分点|百分点|平方公里|平方千米|平方米|立方米|千瓦时|千瓦|兆瓦|吉瓦|公顷|美元|欧元|港元|港币|日元|英镑|元|人次|人|名|位|户|家|项|个月|个|件|篇|台|套|座|所|条|次|倍|万吨|吨|公里|千米|亩|间|张|场|批|种|款|例|剂|小时|分钟|天|周|℃|%|‰|(?:mm|cm|km|m2|m3|kg|mg|ml|kwh|kw|mw|gw|mpa|kpa|ghz|mhz|khz|hz|nm|r)(?:/[0-9a-z]+)?";

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"百分之(?P<pct>[0-9.]+|[〇零一二两三四五六七八九十百]+)|(?:(?P<lo>[0-9]+(?:\.[0-9]+)?)\s*(?P<lomult>万亿|亿|万|千|百)?\s*(?:%|‰)?\s*(?:至|到|-|~|～|－|—)\s*)?(?P<num>[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?|[〇零一二两三四五六七八九十百千万亿]{{2,}})\s*(?P<mult>万亿|亿|万|千|百)?\s*(?P<unit>{UNITS})?"
    ))
    .unwrap()
});

static SENTENCE_END: &[char] = &['。', '!', '?', ';', '；', '！', '？', '\n'];
static CLAUSE_END: &[char] = &[
    ',', '，', '、', ':', '：', '。', '!', '?', ';', '；', '！', '？', '\n',
];

/// Cues right before the number, longest first.
const QUALIFIERS_BEFORE: &[&str] = &[
    "力争达到",
    "力争实现",
    "力争超过",
    "力争达",
    "保持在",
    "稳定在",
    "控制在",
    "提高到",
    "提升到",
    "提高至",
    "提升至",
    "增长到",
    "增加到",
    "不低于",
    "不少于",
    "不超过",
    "达到",
    "超过",
    "突破",
    "增至",
    "力争",
    "达",
    "约",
    "近",
    "逾",
    "超",
    "共",
    "合计",
    "累计",
    "新增",
    "新建",
];

/// Words of intent that open a qualifier (力争|突破, 确保|达到).
const MODALS: &[&str] = &["力争", "争取", "确保", "预计", "计划", "有望"];

/// Cues at the head of a clause.
const QUALIFIERS_HEAD: &[&str] = &["累计", "新增", "新建", "力争"];

/// Cues right after the unit.
const QUALIFIERS_AFTER: &[&str] = &["左右", "以上", "以内", "以下", "余", "多"];

/// Verbs after which the indicator starts (帮助100家企业获得|科技信贷).
static CUT_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"获得|达到|实现|提供|支持|引进|建设|帮助|推动|培育|认定|新增|新建|累计|提出|完成|吸引|带动|服务|举办|开展|设立|集聚|落地|签约|获批|入选").unwrap()
});

/// An organisation heading a clause (上海交通大学获批…, 某某有限公司实现…): the figure is about it.
/// Anchored at the clause's start, so a verb before a name (推动上海交通大学) is no part of it.
static ORG_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:其中|此外|同时|另外|\s)*(?P<org>[\p{Han}A-Za-z0-9（）()]{2,16}?(?:大学|学院|研究院|研究所|科学院|医院|有限公司|股份公司|公司|集团))").unwrap()
});

/// Indicators that name a measure without saying of what (产值 of which industry?). A plan
/// says the industry in the clause before: 推动生物医药产业加速发展，产值达350亿元.
const BARE_MEASURES: &[&str] = &[
    "产值",
    "工业产值",
    "总产值",
    "规模",
    "产业规模",
    "营业收入",
    "营收",
    "收入",
    "销售收入",
    "增加值",
    "产量",
    "出口额",
    "总额",
    "税收",
];

/// The industry a clause speaks of: a run of Han characters ending in 产业/行业, the last one
/// before the figure's clause, after the verbs that open such a clause (推动, 做强).
static INDUSTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{2,10}?(?:产业|行业)").unwrap());

/// Verbs that open a clause about an industry (推动, 做强), cut from its name.
static INDUSTRY_VERBS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:推动|推进|做强|做大|做优|壮大|发展|培育|打造|加快|支持|提升|促进)+").unwrap()
});

/// Verbs that, after the noun a number counts, say what the counted did (帮助100家企业获得科技
/// 信贷): the label keeps them (获得科技信贷企业), or it would read just 企业.
static COUNTED_DID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:获得|享受|得到|入驻|落户|参与|使用|申报|通过)").unwrap());

static LEADING_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:到\s*20\d\d\s*年(?:底|末)?|20\d\d\s*年(?:底|末|前)?|全年|其中|目前|当前|今年|去年|已经|已|共有|截至\S{0,8}?(?:底|末)|进一步|全力|加快|持续|确保|争取|预计|力争|并|和|及|与|的|\s)+").unwrap()
});

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?P<to>到|至|截至)?\s*(?P<y>(?:19|20)\d\d)\s*年").unwrap());

static DISTRICT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Han}{2}(?:新区|区|县)").unwrap());

/// Words ending in 区/县 that name no particular place.
const NOT_PLACES: &[&str] = &[
    "地区",
    "全区",
    "城区",
    "园区",
    "市区",
    "社区",
    "片区",
    "辖区",
    "各区",
    "本区",
    "该区",
    "郊区",
    "景区",
    "校区",
    "街区",
    "小区",
    "分区",
    "山区",
    "湾区",
    "特区",
    "展区",
    "厂区",
    "新区",
    "范区",
    "能区",
    "聚区",
    "验区",
    "发区",
    "护区",
    "贸区",
    "载区",
    "领区",
    "心区",
    "点区",
    "业区",
    "技区",
    "城区",
    "港区",
    "试区",
    "态区",
    "级区",
    "动区",
    "合区",
    "体区",
    "兴区",
    "新县",
    "全县",
    "各县",
    "本县",
    "该县",
    "行区",
    "策区",
    "导区",
    "游区",
    "高新区",
];

/// Shanghai's development zones and science cities by name, with the zone word and an optional
/// sub-park (张江高新区杨浦园, 紫竹高新区, 临港新片区, 漕河泾开发区, G60科创走廊). A list, not a
/// pattern: "X高新区" for any two characters X catches verbs and particles before the name.
static ZONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:张江|紫竹|漕河泾|临港|金桥|外高桥|虹桥|陆家嘴|市北|长阳|大创智|杨浦|闵行|松江|嘉定|青浦|宝山|奉贤|金山|崇明|莘庄|化学工业|G60)(?:综合性国家科学中心|高新技术产业开发区|高新区|新片区|经济技术开发区|开发区|科学城|科技城|科创走廊|科技园|商务区|工业区)(?:\p{Han}{2}园)?").unwrap()
});

/// Districts whose second character is in the list above (闵行区 vs 先行区).
fn is_place(name: &str) -> bool {
    let tail: String = name.chars().skip(1).collect();
    !NOT_PLACES.contains(&tail.as_str()) || name.ends_with("行区") && !name.contains("先行")
}

static ISSUER_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<p>[\p{Han}&&[^市省区县]]{2,3}?(?:新区|区|县|市))(?:科委|科学技术委员会|科技局|科学技术局|人民政府|政府|委员会|管委会|发改委|经信委|商务委|科协)").unwrap()
});

const TARGET_CUES: &[&str] = &[
    "力争",
    "争取",
    "目标",
    "预计",
    "计划",
    "确保",
    "将",
    "不低于",
    "不少于",
    "保持在",
    "到20",
    "提高到",
    "提升至",
    "提高至",
    "到本世纪",
];
const FACT_CUES: &[&str] = &[
    "已",
    "累计",
    "同比",
    "比上年",
    "较上年",
    "较去年",
    "比去年",
    "增长了",
    "共有",
    "截至",
    "获评",
    "入选",
    "完成",
    "实际",
];

/// Document context from its title and issuer.
pub fn context(title: Option<&str>, source: Option<&str>, published: Option<&str>) -> Context {
    let fold = |s: &str| s.chars().map(crate::fold::fold_char).collect::<String>();
    let title_f = title.map(fold).unwrap_or_default();
    let year = YEAR
        .captures(&title_f)
        .and_then(|c| c["y"].parse().ok())
        .or_else(|| published.and_then(|p| p.get(..4)?.parse().ok()));
    let subject = [title, source]
        .into_iter()
        .flatten()
        .find_map(|s| {
            let f = Folded::new(s);
            let m = ISSUER_PLACE
                .captures_iter(&f.text)
                .last()?
                .name("p")?
                .range();
            Some(f.original(m).to_string())
        })
        // Else a district the title names (《闵行区2024年工作要点》).
        .or_else(|| {
            let f = Folded::new(title?);
            let m = DISTRICT.find_iter(&f.text).find(|m| is_place(m.as_str()))?;
            Some(f.original(m.range()).to_string())
        });
    let plan = [
        "要点", "计划", "方案", "规划", "目标", "行动", "意见", "措施", "任务",
    ]
    .iter()
    .any(|w| title_f.contains(w));
    Context {
        year,
        subject,
        plan,
    }
}

/// Every figure of a cleaned text (the first [`MAX_FIGURES`]).
pub fn extract(text: &str, ctx: &Context) -> Vec<Figure> {
    let folded = Folded::new(text);
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in folded.text.char_indices() {
        // A "sentence" longer than any real one (a table flattened into one line, or junk) is
        // cut, so that the work per figure, which looks at its whole sentence, stays bounded.
        let too_long = i - start >= MAX_SENTENCE;
        if out.len() >= MAX_FIGURES {
            break;
        }
        if SENTENCE_END.contains(&c) || too_long {
            let end = if too_long { i } else { i + c.len_utf8() };
            sentence(&folded, start..end, ctx, &mut out);
            start = end;
        }
    }
    if out.len() < MAX_FIGURES {
        sentence(&folded, start..folded.text.len(), ctx, &mut out);
    }
    out.truncate(MAX_FIGURES);
    out
}

/// At most this many figures per document: a real one (even a statistical yearbook chapter)
/// has far fewer, and each figure carries its sentence, so junk of numbers must not turn a
/// few megabytes into gigabytes.
pub const MAX_FIGURES: usize = 20_000;

/// The longest sentence read as one, in bytes (about 680 Chinese characters; the longest
/// sentence of the fixtures has about 250). Every figure carries its sentence.
const MAX_SENTENCE: usize = 2048;

fn sentence(folded: &Folded, range: Range<usize>, ctx: &Context, out: &mut Vec<Figure>) {
    let s = &folded.text[range.clone()];
    if !s.chars().any(|c| {
        c.is_ascii_digit()
            || matches!(
                c,
                '一' | '二'
                    | '两'
                    | '三'
                    | '四'
                    | '五'
                    | '六'
                    | '七'
                    | '八'
                    | '九'
                    | '十'
                    | '百'
                    | '千'
                    | '万'
                    | '亿'
            )
    }) {
        return;
    }
    let sentence_text = folded.original(range.clone()).trim().to_string();
    // What every figure of the sentence shares, found once.
    let years = years_in(s);
    // Zones first; a district inside a zone's name (松江 in 松江科技城) does not count apart.
    let zones: Vec<Range<usize>> = ZONE.find_iter(s).map(|m| m.range()).collect();
    let mut places: Vec<Range<usize>> = DISTRICT
        .find_iter(s)
        .filter(|m| is_place(m.as_str()))
        .map(|m| m.range())
        .filter(|d| !zones.iter().any(|z| z.start <= d.start && d.end <= z.end))
        .chain(zones.iter().cloned())
        .collect();
    places.sort_by_key(|p| p.end);
    let cues = (
        TARGET_CUES.iter().filter(|c| s.contains(*c)).count(),
        FACT_CUES.iter().filter(|c| s.contains(*c)).count(),
    );
    let mut clause_floor = 0;
    for cap in NUMBER.captures_iter(s) {
        let whole = cap.get(0).expect("group 0");
        // Values stay exact (`qiao_numbers`) until the figure is made: a range's two ends are
        // compared exactly, and only the reported value becomes an f64.
        let (value, unit) = if let Some(p) = cap.name("pct") {
            let Some(v) = qiao_numbers::value(p.as_str(), 1) else {
                continue;
            };
            (v, "%".to_string())
        } else {
            let num = cap.name("num").expect("num or pct");
            let mult = cap.name("mult").map(|m| m.as_str());
            let mut unit = cap.name("unit").map(|m| m.as_str().to_string());
            // pH has its unit before the number (pH值保持在6.5至8.5).
            if unit.is_none() && mult.is_none() && ph_before(&s[..whole.start()]) {
                unit = Some("pH".into());
            }
            if mult.is_none() && unit.is_none() {
                continue;
            }
            let factor = mult.and_then(qiao_numbers::multiplier).unwrap_or(1);
            let Some(v) = qiao_numbers::value(num.as_str(), factor) else {
                continue;
            };
            (v, unit.unwrap_or_default())
        };
        // A range (300至500家, 3%-4%): the low end takes the high end's multiplier unless it
        // has its own. Years (2023-2025年) never get here: 年 is no unit.
        let (value, value_max) = match cap.name("lo") {
            Some(lo) => {
                let factor = cap
                    .name("lomult")
                    .or(cap.name("mult"))
                    .and_then(|m| qiao_numbers::multiplier(m.as_str()))
                    .unwrap_or(1);
                match qiao_numbers::value(lo.as_str(), factor) {
                    Some(low) if low <= value => (low, Some(value)),
                    _ => (value, None),
                }
            }
            None => (value, None),
        };
        let (value, value_max) = (value.to_f64(), value_max.map(Decimal::to_f64));
        let before = s[..whole.start()].chars().next_back();
        let after = s[whole.end()..].chars().next();
        // Ordinals, codes (G60, 5G, ipv6+) and pieces of dates are not figures.
        if matches!(before, Some('第' | '.')) || before.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        // A number glued to letters (5G) or a Latin unit that runs on (mmol) is not a figure
        // of ours.
        if (unit.is_empty() || unit.ends_with(|c: char| c.is_ascii_alphanumeric()))
            && after.is_some_and(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        let clause_start = s[..whole.start()]
            .rfind(CLAUSE_END)
            .map(|i| i + s[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0)
            .max(clause_floor);
        let clause_end = s[whole.end()..]
            .find(CLAUSE_END)
            .map_or(s.len(), |i| whole.end() + i);
        clause_floor = whole.end();

        let prefix = &s[clause_start..whole.start()];
        let trimmed = prefix.trim_end();
        let mut qualifier: Option<Range<usize>> = None;
        let mut indicator_end = clause_start + trimmed.len();
        // A cue right before the number (X达N家): X is what is measured.
        // 达到了98%: the aspect particle after a cue belongs to the cue.
        let particle = if trimmed.ends_with('了') {
            '了'.len_utf8()
        } else {
            0
        };
        let cued = &trimmed[..trimmed.len() - particle];
        let direct_cue = QUALIFIERS_BEFORE.iter().any(|q| cued.ends_with(*q));
        if let Some(q) = QUALIFIERS_BEFORE.iter().find(|q| cued.ends_with(*q)) {
            let mut at = clause_start + cued.len() - q.len();
            let end = clause_start + trimmed.len();
            // 力争 / 确保 / 预计 before the verb belong to the qualifier: 力争突破.
            if let Some(m) = MODALS.iter().find(|m| s[clause_start..at].ends_with(*m)) {
                at -= m.len();
            }
            qualifier = Some(at..end);
            indicator_end = at;
        }
        let mut indicator_start = clause_start;
        let head = &s[clause_start..indicator_end];
        if qualifier.is_none()
            && let Some(q) = QUALIFIERS_HEAD.iter().find(|q| head.starts_with(*q))
        {
            qualifier = Some(clause_start..clause_start + q.len());
        }
        // The indicator starts after the last verb of the prefix; when nothing is left, it is
        // the noun after the unit (below).
        let head = &s[indicator_start..indicator_end];
        if let Some(v) = CUT_VERB.find_iter(head).last() {
            indicator_start += v.end();
        }
        if let Some(noise) = LEADING_NOISE.find(&s[indicator_start..indicator_end]) {
            indicator_start += noise.end();
        }
        // The place heading the clause is the subject, not part of what is counted.
        if let Some(p) = places
            .iter()
            .find(|p| p.start == indicator_start && p.end < indicator_end)
        {
            indicator_start = p.end;
        }
        let mut indicator = indicator_start..indicator_end;
        let indicator_text =
            s[indicator.clone()].trim_matches(|c: char| c.is_whitespace() || c == '的');
        // What to put before the indicator so it says what it measures: the industry of a
        // bare measure, or what the counted did.
        let mut label_prefix: Option<Range<usize>> = None;
        // A number with a classifier and a noun after it counts that noun (提出8个方面30条
        // 具体措施, 建成5个市级孵化器, 90%以上的成果): the noun wins over the words before
        // the number, unless a cue ties the number to them (技术合同成交额达230亿元) and they
        // name something.
        let after = noun_after(s, whole.end(), clause_end);
        let use_after = after.is_some()
            && (indicator_text.chars().count() < 2
                || !direct_cue
                || !is_label(&s[indicator.clone()]));
        if let Some((noun, did)) = after.filter(|_| use_after) {
            indicator = noun;
            label_prefix = did;
        } else if BARE_MEASURES.contains(&indicator_text) {
            let before = &s[..clause_start];
            let last_clause = before
                .trim_end_matches(CLAUSE_END)
                .rfind(CLAUSE_END)
                .map_or(0, |i| {
                    i + before[i..].chars().next().map_or(1, char::len_utf8)
                });
            if let Some(m) = INDUSTRY.find_iter(&before[last_clause..]).last() {
                let (mut start, end) = (last_clause + m.start(), last_clause + m.end());
                if let Some(v) = CUT_VERB.find_iter(&s[start..end]).last() {
                    start += v.end();
                }
                if let Some(noise) = LEADING_NOISE.find(&s[start..end]) {
                    start += noise.end();
                }
                if let Some(verb) = INDUSTRY_VERBS.find(&s[start..end]) {
                    start += verb.end();
                }
                if s[start..end].chars().count() > 2 {
                    label_prefix = Some(start..end);
                }
            }
        }
        // A figure names what it measures, or it is no figure: a fragment (形成了“6个,
        // ”的鲜明特色 90%, 8个方面) says a number and nothing of what it counts.
        let measured = match &label_prefix {
            Some(p) => format!("{}{}", &s[p.clone()], &s[indicator.clone()]),
            None => s[indicator.clone()].to_string(),
        };
        if !is_label(&measured) {
            continue;
        }
        // 产量为2076.2kg: the copula is no part of the name.
        let named = s[indicator.clone()].trim_end();
        if let Some(m) = TRAILING_COPULA.find(named).filter(|m| m.start() > 0) {
            indicator.end = indicator.start + m.start();
        }
        let after_unit = &s[whole.end()..];
        let suffix = QUALIFIERS_AFTER
            .iter()
            .find(|q| after_unit.starts_with(*q))
            .map(|q| whole.end()..whole.end() + q.len());
        let qualifier = match (qualifier, suffix) {
            (Some(q), Some(x)) => Some(format!(
                "{}…{}",
                folded.original(offset(&range, q)),
                folded.original(offset(&range, x))
            )),
            (Some(q), None) | (None, Some(q)) => {
                Some(folded.original(offset(&range, q)).to_string())
            }
            (None, None) => None,
        };
        let year = year_of(&years, whole.start()).or(ctx.year);
        // Who the figure is about: an organisation heading its clause, else the place named
        // nearest before it, else the document's.
        let org = ORG_HEAD
            .captures(&s[clause_start..whole.start()])
            .and_then(|c| c.name("org"))
            // 推动上海交通大学…: a clause opening with a verb is not about the name after it.
            .filter(|m| {
                !CUT_VERB.is_match(m.as_str())
                    && ![
                        "鼓励", "引导", "依托", "围绕", "聚焦", "加快", "组织", "指导", "对", "与",
                        "在", "由", "向", "为", "以",
                    ]
                    .iter()
                    .any(|w| m.as_str().starts_with(w))
            })
            .map(|m| clause_start + m.start()..clause_start + m.end());
        let subject = org
            .or_else(|| places.iter().rfind(|p| p.end <= whole.start()).cloned())
            .map(|p| folded.original(offset(&range, p)).to_string())
            .or_else(|| ctx.subject.clone());
        let kind = kind_of(cues, ctx, qualifier.is_some());
        let indicator_text = folded
            .original(offset(&range, indicator))
            // A quotation's marks are not part of what it names (“6个中心” → 中心).
            .trim_matches(|c: char| c.is_whitespace() || "的“”‘’「」『』\"'".contains(c));
        let indicator_text = match label_prefix {
            Some(p) => format!(
                "{}{indicator_text}",
                folded.original(offset(&range, p)).trim()
            ),
            None => indicator_text.to_string(),
        };
        out.push(Figure {
            indicator: indicator_text,
            value,
            value_max,
            unit: unit.to_string(),
            raw: folded
                .original(offset(&range, whole.start()..whole.end()))
                .trim()
                .to_string(),
            qualifier,
            year,
            subject,
            kind,
            sentence: sentence_text.clone(),
        });
    }
}

/// Words that open what follows a number when no noun does (用于, 之间, 以上, 的比例…):
/// the number's noun is then before it.
static NOT_A_NOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:用于|用来|用以|用|之间|之内|以上|以下|以内|左右|上下|多|余|以|为|对|在|将|并|和|与|及|或|等|是|被|由|从|向|至|到|给|比|较|同比|增长|下降|提高|提升|减少|达到|达|后|前|内|中|时|里|的比)").unwrap()
});

/// The noun right after a number and its unit, within its clause: past a suffix cue (以上,
/// 左右) and one 的, up to a verb, a number or the clause's end, at most 12 characters;
/// with what the counted did when a verb of [`COUNTED_DID`] follows (100家企业获得科技信贷).
/// `None` when no noun follows.
fn noun_after(
    s: &str,
    from: usize,
    clause_end: usize,
) -> Option<(Range<usize>, Option<Range<usize>>)> {
    let mut start = from;
    if let Some(q) = QUALIFIERS_AFTER
        .iter()
        .find(|q| s[start..clause_end].starts_with(*q))
    {
        start += q.len();
    }
    if s[start..clause_end].starts_with('的') {
        start += '的'.len_utf8();
    }
    // A noun is short: looking further than this would make the work per figure grow with
    // the sentence.
    let tail_len: usize = s[start..clause_end]
        .chars()
        .take(24)
        .map(char::len_utf8)
        .sum();
    let tail = &s[start..start + tail_len];
    let opens_with_a_word = tail
        .chars()
        .next()
        .is_some_and(|c| is_han(c) || c.is_ascii_alphabetic());
    if !opens_with_a_word || NOT_A_NOUN.is_match(tail) {
        return None;
    }
    let verb = CUT_VERB
        .find(tail)
        .into_iter()
        .chain(NOUN_ENDS.find(tail))
        .map(|m| m.start())
        .min()
        .unwrap_or(tail.len());
    let number = tail
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(tail.len());
    let stop = verb.min(number);
    let noun = &tail[..stop];
    let noun_len: usize = noun.chars().take(12).map(char::len_utf8).sum();
    if !noun[..noun_len].chars().any(is_han) {
        return None;
    }
    // 100家企业获得科技信贷3亿元: the enterprises that obtained credit, not enterprises.
    let did = &tail[stop..number];
    let did = ((1..=4).contains(&noun.chars().count())
        && COUNTED_DID.is_match(did)
        && (3..=10).contains(&did.chars().count())
        && !did.ends_with(noun))
    .then(|| start + stop..start + stop + did.len());
    Some((start..start + noun_len, did))
}

/// Words a noun after a number stops before (患者按…分为, 地区的数据进行): prepositions and
/// light verbs, beside [`CUT_VERB`]'s.
static NOUN_ENDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"按|由|被|把|对于|对|向|于|以|将|分为|分别|进行|用于|是|为|和|与|及|等|在|从|经|通过|[”’」』》)）]").unwrap()
});

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Nouns that structure a text rather than name a measure: 8个方面 counts aspects of a plan.
const GENERIC: &[&str] = &[
    "方面", "方式", "部分", "领域", "环节", "方向", "层面", "阶段", "批次", "步骤", "类型", "种类",
    "类别", "维度", "板块", "特色", "特点", "亮点", "重点", "内容", "问题", "情况", "个", "项",
    "次", "年", "月", "天", "倍", "人次",
];

/// Verbs and particles a measure's name does not end with (形成了, 实现): what comes before
/// the number then is an action, not the thing measured. Growth words (同比增长) do name a
/// measure, a rate.
static ENDS_LIKE_A_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:了|着|过|得|地|形成|实现|提出|完成|获得|建成|开展|推动|取得|带动|吸引|引进|培育|建设|支持|和|与|及|或|等)$").unwrap()
});

/// A copula or cue left at the end of a measure's name (产量为, 最适温度为): not part of it.
static TRAILING_COPULA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:为|是|约|达|有|在)+$").unwrap());

/// Whether a piece of folded text names what a figure measures: two letters at least, not a
/// structural noun (方面), not the end of a verb phrase (形成了), and not the tail of a
/// phrase cut in the middle (”的鲜明特色: it opens with a closing quote or 的).
fn is_label(piece: &str) -> bool {
    let opened = piece.trim_start();
    if opened.starts_with(['”', '’', '」', '』', '》', ')', '）', '的', '"', '\'']) {
        return false;
    }
    let label = piece.trim_matches(|c: char| {
        c.is_whitespace() || "“”‘’「」『』《》()（）【】\"'的·、".contains(c)
    });
    let label = TRAILING_COPULA
        .find(label)
        .map_or(label, |m| &label[..m.start()]);
    label.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        && label.chars().any(|c| is_han(c) || c.is_ascii_alphabetic())
        && !GENERIC.contains(&label)
        && !ENDS_LIKE_A_VERB.is_match(label)
}

/// Whether `before` (the folded text up to a number) ends with pH and at most a few words
/// (pH值, pH值保持在): the number is a pH value.
fn ph_before(before: &str) -> bool {
    let tail: String = before
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    tail.find("ph").is_some_and(|at| {
        let rest = &tail[at + 2..];
        rest.chars()
            .all(|c| c.is_whitespace() || "值为在保持稳定控制于达到:：".contains(c))
    })
}

/// A range of the sentence, as a range of the whole folded text.
fn offset(sentence: &Range<usize>, r: Range<usize>) -> Range<usize> {
    sentence.start + r.start..sentence.start + r.end
}

/// The years a sentence names: (a deadline: 到/至/截至, byte offset, year).
fn years_in(s: &str) -> Vec<(bool, usize, i32)> {
    YEAR.captures_iter(s)
        .filter_map(|c| {
            let m = c.get(0)?;
            // 三年行动计划 has no year; 2023年2月 is a date, still a year.
            Some((c.name("to").is_some(), m.start(), c["y"].parse().ok()?))
        })
        .collect()
}

/// The year a figure at `at` is for: a deadline (到2030年) anywhere in the sentence, else the
/// last year named before it, else the first named after it.
fn year_of(years: &[(bool, usize, i32)], at: usize) -> Option<i32> {
    years
        .iter()
        .find(|(to, ..)| *to)
        .or_else(|| years.iter().rfind(|(_, p, _)| *p < at))
        .or_else(|| years.first())
        .map(|&(_, _, y)| y)
}

/// Target or fact from the sentence's `(target, fact)` cue counts.
fn kind_of((target, fact): (usize, usize), ctx: &Context, qualified: bool) -> Kind {
    match target.cmp(&fact) {
        std::cmp::Ordering::Greater => Kind::Target,
        std::cmp::Ordering::Less => Kind::Fact,
        // No cue either way: a plan's values are what it sets out to reach; a report's are
        // what happened. A qualified value (达, 新增) in a plan is a target too.
        std::cmp::Ordering::Equal if ctx.plan || (qualified && target > 0) => Kind::Target,
        std::cmp::Ordering::Equal => Kind::Fact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Context {
        Context {
            year: Some(2023),
            subject: Some("闵行区".into()),
            plan: true,
        }
    }

    fn one(text: &str, ctx: &Context) -> Figure {
        let f = extract(text, ctx);
        assert_eq!(f.len(), 1, "{text}: {f:#?}");
        f.into_iter().next().unwrap()
    }

    #[test]
    fn an_organisation_heading_the_clause_is_the_subject() {
        let f = one("上海交通大学获批国家重点研发计划项目12项。", &plan());
        assert_eq!(
            (f.subject.as_deref(), f.indicator.as_str()),
            (Some("上海交通大学"), "国家重点研发计划项目")
        );
        let f = one(
            "其中，上海砺能动力电池有限公司实现营业收入8.6亿元。",
            &plan(),
        );
        assert_eq!(f.subject.as_deref(), Some("上海砺能动力电池有限公司"));
        // A name after a verb does not head the clause; the document's district stays.
        let f = one("推动上海交通大学等高校转化成果20项。", &plan());
        assert_eq!(f.subject.as_deref(), Some("闵行区"));
        let f = one("技术合同成交额达230亿元。", &plan());
        assert_eq!(f.subject.as_deref(), Some("闵行区"));
    }

    #[test]
    fn ranges_ph_and_currencies() {
        let ctx = context(Some("关于印发《闵行区2024年工作要点》的通知"), None, None);
        assert_eq!(
            (ctx.subject.as_deref(), ctx.year, ctx.plan),
            (Some("闵行区"), Some(2024), true)
        );
        let f = extract(
            "力争研发投入强度提高到3%-4%，新增科技型中小企业300至500家。",
            &ctx,
        );
        let got: Vec<(&str, f64, Option<f64>, &str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.indicator.as_str(),
                    f.value,
                    f.value_max,
                    f.unit.as_str(),
                    f.raw.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("研发投入强度", 3.0, Some(4.0), "%", "3%-4%"),
                ("科技型中小企业", 300.0, Some(500.0), "家", "300至500家"),
            ]
        );
        let f = one("出水pH值保持在6.5至8.5之间。", &ctx);
        assert_eq!(
            (f.value, f.value_max, f.unit.as_str()),
            (6.5, Some(8.5), "pH")
        );
        let f = one("吸引投资1.5亿至2亿港元。", &ctx);
        assert_eq!(
            (f.value, f.value_max, f.unit.as_str()),
            (150_000_000.0, Some(200_000_000.0), "港元")
        );
        let f = one("引进外资5000万美元。", &ctx);
        assert_eq!((f.value, f.unit.as_str()), (50_000_000.0, "美元"));
        // Year spans and dates are no ranges; a single value has no upper end.
        assert!(extract("2023-2025年行动计划。", &ctx).is_empty());
        assert_eq!(one("技术合同成交额达230亿元。", &ctx).value_max, None);
        let json = serde_json::to_value(one("新增300至500家企业。", &ctx)).unwrap();
        assert_eq!(
            (json["value"].as_i64(), json["value_max"].as_i64()),
            (Some(300), Some(500))
        );
        assert!(
            serde_json::to_value(one("新增500家企业。", &ctx))
                .unwrap()
                .get("value_max")
                .is_none()
        );
    }

    #[test]
    fn a_zone_named_before_the_number_is_the_subject_in_either_script() {
        let news = Context {
            year: Some(2024),
            subject: Some("杨浦区".into()),
            plan: true,
        };
        for text in [
            "加快研究张江高新区杨浦园高质量发展相关措施，针对重点任务提出8个方面具体措施。",
            "加快研究張江高新區楊浦園高質量發展相關措施，針對重點任務提出8個方面具體措施。",
        ] {
            let f = one(text, &news);
            assert_eq!(
                f.subject.as_deref().map(|s| s.chars().count()),
                Some(8),
                "{text}: {f:?}"
            );
            assert!(f.subject.as_deref().unwrap().starts_with(['张', '張']));
        }
        // A district named after the zone, nearer the number, wins; no place: the document's.
        let f = one("紫竹高新区与闵行区共建孵化器，新增孵化器5家。", &news);
        assert_eq!(f.subject.as_deref(), Some("闵行区"));
        let f = one("新增孵化器5家。", &news);
        assert_eq!(f.subject.as_deref(), Some("杨浦区"));
        // "研究" before 高新区 is no zone name.
        let f = one("研究高新区政策，出台措施3条。", &news);
        assert_eq!(f.subject.as_deref(), Some("杨浦区"));
    }

    #[test]
    fn amounts_with_multipliers() {
        let f = one("推动科技成果转移转化，技术合同成交额达230亿元；", &plan());
        assert_eq!(
            (
                f.indicator.as_str(),
                f.value,
                f.unit.as_str(),
                f.raw.as_str()
            ),
            ("技术合同成交额", 23_000_000_000.0, "元", "230亿元")
        );
        assert_eq!(f.qualifier.as_deref(), Some("达"));
        assert_eq!(
            (f.year, f.subject.as_deref(), f.kind),
            (Some(2023), Some("闵行区"), Kind::Target)
        );
    }

    #[test]
    fn traditional_and_chinese_numerals() {
        let f = one("技術合同成交額力爭達到二百三十億元。", &Context::default());
        assert_eq!((f.value, f.unit.as_str()), (23_000_000_000.0, "元"));
        assert_eq!(f.raw, "二百三十億元");
        assert_eq!(f.qualifier.as_deref(), Some("力爭達到"));
        assert_eq!(f.indicator, "技術合同成交額");
        assert_eq!(f.kind, Kind::Target);
        let f = one("研發投入占比不低於百分之十。", &Context::default());
        assert_eq!((f.value, f.unit.as_str()), (10.0, "%"));
    }

    #[test]
    fn percent_with_suffix_qualifier() {
        let f = one(
            "全社会研发经费支出相当于地区生产总值的比例保持在10%左右；",
            &plan(),
        );
        assert_eq!((f.value, f.unit.as_str()), (10.0, "%"));
        assert_eq!(f.qualifier.as_deref(), Some("保持在…左右"));
        assert_eq!(f.indicator, "全社会研发经费支出相当于地区生产总值的比例");
    }

    #[test]
    fn a_bare_measure_keeps_the_industry_of_the_clause_before() {
        let labels = |text: &str| -> Vec<String> {
            extract(text, &plan())
                .into_iter()
                .map(|f| f.indicator)
                .collect()
        };
        assert_eq!(
            labels("推动生物医药产业加速发展，产值达350亿元。"),
            ["生物医药产业产值"]
        );
        assert_eq!(
            labels("进一步做强集成电路产业优势，工业产值力争达350亿元。"),
            ["集成电路产业工业产值"]
        );
        // A measure that names its subject, or no industry before it, stays as written.
        assert_eq!(
            labels("推动生物医药产业加速发展，技术合同成交额达10亿元。"),
            ["技术合同成交额"]
        );
        assert_eq!(labels("加快发展，产值达5亿元。"), ["产值"]);
    }

    #[test]
    fn two_figures_in_one_clause_and_a_noun_after_the_unit() {
        let f = extract(
            "帮助100家企业获得科技信贷3亿元。培育、新增20家创新研发中心。",
            &plan(),
        );
        let got: Vec<(&str, f64, &str)> = f
            .iter()
            .map(|f| (f.indicator.as_str(), f.value, f.unit.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("获得科技信贷企业", 100.0, "家"),
                ("科技信贷", 300_000_000.0, "元"),
                ("创新研发中心", 20.0, "家")
            ]
        );
        assert_eq!(f[2].qualifier.as_deref(), Some("新增"));
    }

    #[test]
    fn facts_in_a_news_report() {
        let ctx = Context {
            year: Some(2024),
            subject: None,
            plan: false,
        };
        let f = one("截至2023年底，杨浦区已累计培育高新技术企业1200家。", &ctx);
        assert_eq!(
            (f.kind, f.year, f.subject.as_deref()),
            (Kind::Fact, Some(2023), Some("杨浦区"))
        );
        assert_eq!(f.indicator, "高新技术企业");
        let f = one("到2030年，全区高新技术企业力争达到5000家。", &ctx);
        assert_eq!((f.kind, f.year), (Kind::Target, Some(2030)));
    }

    #[test]
    fn traditional_news_facts() {
        let f = extract(
            "2023年楊浦區技術合同成交額達到215億元，同比增長12%。",
            &Context::default(),
        );
        let got: Vec<_> = f
            .iter()
            .map(|f| {
                (
                    f.value,
                    f.unit.as_str(),
                    f.kind,
                    f.year,
                    f.subject.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    21_500_000_000.0,
                    "元",
                    Kind::Fact,
                    Some(2023),
                    Some("楊浦區")
                ),
                (12.0, "%", Kind::Fact, Some(2023), Some("楊浦區")),
            ]
        );
        assert_eq!(f[0].indicator, "技術合同成交額");
        assert_eq!(f[0].qualifier.as_deref(), Some("達到"));
    }

    /// A figure names what it measures: the noun after a count (8个方面30条具体措施 counts
    /// measures), the measure before a cue; a number with no such words is no figure.
    #[test]
    fn figures_name_what_they_measure() {
        let labels = |text: &str| -> Vec<String> {
            extract(text, &plan())
                .into_iter()
                .map(|f| f.indicator)
                .collect()
        };
        assert_eq!(
            labels("针对重点任务提出8个方面30条具体措施。"),
            ["具体措施"]
        );
        assert_eq!(labels("建成5个市级孵化器。"), ["市级孵化器"]);
        assert_eq!(
            labels("形成了“产学研一体”的鲜明特色，90%以上的成果实现转化。"),
            ["成果"]
        );
        assert_eq!(labels("铜的回收率达到了98%以上。"), ["铜的回收率"]);
        assert_eq!(labels("不同品种产量为2076.2kg/667m2。"), ["不同品种产量"]);
        // Fragments: a verb before a quotation, a structural noun, a phrase cut after 的.
        for text in [
            "形成了“6個一”的鮮明特色。",
            "提出8个方面。",
            "”的鲜明特色90%。",
            "最高，达2076.2kg/667m2。",
        ] {
            assert_eq!(extract(text, &plan()), [], "{text}");
        }
        // Growth rates name a measure.
        assert_eq!(labels("营业收入同比增长12%。"), ["营业收入同比增长"]);
    }

    #[test]
    fn not_figures() {
        let text = "按照市第十二次党代会部署，发布于2023年2月15日，建设5G基站和G60科创走廊，一是推进三年行动计划。";
        assert_eq!(extract(text, &plan()), []);
    }

    #[test]
    fn a_huge_sentence_takes_linear_time() {
        // 60,000 figures in one sentence without punctuation: quadratic work would not finish.
        let text = "新增1家企业".repeat(60_000);
        let f = extract(&text, &plan());
        assert_eq!(f.len(), MAX_FIGURES);
        assert!(f.iter().all(|f| f.sentence.len() < MAX_SENTENCE + 4));
    }

    #[test]
    fn context_from_title_and_issuer() {
        let c = context(Some("闵行区科委2023年工作要点"), None, Some("2023-02-24"));
        assert_eq!(
            (c.year, c.subject.as_deref(), c.plan),
            (Some(2023), Some("闵行区"), true)
        );
        let c = context(
            Some("市科委召开座谈会"),
            Some("上海市闵行区科学技术委员会"),
            Some("2022-01-26"),
        );
        assert_eq!(
            (c.year, c.subject.as_deref(), c.plan),
            (Some(2022), Some("闵行区"), false)
        );
    }
}
