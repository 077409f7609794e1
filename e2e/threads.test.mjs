// Message threads and attachments after a contact request (issue #26), in a real browser
// against `qiao serve --demo`: a new enterprise asks the demo enterprise for contact on its
// achievement and the owner accepts; both sides open the request page and see each other's
// contact details; they exchange messages, one with a PDF, which the other side downloads
// (type and headers checked: nosniff, a sandboxing CSP); a page of HTML named .png is refused
// with the text kept; a message with markup is shown as text (the harness fails the test if
// any script runs). Staff and an anonymous visitor get nothing. Screenshots of the request page
// as each side, staff and anonymous land in e2e/screenshots.
//
// Alone: cargo build --bin qiao && QIAO_BIN=$CARGO_TARGET_DIR/debug/qiao node --test e2e/threads.test.mjs

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

const ACHIEVEMENT = "一种铝掺杂镍钴锰三元正极材料前驱体及其制备方法和应用";
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

test("both sides of an accepted request see contact details and exchange messages with files", async () => {
  const { base } = qiao;

  // A new enterprise registers and asks the demo enterprise for contact.
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
  await buyer.goto(`${base}/search?q=${encodeURIComponent("铝掺杂镍钴锰三元正极材料前驱体")}`);
  await buyer.click(`#hits a:has-text('${ACHIEVEMENT}')`);
  await buyer.waitForURL(/\/achievements\/\d+$/);
  await buyer.fill("#message", "我们希望将该前驱体工艺用于储能电池，想了解许可条件。");
  await buyer.click("#request-contact");
  await buyer.waitForSelector("#request-state");

  // Before acceptance the requester's page has no thread and no contact details.
  await buyer.goto(`${base}/workspace#sent`);
  const sent = buyer.locator("#sent-list > li", { hasText: ACHIEVEMENT });
  await sent.locator("a[id^='open-request-']").click();
  await buyer.waitForURL(/\/requests\/\d+$/);
  const requestUrl = buyer.url();
  assert.ok(await buyer.isVisible("#thread-closed"));
  assert.equal(await buyer.locator("#contact-details").count(), 0);

  // The owner accepts, then opens the request page from the workspace.
  const owner = await qiao.signedIn("enterprise", "qiao-demo-member");
  const received = owner.locator("#received-list > li", { hasText: "储能电池" });
  await received.locator("button.accept").click();
  await owner.waitForURL(/\/workspace/);
  await owner.locator("#received-list > li", { hasText: "储能电池" }).locator("a[id^='open-request-']").click();
  await owner.waitForURL(requestUrl);
  assert.match(await owner.textContent("#requester-contact"), /浦东储能材料有限公司/);
  assert.match(await owner.textContent("#requester-contact"), /pudongstorage/);
  assert.match(await owner.textContent("#request-status"), /已同意/);

  // The requester now sees the owner's contact person, phone and e-mail.
  await buyer.goto(requestUrl);
  const ownerCard = await buyer.textContent("#owner-contact");
  assert.match(ownerCard, /李经理/);
  assert.match(ownerCard, /021-55553005/);
  assert.match(ownerCard, /contact@lineng-battery\.example\.com/);

  // The requester writes with a PDF; a page of HTML named .png is refused, the text kept.
  await buyer.fill("#message-body", "附上我方技术需求说明，请查阅。");
  await buyer.setInputFiles("#message-files", [
    { name: "技术需求说明.pdf", mimeType: "application/pdf", buffer: PDF },
    { name: "效果图.png", mimeType: "image/png", buffer: Buffer.from("<html><script>alert('x')</script></html>") },
  ]);
  await buyer.click("#send-message");
  await buyer.waitForSelector("#message-error");
  assert.match(await buyer.textContent("#message-error"), /html\/xml\/svg/);
  assert.equal(await buyer.inputValue("#message-body"), "附上我方技术需求说明，请查阅。");
  await buyer.setInputFiles("#message-files", [{ name: "技术需求说明.pdf", mimeType: "application/pdf", buffer: PDF }]);
  await buyer.click("#send-message");
  await buyer.waitForURL(/\/requests\/\d+#message-\d+$/);
  assert.match(await buyer.textContent("#messages"), /技术需求说明\.pdf/);

  // The owner replies with text that looks like markup: it shows as text and runs nothing.
  await owner.goto(requestUrl);
  assert.match(await owner.textContent("#messages"), /附上我方技术需求说明/);
  await owner.fill("#message-body", "收到，<img src=x onerror=alert(1)> 我们下周安排技术交流。");
  await owner.click("#send-message");
  await owner.waitForURL(/#message-\d+$/);
  assert.match(await owner.textContent("#messages"), /<img src=x onerror=alert\(1\)> 我们下周安排技术交流/);

  // The owner downloads the file: the bytes sent, with headers that keep it from running.
  const href = await owner.getAttribute("#messages a.file-link", "href");
  assert.match(href, /^\/files\/\d+$/);
  const file = await owner.request.get(`${base}${href}`);
  assert.equal(file.status(), 200);
  assert.deepEqual(Buffer.from(await file.body()), PDF);
  const h = file.headers();
  assert.equal(h["content-type"], "application/pdf");
  assert.equal(h["x-content-type-options"], "nosniff");
  assert.match(h["content-security-policy"], /sandbox/);
  assert.match(h["content-disposition"], /filename\*=UTF-8''%E6%8A%80/);
  await owner.goto(requestUrl);
  await owner.screenshot({ path: path.join(SHOTS, "thread-owner.png"), fullPage: true });
  await buyer.goto(requestUrl);
  await buyer.screenshot({ path: path.join(SHOTS, "thread-requester.png"), fullPage: true });
  // On a 390 px phone the page is no wider than the screen.
  await buyer.setViewportSize({ width: 390, height: 844 });
  await buyer.goto(requestUrl);
  const { scroll, client } = await buyer.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `the request page is ${scroll}px wide in a ${client}px window`);
  await buyer.screenshot({ path: path.join(SHOTS, "thread-requester-phone.png"), fullPage: true });
  await buyer.setViewportSize({ width: 1280, height: 900 });

  // The owner adds a drawing to the listing; the requester, whose request it accepted, sees
  // it among the listing's private details; another enterprise's member would not.
  await owner.click("#request-facts a");
  await owner.waitForURL(/\/achievements\/\d+$/);
  const listingUrl = owner.url();
  await owner.setInputFiles("#listing-file", [{ name: "工艺流程图.pdf", mimeType: "application/pdf", buffer: PDF }]);
  await owner.click("#upload-listing-file");
  await owner.waitForURL(/#files$/);
  assert.match(await owner.textContent("#listing-files"), /工艺流程图\.pdf/);
  await buyer.goto(listingUrl);
  assert.match(await buyer.textContent("#listing-files"), /工艺流程图\.pdf/);
  assert.equal(await buyer.locator("#listing-file-form").count(), 0, "only the owner uploads");
  await owner.goto(`${listingUrl}#files`);
  await owner.screenshot({ path: path.join(SHOTS, "listing-files-owner.png"), fullPage: true });

  // Staff take no part in a contact request; an anonymous visitor is asked to sign in.
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  const r = await staff.goto(requestUrl);
  assert.equal(r.status(), 404);
  assert.doesNotMatch(await staff.content(), /李经理|技术需求说明/);
  assert.equal((await staff.request.get(`${base}${href}`)).status(), 404);
  await staff.screenshot({ path: path.join(SHOTS, "thread-staff.png"), fullPage: true });
  const anon = await qiao.newPage();
  const a = await anon.goto(requestUrl);
  assert.equal(a.status(), 401);
  assert.doesNotMatch(await anon.content(), /李经理|技术需求说明/);
  assert.equal((await anon.request.get(`${base}${href}`)).status(), 401);
  await anon.goto(listingUrl);
  assert.equal(await anon.locator("#listing-files").count(), 0);
  await anon.screenshot({ path: path.join(SHOTS, "thread-anonymous.png"), fullPage: true });
});
