//! Chinese wording of validation messages for the pages.
//!
//! The domain words its rules in English for the API and logs; a person filling in a form in
//! Chinese should read Chinese next to the field. Each message shape the domain produces is
//! recognised here and said again in Chinese, with the same numbers and values; a shape not
//! recognised is shown as it is, so nothing is ever hidden.

/// The Chinese wording of a domain validation message.
pub fn zh_message(m: &str) -> String {
    // Credit-code errors quote the code first: keep the code, translate the rest.
    if let Some(rest) = m.strip_prefix("统一社会信用代码 `")
        && let Some((code, tail)) = rest.split_once("` ")
    {
        return format!("统一社会信用代码 {code}：{}", zh_message(tail));
    }
    if m == "is required and must not be blank" {
        return "必填，不能为空".into();
    }
    if let Some(rest) = m.strip_prefix("is ")
        && let Some((n, tail)) = rest.split_once(" characters long; shorten it to at most ")
    {
        return format!("当前 {n} 个字，请缩短到 {tail} 个字以内");
    }
    if let Some(rest) = m.strip_prefix("has ")
        && let Some((n, max)) = rest.split_once(" items; keep at most ")
    {
        return format!("共 {n} 项，最多 {max} 项");
    }
    if let Some(n) = m.strip_prefix("must be 18 characters, found ") {
        return format!("统一社会信用代码应为 18 位，当前为 {n} 位");
    }
    if let Some(rest) = m.strip_prefix("has a wrong check character `")
        && let Some((found, tail)) = rest.split_once("` (expected `")
    {
        let expected = tail.trim_end_matches("`)");
        return format!("校验位错误：为 {found}，按 GB 32100-2015 应为 {expected}");
    }
    if let Some(rest) = m.strip_prefix("character `")
        && let Some((ch, tail)) = rest.split_once("` at position ")
    {
        let pos = tail.split_whitespace().next().unwrap_or("");
        return format!(
            "第 {pos} 位的字符 {ch} 不允许（只能是数字和除 I、O、Z、S、V 外的大写字母）"
        );
    }
    if m.starts_with("is too short; use at least ") {
        let n = m
            .trim_start_matches("is too short; use at least ")
            .split_whitespace()
            .next()
            .unwrap_or("8");
        return format!("太短，至少 {n} 个字符（不计首尾空格）");
    }
    if m == "repeats one character; use at least two different characters" {
        return "只由一个字符重复组成，请至少使用两种不同的字符".into();
    }
    if let Some(rest) = m.strip_prefix("holds the control character ")
        && let Some((code, tail)) = rest.split_once(" at character ")
    {
        let at = tail.split(';').next().unwrap_or("");
        return format!("第 {at} 个字符是控制字符 {code}，请删除（可以换行和使用制表符）");
    }
    if m == "you cannot disable your own account; ask another admin" {
        return "不能停用自己的账号，请由另一位管理员操作".into();
    }
    if m.starts_with("nothing to change: give `disabled`") {
        return "没有要修改的内容：请选择停用或启用，或填写新密码".into();
    }
    if m.contains("must be 3-40 characters of letters, digits") {
        return "须为 3-40 位字母、数字或 _ - .".into();
    }
    if m.ends_with("is not an e-mail address") {
        return "不是有效的电子邮箱地址".into();
    }
    if m.ends_with("an amount cannot be negative") {
        return "金额不能为负数".into();
    }
    if m.contains("swap them or fix one") {
        return "上限低于下限，请调换或修改".into();
    }
    if m.ends_with("is not an amount; write 500000, 50万 or 2.3亿") {
        return "不是有效金额，请写 500000、50万 或 2.3亿".into();
    }
    if m.ends_with("is not a whole number") {
        return "须为整数".into();
    }
    if m.contains("a technology readiness level is 1 to 9") {
        return "技术成熟度须为 1 到 9".into();
    }
    if m.contains("must list at least one indicator") {
        return "至少填写一项带目标值和单位的指标".into();
    }
    if m.contains("a challenge needs a positive reward") {
        return "榜单金额须大于 0".into();
    }
    if let Some(rest) = m.strip_prefix("line ")
        && let Some((n, _)) = rest.split_once(": start with the indicator's name")
    {
        return format!("第 {n} 行应以指标名开头，如 能量密度 300 Wh/kg；25℃ 测试");
    }
    if m.contains("dates are YYYY-MM-DD") {
        return "不是有效日期，格式为 年-月-日（YYYY-MM-DD）".into();
    }
    if m.contains("is required when the reason is `other`") {
        return "选择“其他”时请写明原因".into();
    }
    if m.contains("characters; say in 10 to 2000 characters") {
        return "请用 10 到 2000 字说明您是谁、想沟通什么".into();
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((_, options)) = rest.split_once("` is not one of: ")
    {
        return format!("请从以下选项中选择：{options}");
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((value, options)) = rest.split_once("` is not a certificate; choose from ")
    {
        return format!("“{value}”不是可选的证书，请从以下选择：{options}");
    }
    if m.starts_with('`') && m.ends_with("` is not a number") {
        return "须为数字".into();
    }
    if m.contains("is not a GB/T 4754-2017 code") {
        return "不是 GB/T 4754-2017 行业代码：门类字母 A-T，可跟 2、3 或 4 位数字（如 C3562）"
            .into();
    }
    if m.ends_with("give a percentage between 0 and 100") {
        return "须为 0 到 100 之间的百分比".into();
    }
    if m.ends_with("give a year between 2000 and 2100") {
        return "年份须在 2000 到 2100 之间".into();
    }
    if m == "must be a number of at least 0" || m == "cannot be negative" {
        return "不能为负数".into();
    }
    // Two dates out of order: "(later) is before other_field (earlier); why".
    if let Some(rest) = m.strip_prefix('(')
        && let Some((date, tail)) = rest.split_once(") is before ")
        && let Some((other, tail)) = tail.split_once(" (")
        && let Some((earlier, _)) = tail.split_once(");")
    {
        match other {
            "apply_from" => return format!("截止日期 {date} 早于开始日期 {earlier}，请修改其一"),
            "apply_until" => {
                return format!("完成期限 {date} 早于揭榜截止日期 {earlier}：交付不能早于揭榜截止");
            }
            "issued_on" => return format!("到期日 {date} 早于发证日 {earlier}，请修改其一"),
            _ => {}
        }
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((code, _)) = rest.split_once("` is not an IPC class")
    {
        return format!("“{code}”不是有效的 IPC 分类号，请写成 H01M 10/613 或 G06N 的形式");
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((status, _)) = rest.split_once("` applies to challenges only")
    {
        let label = qiao_domain::Status::parse(status).map_or(status, |s| s.label_zh());
        return format!("“{label}”仅适用于揭榜挂帅，请选择草稿、开放或已关闭");
    }
    if m == "must be a finite number" {
        return "须为有效数字".into();
    }
    if m.starts_with("is required: give the value to reach") {
        return "必填：请写明要达到的目标值".into();
    }
    if m.starts_with("is required: give the unit of the target") {
        return "必填：请写明目标值的单位（如 Wh/kg、%）".into();
    }
    if m.starts_with("is required for a member account") {
        return "机构成员账号必须归属一个机构：请填写所属机构的统一社会信用代码".into();
    }
    if m == "choose one of the listed kinds" {
        return "请从列出的机构类型中选择一项".into();
    }
    if m == "choose a role" {
        return "请选择角色".into();
    }
    if let Some(rest) = m.strip_prefix("no organisation has the credit code `") {
        let code = rest.trim_end_matches('`');
        return format!("没有统一社会信用代码为 {code} 的机构，请核对或先创建该机构");
    }
    if m.starts_with("is not a valid target") {
        return "不是有效的目标，请检查年份、数值、单位和统计口径".into();
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((value, _)) = rest.split_once("` is not a year")
    {
        return format!("“{value}”不是年份，请写如 2025");
    }
    if let Some(rest) = m.strip_prefix('`')
        && let Some((value, _)) = rest.split_once("` is not a figure number")
    {
        return format!("“{value}”不是指标编号");
    }
    if m.starts_with("its figures cannot be read") {
        return "无法读取该文件中的指标".into();
    }
    if m.starts_with("the document states no target") {
        return "该文件没有写明目标；请勾选指标，或手工录入目标".into();
    }
    if let Some(rest) = m.strip_prefix("the document has ")
        && let Some((n, tail)) = rest.split_once(" figures (0 to ")
    {
        let last = tail.trim_end_matches(')');
        return format!("该文件共有 {n} 项指标（编号 0 到 {last}）");
    }
    if m.starts_with("names no region or year") {
        return "未写明地区或年份，请填写地区和年份".into();
    }
    if m.starts_with("every chosen figure is already a target") {
        return "所选指标都已是该地区该年度的目标".into();
    }
    if m.contains("no certificate is required; name the certificates too") {
        return "设置了证书有效日期，但没有指定所需证书".into();
    }
    if m.starts_with("counts enterprises (家) but the unit is") {
        return "该统计口径按企业家数计，单位应为“家”；或不选统计口径".into();
    }
    if m.starts_with("passwords do not match") {
        return "两次输入的密码不一致".into();
    }
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::zh_message;

    #[test]
    fn known_shapes_are_said_in_chinese_with_their_numbers() {
        assert_eq!(
            zh_message("is 240 characters long; shorten it to at most 200"),
            "当前 240 个字，请缩短到 200 个字以内"
        );
        assert_eq!(
            zh_message("has a wrong check character `X` (expected `Y`)"),
            "校验位错误：为 X，按 GB 32100-2015 应为 Y"
        );
        assert_eq!(
            zh_message(
                "统一社会信用代码 `91310000MA1K00003X` has a wrong check character `X` (expected `Y`)"
            ),
            "统一社会信用代码 91310000MA1K00003X：校验位错误：为 X，按 GB 32100-2015 应为 Y"
        );
        assert_eq!(
            zh_message("must be 18 characters, found 17"),
            "统一社会信用代码应为 18 位，当前为 17 位"
        );
    }

    #[test]
    fn policy_and_target_messages_are_said_in_chinese() {
        assert_eq!(zh_message("`abc` is not a number"), "须为数字");
        assert_eq!(
            zh_message("`博士后` is not a certificate; choose from 科技型中小企业、高新技术企业"),
            "“博士后”不是可选的证书，请从以下选择：科技型中小企业、高新技术企业"
        );
        assert_eq!(
            zh_message("is 150; give a percentage between 0 and 100"),
            "须为 0 到 100 之间的百分比"
        );
        assert!(
            zh_message(
                "counts enterprises (家) but the unit is `元`; leave the metric out or fix the unit"
            )
            .contains("家")
        );
    }

    #[test]
    fn listing_and_account_messages_are_said_in_chinese() {
        assert_eq!(
            zh_message("`H01Q` is not an IPC class; write it like `H01M 10/613` or `G06N`"),
            "“H01Q”不是有效的 IPC 分类号，请写成 H01M 10/613 或 G06N 的形式"
        );
        assert_eq!(
            zh_message(
                "(2026-05-01) is before apply_until (2026-06-30); deliverables cannot be due before applications close"
            ),
            "完成期限 2026-05-01 早于揭榜截止日期 2026-06-30：交付不能早于揭榜截止"
        );
        for m in [
            "(2026-01-01) is before apply_from (2026-02-01); the application window must end after it opens",
            "(2026-01-01) is before apply_from (2026-02-01); the window must end after it opens",
        ] {
            assert_eq!(
                zh_message(m),
                "截止日期 2026-01-01 早于开始日期 2026-02-01，请修改其一"
            );
        }
        assert_eq!(
            zh_message("`awarded` applies to challenges only; use draft, open or closed"),
            "“已揭榜”仅适用于揭榜挂帅，请选择草稿、开放或已关闭"
        );
        assert_eq!(
            zh_message("no organisation has the credit code `91310000MA1K00003X`"),
            "没有统一社会信用代码为 91310000MA1K00003X 的机构，请核对或先创建该机构"
        );
        for m in [
            "must be a finite number",
            "is required: give the value to reach",
            "is required: give the unit of the target (e.g. Wh/kg, %)",
            "is required for a member account: name the organisation the person acts for",
            "choose one of the listed kinds",
            "choose a role",
            "(2020-01-01) is before issued_on (2021-01-01); a certificate must expire after it is issued",
            "is not a valid target (invalid type)",
            "`x` is not a year",
            "`x` is not a figure number",
            "the document has 3 figures (0 to 2)",
            "names no region or year; give `region` and `year`",
            "every chosen figure is already a target of that region and year",
            "the document states no target; choose figures by index or enter targets by hand",
            "you cannot disable your own account; ask another admin",
            "nothing to change: give `disabled` (true or false) or a new `password`",
        ] {
            let zh = zh_message(m);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !zh.contains(" is "),
                "{m} -> {zh}"
            );
        }
    }

    #[test]
    fn unknown_shapes_are_kept() {
        assert_eq!(zh_message("something new"), "something new");
    }
}
