// Policies and targets in a real browser: commission staff write a policy with structured
// conditions and see which demo enterprises it reaches; the demo enterprise sees its own check
// condition by condition, completes its profile where data is missing, and qualifies; staff read
// the year's targets against what the certificates show. Screenshots land in e2e/screenshots.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, SHOTS } from "./harness.mjs";

let qiao;

before(async () => {
  qiao = await start();
});

after(async () => {
  await qiao?.stop();
});

test("staff write a policy; the enterprise checks itself against it, completes its profile and qualifies", async () => {
  const { base } = qiao;
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  await staff.goto(`${base}/policies/new`);
  await staff.fill("[name='title']", "闵行区研发强度专项（浏览器测试）");
  await staff.fill("[name='benefit']", "最高50万元");
  await staff.fill("[name='conditions.certificates']", "高新技术企业");
  await staff.fill("[name='conditions.districts']", "闵行区");
  await staff.fill("[name='conditions.min_rd_ratio_percent']", "百分之五");
  await staff.click("#submit-form");
  assert.equal(await staff.textContent("#error-conditions\\.min_rd_ratio_percent"), "“百分之五”不是数字");
  assert.equal(await staff.inputValue("[name='title']"), "闵行区研发强度专项（浏览器测试）", "typed values survive");
  await staff.fill("[name='conditions.min_rd_ratio_percent']", "5");
  await staff.fill("[name='conditions.min_patents']", "3");
  await staff.click("#submit-form");
  await staff.waitForURL(/\/policies\/\d+$/);
  const policyUrl = staff.url();
  const counts = await staff.textContent("#reach-counts");
  assert.match(counts, /待补充资料 1/, "the demo enterprise in 闵行区 lacks its patent count");
  await staff.screenshot({ path: path.join(SHOTS, "policy-reach.png"), fullPage: true });

  // The demo enterprise sees its own verdict, condition by condition, and what is missing.
  const member = await qiao.signedIn("enterprise", "qiao-demo-member");
  await member.goto(policyUrl);
  assert.match(await member.textContent("#own-verdict"), /待补充/);
  assert.match(await member.textContent(".checks"), /补充授权专利数/);
  await member.screenshot({ path: path.join(SHOTS, "policy-own-check.png"), fullPage: true });
  await member.click("#complete-profile");
  await member.waitForURL(/\/orgs\/\d+\/edit$/);
  await member.fill("[name='patents']", "12");
  await member.click("#submit-form");
  await member.waitForURL(/\/orgs\/\d+$/);
  assert.ok((await member.locator("#org-policies details").count()) >= 4, "every policy is checked on the profile");
  await member.goto(policyUrl);
  assert.match(await member.textContent("#own-verdict"), /符合/);
  await member.goto(`${base}/policies`);
  await member.screenshot({ path: path.join(SHOTS, "policies.png"), fullPage: true });

  // Targets: counted from the certificates in force, or as reported.
  await staff.goto(`${base}/targets`);
  const rows = staff.locator("#targets tr");
  assert.ok((await rows.count()) >= 6, "the demo targets are listed");
  // Each counted actual says what it covers: the enterprises registered on Qiao.
  assert.match(await staff.textContent("#targets"), /平台已核验 \d+ 家（.+在平台登记企业 \d+ 家）/);
  assert.ok((await staff.locator("figure.chart svg").count()) >= 1, "a chart per region");
  await staff.screenshot({ path: path.join(SHOTS, "targets.png"), fullPage: true });

  // The export is a workbook of the same rows.
  const href = await staff.getAttribute("#targets-xlsx", "href");
  const download = await staff.context().request.get(`${base}${href}`);
  assert.equal(download.status(), 200);
  assert.match(download.headers()["content-type"], /spreadsheetml/);
  assert.equal((await download.body()).subarray(0, 2).toString(), "PK", "an XLSX is a zip");

  // On a 390 px phone nothing runs off the side: rows become cards, the charts shrink.
  await staff.setViewportSize({ width: 390, height: 844 });
  await staff.goto(`${base}/targets`);
  const overflow = await staff.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 390, `the page is ${overflow} px wide`);
  const chartWidth = await staff.locator("figure.chart svg").first().evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(chartWidth > 200 && chartWidth <= 390, `the chart is ${chartWidth} px wide`);
  assert.equal(await staff.locator("#targets thead").isVisible(), false, "no table header on a phone");
  await staff.screenshot({ path: path.join(SHOTS, "targets-phone.png"), fullPage: true });
});
