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
        return format!("太短，至少 {n} 个字符");
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
        && let Some((n, _)) = rest.split_once(": write `name target unit`")
    {
        return format!("第 {n} 行格式应为：指标名 目标值 单位，如 能量密度 300 Wh/kg");
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
    if m.contains("the window must end after it opens") {
        return "截止日期早于开始日期".into();
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
    fn unknown_shapes_are_kept() {
        assert_eq!(zh_message("something new"), "something new");
    }
}
