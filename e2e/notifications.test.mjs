// Notifications (issue #26), in a real browser against `qiao serve --demo`: a new enterprise
// (member A) asks the demo enterprise (member B) for contact on its achievement; B sees the
// unread count in the header of every page, opens /inbox, follows the notification to the
// request and accepts it there; A then finds the decision in its own inbox. B also follows a
// challenge and saves notification settings and contact details. Screenshots of the header
// badge, /inbox and the settings page land in e2e/screenshots (or $QIAO_SHOTS).
//
// Alone: cargo build --bin qiao && QIAO_BIN=$CARGO_TARGET_DIR/debug/qiao node --test e2e/notifications.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { start, SHOTS } from "./harness.mjs";

let qiao;
const shots = process.env.QIAO_SHOTS ?? SHOTS;

before(async () => {
  qiao = await start();
  mkdirSync(shots, { recursive: true });
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

const ACHIEVEMENT = "一种铝掺杂镍钴锰三元正极材料前驱体及其制备方法和应用";

/** The unread count in the header (0 when no badge shows). */
async function badge(page) {
  const count = page.locator("#unread-count");
  return (await count.count()) === 0 ? 0 : Number(await count.textContent());
}

test("a contact request and its decision reach both sides' inboxes", async () => {
  const { base } = qiao;
  const owner = await qiao.signedIn("enterprise", "qiao-demo-member");
  const before = await badge(owner);

  // Member A registers and asks for contact.
  const buyer = await qiao.newPage();
  await buyer.goto(`${base}/register`);
  await buyer.fill("#f-name", "浦东储能材料有限公司");
  await buyer.selectOption("#f-kind", "enterprise");
  await buyer.fill("#f-credit_code", creditCode("91310115MA1E3T00K"));
  await buyer.fill("#f-district", "浦东新区");
  await buyer.fill("#f-username", "pudongstorage");
  await buyer.fill("#f-password", "pudongstorage-password");
  await buyer.fill("#f-password2", "pudongstorage-password");
  await buyer.click("#register-submit");
  await buyer.waitForURL(`${base}/workspace`);
  assert.equal(await badge(buyer), 0);
  await buyer.goto(`${base}/search?q=${encodeURIComponent("铝掺杂镍钴锰三元正极材料前驱体")}`);
  await buyer.click(`#hits a:has-text('${ACHIEVEMENT}')`);
  await buyer.waitForURL(/\/achievements\/\d+$/);
  await buyer.fill("#message", "我们希望将该前驱体工艺用于储能电池，想了解许可条件。");
  await buyer.click("#request-contact");
  await buyer.waitForSelector("#request-state");

  // Member B sees the count on any page, here the home page.
  await owner.goto(`${base}/`);
  assert.equal(await badge(owner), before + 1);
  await owner.locator("header.top").screenshot({ path: path.join(shots, "notifications-header-badge.png") });

  // B opens the inbox: the newest notification names the achievement, unread.
  await owner.click("#inbox-link");
  await owner.waitForURL(`${base}/inbox`);
  const item = owner.locator("#inbox-list > li").first();
  assert.match(await item.textContent(), new RegExp(ACHIEVEMENT));
  assert.match(await item.getAttribute("class"), /unread/);
  await owner.screenshot({ path: path.join(shots, "notifications-inbox.png"), fullPage: true });

  // Following it marks it read and lands on the request, which B accepts there.
  await item.locator("button.open-notification").click();
  await owner.waitForURL(/\/requests\/\d+$/);
  assert.match(await owner.textContent("#request-status"), /待处理/);
  assert.equal(await badge(owner), before);
  await owner.click("#accept-request");
  await owner.waitForURL(/\/workspace/);

  // A sees the decision: the badge, then the inbox, then the request.
  await buyer.goto(`${base}/workspace`);
  assert.equal(await badge(buyer), 1);
  await buyer.click("#inbox-link");
  const decision = buyer.locator("#inbox-list > li").first();
  assert.match(await decision.textContent(), /已接受/);
  await buyer.click("#read-all");
  await buyer.waitForURL(`${base}/inbox`);
  assert.equal(await badge(buyer), 0);
  assert.match(await buyer.locator("#inbox-list > li").first().getAttribute("class"), /\bread\b/);

  // B's settings: contact details (a bad address is refused next to its field, the text kept)
  // and the kinds; a switched-off kind stays off.
  await owner.goto(`${base}/account`);
  await owner.fill("#email", "li@ex ample");
  await owner.click("#save-contact");
  await owner.waitForSelector("#email-error");
  assert.equal(await owner.inputValue("#email"), "li@ex ample");
  await owner.fill("#email", "contact@lineng-battery.example.com");
  await owner.fill("#phone", "021-5555 3005");
  await owner.click("#save-contact");
  await owner.waitForSelector("#saved");
  assert.equal(await owner.inputValue("#email"), "contact@lineng-battery.example.com");
  await owner.uncheck("#email-message");
  await owner.click("#save-preferences");
  await owner.waitForSelector("#saved");
  assert.equal(await owner.isChecked("#email-message"), false);
  assert.equal(await owner.isChecked("#in_app-message"), true);
  await owner.screenshot({ path: path.join(shots, "notifications-settings.png"), fullPage: true });

  // Following a challenge from its page.
  await buyer.goto(`${base}/challenges`);
  await buyer.locator("main a[href^='/challenges/']").first().click();
  await buyer.waitForURL(/\/challenges\/\d+$/);
  await buyer.click("#follow");
  await buyer.waitForSelector("#unfollow");
});
