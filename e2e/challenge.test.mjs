// 揭榜挂帅 as a process (issue #26), in a real browser against `qiao serve --demo`: the board
// shows rewards and filters by reward and window; a new university registers, applies to the
// demo enterprise's challenge (a blank solution is refused beside its field first); the demo
// enterprise reviews the application, scores every criterion with comments and awards it; a
// deal opens with both parties and the challenge, without a manager, and the demo technology
// manager claims it from 我的工作台 and /deals; the applicant sees 揭榜成功 on 我的工作台 and
// the deal; the deal's two sides exchange messages, the applicant's carrying a PDF the owner
// downloads; the applicant adds a file to its application and the owner answers in the
// application's own thread; staff read the commission's challenge's review with the demo applications,
// close it and reopen it for a new round, after which the new institute may apply; an
// anonymous visitor sees the board and is asked to sign in, never an application.
// Screenshots as applicant, owner, staff and anonymous land in e2e/screenshots.
//
// Alone: cargo build --bin qiao && QIAO_BIN=$CARGO_TARGET_DIR/debug/qiao node --test e2e/challenge.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, SHOTS } from "./harness.mjs";

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

let qiao;

before(async () => {
  qiao = await start();
});

after(async () => {
  await qiao?.stop();
});

/** A valid 统一社会信用代码 (GB 32100-2015) ending the 17 given characters with its check character. */
function creditCode(first17) {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * weights[i];
  return first17 + chars[(31 - (sum % 31)) % 31];
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `challenge-${name}.png`), fullPage: true });

const CHALLENGE = "大容量储能电芯热失控早期预警";
const GOV_CHALLENGE = "闵行区揭榜挂帅：高离子电导率固态电解质";

test("an organisation applies to a challenge, the owner scores and awards it, a deal opens", async () => {
  const { base } = qiao;

  // Anonymous: the board with rewards and filters; a challenge asks them to sign in.
  const anon = await qiao.newPage();
  await anon.goto(`${base}/challenges?reward_min=${encodeURIComponent("150万")}&window=open`);
  const rows = await anon.textContent("#rows");
  assert.match(rows, /榜单金额 200万元/);
  assert.match(rows, new RegExp(CHALLENGE));
  assert.doesNotMatch(rows, /崇明盐碱滩涂/, "a 100万 reward is filtered out");
  assert.doesNotMatch(rows, /超高纯铜溅射靶材/, "an awarded challenge is not taking applications");
  await shot(anon, "anonymous-board");
  await anon.click(`#rows a:has-text('${CHALLENGE}')`);
  await anon.waitForURL(/\/challenges\/\d+$/);
  const challengeUrl = anon.url();
  assert.match(await anon.textContent("#challenge-panel"), /登录后揭榜/);
  assert.equal(await anon.locator("#apply-form").count(), 0);
  await shot(anon, "anonymous-detail");

  // A new university registers and applies.
  const applicant = await qiao.newPage();
  await applicant.goto(`${base}/register`);
  await applicant.fill("#f-name", "浦江储能安全研究院");
  await applicant.selectOption("#f-kind", "research_institute");
  await applicant.fill("#f-credit_code", creditCode("12310115MA1E2E00C"));
  await applicant.fill("#f-district", "浦东新区");
  await applicant.fill("#f-username", "pujiang");
  await applicant.fill("#f-password", "pujiang-password");
  await applicant.fill("#f-password2", "pujiang-password");
  await applicant.click("#register-submit");
  await applicant.waitForURL(`${base}/workspace`);
  await applicant.goto(challengeUrl);
  await applicant.fill("#a-team", "储能安全课题组：研究员 2 名、工程师 5 名；有 1 MWh 储能舱试验平台");
  await applicant.fill("#a-commitments", "预警提前时间 15 min\n误报率 0.3 %");
  await applicant.fill("#a-budget_yuan", "180万");
  await applicant.fill("#a-timeline", "第 3 个月样机；第 6 个月在储能电站挂网试运行");
  await applicant.click("#apply");
  // The blank solution is said beside its field; what was typed stays.
  await applicant.waitForSelector("#error-solution");
  assert.equal(await applicant.inputValue("#a-budget_yuan"), "180万");
  await shot(applicant, "applicant-form-error");
  await applicant.fill("#a-solution", "氢气与 CO 气体传感结合电芯膨胀应变监测，边缘端多信号融合算法，热失控前 15 分钟报警。<script>alert(1)</script>");
  await applicant.click("#apply");
  await applicant.waitForURL(/\/applications\/\d+$/);
  const applicationUrl = applicant.url();
  assert.match(await applicant.textContent("#application-state"), /已提交/);
  assert.match(await applicant.textContent("#proposal"), /<script>alert\(1\)<\/script>/, "shown as text");
  await shot(applicant, "applicant-submitted");

  // Anonymous visitors never see the application.
  const resp = await anon.goto(applicationUrl);
  assert.notEqual(resp.status(), 200);
  assert.doesNotMatch(await anon.content(), /氢气与 CO 气体传感/);

  // The owner reviews, scores every criterion and awards.
  const owner = await qiao.signedIn("enterprise", "qiao-demo-member");
  await owner.goto(challengeUrl);
  await owner.click("#review-link");
  await owner.waitForURL(/\/challenges\/\d+\/applications$/);
  assert.match(await owner.textContent("#applications"), /浦江储能安全研究院/);
  assert.match(await owner.textContent("#applications"), /未评分/);
  await owner.click(`#applications tr:has-text('浦江储能安全研究院') a:has-text('查看与评分')`);
  await owner.waitForURL(applicationUrl);
  const points = owner.locator("input[name^='points_']");
  const n = await points.count();
  assert.equal(n, 6, "three indicators and the three fixed criteria");
  for (let i = 0; i < n; i++) {
    await owner.fill(`#points-${i}`, String(7 + (i % 3)));
    await owner.fill(`#comment-${i}`, i === 0 ? "提前量满足要求" : "可行");
  }
  await owner.fill("#review-comment", "方案成熟，建议揭榜");
  await owner.click("#save-scores");
  await owner.waitForURL(applicationUrl);
  assert.match(await owner.textContent("#application-total"), /48\/60/);
  await owner.click("#shortlist");
  await owner.waitForURL(applicationUrl);
  assert.match(await owner.textContent("#application-state"), /入围/);
  await shot(owner, "owner-application");
  await owner.click("#award");
  await owner.waitForURL(applicationUrl);
  assert.match(await owner.textContent("#application-state"), /揭榜成功/);
  await owner.goto(challengeUrl.replace(/$/, "/applications"));
  await shot(owner, "owner-review");
  await owner.goto(applicationUrl);
  await owner.click("#deal-link");
  await owner.waitForURL(/\/deals\/\d+$/);
  const dealUrl = owner.url();
  const facts = await owner.textContent("#deal-facts");
  assert.match(facts, /浦江储能安全研究院/);
  assert.match(facts, /上海砺能动力电池有限公司/);
  assert.match(facts, /揭榜挂帅/);
  assert.match(await owner.textContent("#deal-expected"), /2,000,000/, "the reward is the expected amount");
  await shot(owner, "owner-deal");
  // The award's deal has no manager yet: the demo technology manager finds it on /deals under
  // 待认领的交易 and claims it, and then brokers it.
  const manager = await qiao.signedIn("manager", "qiao-demo-manager");
  await manager.goto(`${base}/workspace`);
  assert.match(await manager.textContent("#workbench-unclaimed"), /待认领的交易：1/);
  await manager.click("#workbench-unclaimed a");
  await manager.waitForURL(/\/deals#unclaimed$/);
  const dealId = dealUrl.match(/(\d+)$/)[1];
  assert.match(await manager.textContent(`#unclaimed-${dealId}`), new RegExp(CHALLENGE));
  await shot(manager, "manager-unclaimed");
  await manager.click(`#claim-${dealId}`);
  await manager.waitForURL(dealUrl);
  assert.match(await manager.textContent("#deal-history"), /认领/);
  assert.equal(await manager.locator("#move-stage").count(), 1, "the manager may now move it");
  await manager.goto(`${base}/deals`);
  assert.equal(await manager.locator(`#unclaimed-${dealId}`).count(), 0, "claimed: no longer listed");
  // The challenge now reads 已揭榜.
  await owner.goto(challengeUrl);
  assert.match(await owner.textContent("#window-state"), /已揭榜/);

  // The applicant sees 揭榜成功 on 我的工作台, the scores and the deal.
  await applicant.goto(`${base}/workspace`);
  assert.match(await applicant.textContent("#my-applications-list"), /揭榜成功/);
  await applicant.locator("#my-applications").scrollIntoViewIfNeeded();
  await shot(applicant, "applicant-workspace");
  await applicant.goto(applicationUrl);
  assert.match(await applicant.textContent("#score-table"), /提前量满足要求/);
  await applicant.click("#deal-link");
  await applicant.waitForURL(dealUrl);
  await shot(applicant, "applicant-deal");

  // The deal's two sides exchange messages; the applicant's carries its test report.
  await applicant.click("#deal-messages");
  await applicant.waitForURL(`${dealUrl}/messages`);
  await applicant.fill("#message-body", "附上热失控预警样机的测试报告，请查阅。");
  await applicant.setInputFiles("#message-files", [{ name: "测试报告.pdf", mimeType: "application/pdf", buffer: PDF }]);
  await applicant.click("#send-message");
  await applicant.waitForURL(/\/deals\/\d+\/messages#message-\d+$/);
  await owner.goto(`${dealUrl}/messages`);
  assert.match(await owner.textContent("#messages"), /附上热失控预警样机的测试报告/);
  const report = await owner.getAttribute("#messages a.file-link", "href");
  const download = await owner.request.get(`${base}${report}`);
  assert.equal(download.status(), 200);
  assert.equal(download.headers()["content-type"], "application/pdf");
  assert.match(download.headers()["content-disposition"], /filename\*=UTF-8''%E6%B5%8B%E8%AF%95/);
  await owner.fill("#message-body", "报告已收到，下周安排现场测试。");
  await owner.click("#send-message");
  await owner.waitForURL(/#message-\d+$/);
  await applicant.goto(`${dealUrl}/messages`);
  assert.match(await applicant.textContent("#messages"), /报告已收到/);
  await shot(applicant, "applicant-deal-messages");

  // The application's own thread and files: the applicant adds a file to its solution, the
  // owner sees it on the application page.
  await applicant.goto(applicationUrl);
  await applicant.setInputFiles("#record-file", [{ name: "方案说明.pdf", mimeType: "application/pdf", buffer: PDF }]);
  await applicant.click("#upload-record-file");
  await applicant.waitForURL(`${applicationUrl}#files`);
  await owner.goto(applicationUrl);
  assert.match(await owner.textContent("#record-files"), /方案说明\.pdf/);
  await owner.click("#application-messages");
  await owner.waitForURL(`${applicationUrl}/messages`);
  await owner.fill("#message-body", "方案说明已阅。");
  await owner.click("#send-message");
  await owner.waitForURL(/\/applications\/\d+\/messages#message-\d+$/);

  // Staff read the commission's challenge's review, with the demo applications.
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  await staff.goto(`${base}/challenges`);
  await staff.click(`#rows a:has-text('${GOV_CHALLENGE}')`);
  await staff.waitForURL(/\/challenges\/\d+$/);
  await staff.click("#review-link");
  await staff.waitForURL(/\/applications$/);
  const govReviewUrl = staff.url();
  const review = await staff.textContent("#applications");
  assert.match(review, /申江理工大学/);
  assert.match(review, /入围/);
  assert.ok(await staff.locator("#conclude-form").count(), "staff close a government's review");
  await shot(staff, "staff-review");
  // Staff read the enterprise's application but do not review it.
  await staff.goto(applicationUrl);
  assert.equal(await staff.locator("#score-form").count(), 0);
  await shot(staff, "staff-application");

  // Staff close the commission's review (both universities not chosen), then reopen it for a
  // new round: the challenge takes applications again and the new institute may apply.
  await staff.goto(govReviewUrl);
  assert.equal(await staff.locator("#reopen-form").count(), 0, "an open review is not reopened");
  await staff.fill("#conclude-reason", "本轮方案未达到离子电导率指标");
  await staff.click("#conclude");
  await staff.waitForURL(govReviewUrl);
  assert.equal((await staff.textContent("#applications")).match(/未入选/g).length, 2);
  assert.equal(await staff.locator("#conclude-form").count(), 0, "closed: nothing left to close");
  await staff.locator("#reopen-form").scrollIntoViewIfNeeded();
  await shot(staff, "staff-closed-review");
  const govUrl = govReviewUrl.replace(/\/applications$/, "");
  await applicant.goto(govUrl);
  assert.equal(await applicant.locator("#apply-form").count(), 0, "closed: no form");
  await staff.click("#reopen");
  await staff.waitForURL(govUrl);
  assert.match(await staff.textContent("#window-state"), /征集中，剩 \d+ 天/);
  await applicant.goto(govUrl);
  assert.equal(await applicant.locator("#apply-form").count(), 1, "open again: the form");
  await applicant.locator("#challenge-panel").scrollIntoViewIfNeeded();
  await shot(applicant, "applicant-reopened");
});
