// From a contact request to a registered contract that counts (issue #24), in a real browser
// against `qiao serve --demo`: staff give 闵行区 a 技术合同成交额 target counted from contracts;
// a new enterprise asks the demo enterprise (闵行区) for contact on its achievement and the
// owner accepts; the demo technology manager finds the lead on /deals, opens a deal in one
// click, moves it to 签约 and wins it, records the contract from the deal and submits it; staff
// register it (the deal follows to 登记 and 履约); the target's actual rises by exactly the
// contract's amount, and /statistics shows it. Screenshots of /deals and /statistics at desktop and 390 px phone widths land in
// e2e/screenshots; neither page is wider than the screen.
//
// Alone: cargo build --bin qiao && QIAO_BIN=$CARGO_TARGET_DIR/debug/qiao node --test e2e/deals.test.mjs

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

/** A valid 统一社会信用代码 (GB 32100-2015) ending the 17 given characters with its check character. */
function creditCode(first17) {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * weights[i];
  return first17 + chars[(31 - (sum % 31)) % 31];
}

/** Asserts the page is no wider than its viewport (nothing sticks out sideways). */
async function fitsTheScreen(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what} is ${scroll}px wide in a ${client}px window`);
}

/** Screenshots `url` at desktop width and at a 390 px phone's, checking it fits both. */
async function shoot(page, url, name) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url);
  await fitsTheScreen(page, `${name} (desktop)`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(url);
  await fitsTheScreen(page, `${name} (phone)`);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

const ACHIEVEMENT = "一种铝掺杂镍钴锰三元正极材料前驱体及其制备方法和应用";

test("a manager carries an accepted contact request to a registered contract that counts", async () => {
  const { base } = qiao;
  const year = new Date().getFullYear();
  const api = async (uri) => (await fetch(`${base}/api/v1${uri}`)).json();
  const turnoverTarget = async () => {
    const t = await api(`/targets?region=${encodeURIComponent("闵行区")}&year=${year}`);
    return t.items.find((x) => x.metric?.kind === "contract_turnover");
  };

  // Staff give 闵行区 a 成交额 target counted from registered contracts, if the demo has none.
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  if (!(await turnoverTarget())) {
    await staff.goto(`${base}/targets/new`);
    await staff.fill("#f-region", "闵行区");
    await staff.fill("#f-year", String(year));
    await staff.fill("#f-indicator", "技术合同成交额（平台登记）");
    await staff.fill("#f-value", "23000000000");
    await staff.fill("#f-unit", "元");
    await staff.fill("#f-qualifier", "达");
    await staff.selectOption("#f-metric", "contract_turnover");
    await staff.click("#submit-form");
    await staff.waitForURL(/\/targets\?/);
  }
  const target = await turnoverTarget();
  assert.ok(target, "闵行区 has a 成交额 target counted from contracts");
  const before = target.progress.actual ?? 0;
  await staff.goto(`${base}/targets?region=${encodeURIComponent("闵行区")}`);
  assert.match(await staff.textContent(`#target-${target.id}`), /份已登记技术合同统计/);

  // A new enterprise (浦东新区) registers and asks the demo enterprise for contact.
  const buyer = await qiao.newPage();
  await buyer.goto(`${base}/register`);
  await buyer.fill("#f-name", "浦东固态电池科技有限公司");
  await buyer.selectOption("#f-kind", "enterprise");
  await buyer.fill("#f-credit_code", creditCode("91310115MA1E2E00D"));
  await buyer.fill("#f-district", "浦东新区");
  await buyer.fill("#f-username", "pudongbattery");
  await buyer.fill("#f-password", "pudongbattery-password");
  await buyer.fill("#f-password2", "pudongbattery-password");
  await buyer.click("#register-submit");
  await buyer.waitForURL(`${base}/workspace`);
  await buyer.goto(`${base}/search?q=${encodeURIComponent("铝掺杂镍钴锰三元正极材料前驱体")}`);
  await buyer.click(`#hits a:has-text('${ACHIEVEMENT}')`);
  await buyer.waitForURL(/\/achievements\/\d+$/);
  await buyer.fill("#message", "我们想受让该专利用于固态电池正极，希望洽谈转让条件。");
  await buyer.click("#request-contact");
  await buyer.waitForSelector("#request-state");

  // The owner accepts.
  const owner = await qiao.signedIn("enterprise", "qiao-demo-member");
  const received = owner.locator("#received-list > li", { hasText: "希望洽谈转让条件" });
  await received.locator("button.accept").click();
  await owner.waitForURL(/\/workspace/);

  // The demo technology manager finds the lead at the top of the workspace and on /deals.
  const manager = await qiao.signedIn("manager", "qiao-demo-manager");
  assert.match(await manager.textContent("#workbench-leads"), new RegExp(ACHIEVEMENT));
  await manager.click("header nav a[href='/deals']");
  await manager.waitForURL(`${base}/deals`);
  const lead = manager.locator("#lead-list > li", { hasText: ACHIEVEMENT });
  assert.equal(await lead.count(), 1, "one lead for the accepted request");
  await lead.locator("button").click();
  await manager.waitForURL(/\/deals\/\d+$/);
  const dealUrl = manager.url();
  assert.match(await manager.textContent("#deal-state"), /对接洽谈/);
  assert.match(await manager.textContent("#deal-facts"), /上海砺能动力电池有限公司/);
  assert.match(await manager.textContent("#deal-facts"), /浦东固态电池科技有限公司/);

  // To 签约, then 成交.
  await manager.fill("#expect-amount", "86.5万");
  await manager.fill("#expect-close", `${year}-12-20`);
  await manager.click("#set-expectation");
  await manager.waitForURL(dealUrl);
  await manager.selectOption("#move-stage", "signing");
  await manager.fill("#form-move_to input[name='note']", "双方已就转让价格达成一致");
  await manager.click("#move");
  await manager.waitForURL(dealUrl);
  assert.match(await manager.textContent("#deal-state"), /签约/);
  await manager.click("#win");
  await manager.waitForURL(dealUrl);
  assert.match(await manager.textContent("#deal-state"), /成交/);
  assert.match(await manager.textContent("#deal-history"), /商务谈判|对接洽谈 → 签约/);
  await manager.screenshot({ path: path.join(SHOTS, "deal.png"), fullPage: true });

  // The contract, recorded from the deal: the parties come filled in.
  await manager.click("#record-contract");
  await manager.waitForURL(/\/contracts\/new\?deal=\d+$/);
  assert.equal(await manager.inputValue("#f-seller\\.name"), "上海砺能动力电池有限公司");
  assert.equal(await manager.inputValue("#f-buyer\\.name"), "浦东固态电池科技有限公司");
  assert.equal(await manager.inputValue("#f-buyer\\.district"), "浦东新区");
  assert.equal(await manager.inputValue("#f-amount_fen"), "865,000.00");
  await manager.fill("#f-name", "铝掺杂三元正极材料前驱体专利权转让合同");
  await manager.selectOption("#f-kind", "transfer_patent");
  await manager.selectOption("#f-field", "new_energy");
  await manager.selectOption("#f-ip_type", "invention_patent");
  // A typo first: named beside its field, in Chinese.
  await manager.fill("#f-amount_fen", "约86万");
  await manager.click("#save-contract");
  assert.match(await manager.textContent("#error-amount_fen"), /不是有效金额/);
  const amount = "865,432.10";
  await manager.fill("#f-amount_fen", amount);
  await manager.fill("#f-non_technical-0-name", "样品");
  await manager.fill("#f-non_technical-0-amount", "5万");
  await manager.fill("#f-performance_to", `${year + 1}-06-30`);
  await manager.screenshot({ path: path.join(SHOTS, "contract-form.png"), fullPage: true });
  await manager.click("#save-contract");
  await manager.waitForURL(/\/contracts\/\d+$/);
  const contractUrl = manager.url();
  assert.equal((await manager.textContent("#contract-amount")).trim(), "865,432.10 元");
  assert.equal((await manager.textContent("#contract-technical")).trim(), "815,432.10 元");
  assert.match(await manager.textContent("#findings"), /依据/);
  await manager.click("#submit-registration");
  await manager.waitForURL(contractUrl);
  assert.match(await manager.textContent("#registration-state"), /已提交/);

  // Staff register it at their registration point.
  await staff.goto(contractUrl);
  const number = `${year}310112${String(Date.now()).slice(-6)}`;
  await staff.fill("#register-number", number);
  await staff.click("#register");
  await staff.waitForURL(contractUrl);
  assert.match(await staff.textContent("#registration-state"), /已登记/);
  assert.match(await staff.textContent("#registration"), new RegExp(number));
  await staff.screenshot({ path: path.join(SHOTS, "contract.png"), fullPage: true });

  // The deal followed its contract: submitted took it to 登记, registered to 履约.
  await manager.goto(dealUrl);
  assert.match(await manager.textContent("#deal-state"), /履约/);
  assert.match(await manager.textContent("#deal-history"), /已登记/);

  // The district's target rises by exactly the contract's amount.
  const afterTarget = await turnoverTarget();
  assert.equal(Math.round((afterTarget.progress.actual - before) * 100), 86_543_210);
  await staff.goto(`${base}/targets?region=${encodeURIComponent("闵行区")}`);
  await staff.screenshot({ path: path.join(SHOTS, "targets-turnover.png"), fullPage: true });
  await staff.click(`#target-${target.id} a.statistics-link`);
  await staff.waitForURL(/\/statistics\?/);
  assert.match(await staff.textContent("#table-kind"), /技术转让（专利权）/);
  assert.match(await staff.textContent("#table-out"), /浦东新区/, "闵行区 sold to 浦东新区");

  // Screens: the board and the statistics, wide and on a phone.
  await shoot(manager, `${base}/deals`, "deals");
  await shoot(manager, `${base}/deals?view=table`, "deals-table");
  await shoot(staff, `${base}/statistics?district=${encodeURIComponent("闵行区")}`, "statistics");
  await shoot(staff, `${base}/statistics`, "statistics-platform");
  await shoot(manager, contractUrl, "contract-page");
  await shoot(manager, dealUrl, "deal-page");
  await shoot(manager, `${dealUrl.replace("/deals/", "/contracts/new?deal=")}`, "contract-form-new");
});
