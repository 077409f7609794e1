//! Records of every kind, with every field filled or none, shared by the tests.

use qiao_domain::codes::credit_code_check_char;
use qiao_domain::{Kind, Listing, Organisation};
use qiao_io::{Format, ListingRow, ReadOutcome, Record};
use serde_json::{Value, json};

/// A valid 统一社会信用代码, different for each `n`.
pub fn code(n: u32) -> String {
    let first = format!("91310000MA1K{n:05}");
    let check = credit_code_check_char(&first).unwrap();
    format!("{first}{check}")
}

pub fn listing(kind: Kind, fields: Value) -> Listing {
    let mut l = Listing::from_fields(kind, fields).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    l.validate().unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    l
}

pub fn org(fields: Value) -> Organisation {
    let mut o: Organisation = serde_json::from_value(fields).unwrap();
    o.validate().unwrap();
    o
}

fn contact() -> Value {
    json!({"name": "王老师", "phone": "021-5474 1234", "email": "wang@example.edu.cn"})
}

/// Every kind with every field set, in awkward values: separators inside list items, line
/// breaks, quotes, leading spaces, JSON-looking text, big amounts, fractional targets.
pub fn full_records() -> Vec<Record> {
    let row = |id: Option<i64>, owner: Option<String>, listing: Listing| {
        Record::Listing(ListingRow {
            id,
            owner,
            listing,
            given: None,
        })
    };
    vec![
        Record::Organisation(org(json!({
            "kind": "university", "name": "上海示例大学", "credit_code": code(1), "district": "闵行区",
            "industry_code": "P8341", "founded_on": "1896-04-08", "employees": 12000,
            "revenue_yuan": 9_007_199_254_740_993_i64, "rd_expense_yuan": 1_234_567,
            "description": "第一行\n第二行, \"引号\" 与 'single'", "website": "https://example.edu.cn",
            "certificates": [
                {"kind": "high_tech", "number": "GR202331001234", "issued_on": "2023-12-01", "expires_on": "2026-11-30"},
                {"kind": "tech_sme", "issued_on": "2024-05-01", "expires_on": "2024-12-31"}
            ]
        }))),
        row(
            Some(17),
            Some(code(1)),
            listing(
                Kind::Achievement,
                json!({
                    "title": "相变材料电池热管理系统", "summary": "  一种电池包热管理方法；适用于储能。\r\n第二段。",
                    "keywords": ["电池", "热管理", "相变材料"], "discipline": "新能源",
                    "ipc_codes": ["H01M 10/613", "H01M 10/6551"], "patent_numbers": ["CN202310001234.5"],
                    "trl": 6, "stage": "pilot", "transfer_modes": ["license", "transfer", "equity"],
                    "price_min_yuan": 500_000, "price_max_yuan": 2_300_000, "district": "闵行区",
                    "status": "open", "expires_on": "2027-12-31", "contact": contact()
                }),
            ),
        ),
        row(
            None,
            Some(code(2)),
            listing(
                Kind::Demand,
                json!({
                    "title": "储能电池夏季散热", "description": "夏天电池包发烫，需要被动散热方案。",
                    "keywords": ["散热, 被动", "储能"], "discipline": "能源",
                    "indicators": [
                        {"name": "温升", "target": 8.25, "unit": "°C", "note": "45°C 环境, 1C 放电"},
                        {"name": "成本", "target": 0.1}
                    ],
                    "budget_min_yuan": 100_000, "budget_max_yuan": 800_000, "deadline": "2026-09-30",
                    "cooperation_modes": ["joint_development", "commissioned_development"],
                    "district": "浦东新区", "status": "draft", "expires_on": "2026-12-31",
                    "confidential": "电芯型号 X-200", "contact": {"phone": "13800138000"}
                }),
            ),
        ),
        row(
            Some(9_007_199_254_740_995),
            None,
            listing(
                Kind::Challenge,
                json!({
                    "title": "固态电池电解质揭榜", "description": "揭榜挂帅：离子电导率提升。",
                    "keywords": ["固态电池"], "discipline": "材料",
                    "indicators": [{"name": "离子电导率", "target": 1.2e-3, "unit": "S/cm"}],
                    "deliverables": ["样品 10 片", "测试报告；含第三方", " 专利 1 项"],
                    "reward_yuan": 5_000_000, "apply_from": "2026-03-01", "apply_until": "2026-04-30",
                    "deadline": "2027-04-30", "district": "嘉定区", "status": "under_review",
                    "expires_on": "2027-05-01", "confidential": "预算来源", "contact": {"name": "李工", "phone": " "}
                }),
            ),
        ),
        row(
            None,
            None,
            listing(
                Kind::Scenario,
                json!({
                    "title": "智慧港口无人集卡", "description": "洋山港测试场景",
                    "needs": ["[激光雷达]", "高精地图"], "keywords": ["自动驾驶"], "discipline": "交通",
                    "budget_yuan": 30_000_000, "deadline": "2026-06-30", "district": "临港新片区",
                    "status": "closed", "expires_on": "2026-07-01", "contact": {}
                }),
            ),
        ),
        row(
            None,
            None,
            listing(
                Kind::Instrument,
                json!({
                    "title": "场发射扫描电镜", "description": "形貌观察与能谱分析", "model": "0123",
                    "manufacturer": "Zeiss", "discipline": "分析仪器", "keywords": ["SEM", "EDS"],
                    "location": "材料楼 101", "district": "徐汇区", "booking_terms": "提前 3 天预约，500 元/小时",
                    "status": "open", "expires_on": "2030-01-01", "contact": contact()
                }),
            ),
        ),
        row(
            None,
            None,
            listing(
                Kind::Expert,
                json!({
                    "title": "张教授", "description": "长期从事电化学储能研究。", "position": "教授",
                    "affiliation": "上海示例大学", "discipline": "电化学", "keywords": ["储能", "电池"],
                    "district": "闵行区", "status": "open", "expires_on": "2028-01-01", "contact": contact()
                }),
            ),
        ),
        row(
            None,
            None,
            listing(
                Kind::Institution,
                json!({
                    "title": "示例检测中心", "description": "第三方检测服务", "services": ["电池检测", "EMC | 电磁兼容"],
                    "qualifications": ["CMA", "CNAS"], "discipline": "检测", "keywords": ["检测"],
                    "district": "松江区", "status": "open", "expires_on": "2029-01-01", "contact": contact()
                }),
            ),
        ),
    ]
}

/// Every kind with only its required fields.
pub fn minimal_records() -> Vec<Record> {
    let row = |listing| {
        Record::Listing(ListingRow {
            id: None,
            owner: None,
            listing,
            given: None,
        })
    };
    vec![
        Record::Organisation(org(
            json!({"kind": "enterprise", "name": "示例科技", "credit_code": code(3)}),
        )),
        row(listing(
            Kind::Achievement,
            json!({"title": "成果", "summary": "摘要"}),
        )),
        row(listing(
            Kind::Demand,
            json!({"title": "需求", "description": "描述"}),
        )),
        row(listing(
            Kind::Challenge,
            json!({
                "title": "榜单", "description": "描述", "indicators": [{"name": "效率", "target": 20, "unit": "%"}],
                "reward_yuan": 1, "apply_from": "2026-01-01", "apply_until": "2026-01-01"
            }),
        )),
        row(listing(
            Kind::Scenario,
            json!({"title": "场景", "description": "描述"}),
        )),
        row(listing(
            Kind::Instrument,
            json!({"title": "仪器", "description": "描述"}),
        )),
        row(listing(
            Kind::Expert,
            json!({"title": "专家", "description": "描述"}),
        )),
        row(listing(
            Kind::Institution,
            json!({"title": "机构", "description": "描述"}),
        )),
    ]
}

/// Reads `bytes`, failing the test on any row error.
pub fn read_ok(format: Format, bytes: &[u8]) -> Vec<Record> {
    let ReadOutcome { records, errors } = qiao_io::read_bytes(format, bytes).unwrap();
    assert!(errors.is_empty(), "{format:?}: {errors:#?}");
    records.into_iter().map(|(_, r)| r).collect()
}

/// Reads `bytes` expecting exactly one bad row; returns its line and message.
pub fn one_error(format: Format, bytes: &[u8]) -> (usize, String) {
    let outcome = qiao_io::read_bytes(format, bytes).unwrap();
    assert_eq!(outcome.errors.len(), 1, "{:#?}", outcome.errors);
    let e = &outcome.errors[0];
    (e.line, e.message())
}
