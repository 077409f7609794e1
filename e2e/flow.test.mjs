// Qiao in a real browser: Debian's chromium, driven by playwright-core, against the real
// `qiao serve --demo` on a fresh data directory. A new user registers, posts a demand, sees
// its matches with reasons, asks a match's owner for contact; the owner (the demo enterprise)
// accepts in its workspace; the requester then sees the contact. Screenshots of the main
// pages land in e2e/screenshots (not committed). An admin imports a policy document through
// the upload form, publishes it, and finds it by searching in the other script.
//
// Run by scripts/test; alone: QIAO_BIN=target/debug/qiao node --test e2e/

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { start, SHOTS } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

let qiao;
let base;
const newPage = () => qiao.newPage();

/** A valid 统一社会信用代码 (GB 32100-2015) ending the 17 given characters with its check character. */
function creditCode(first17) {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += chars.indexOf(first17[i]) * weights[i];
  return first17 + chars[(31 - (sum % 31)) % 31];
}

before(async () => {
  qiao = await start();
  base = qiao.base;
});

after(async () => {
  await qiao?.stop();
});

test("a new user registers, posts a demand, requests contact; the owner accepts; the contact shows", async () => {
  const requester = await newPage();
  await requester.goto(`${base}/`);
  await requester.screenshot({ path: path.join(SHOTS, "home.png"), fullPage: true });

  // Register an organisation and its first account.
  await requester.goto(`${base}/register`);
  await requester.fill("#f-name", "浦江新材料科技有限公司");
  await requester.selectOption("#f-kind", "enterprise");
  await requester.fill("#f-credit_code", "91310112MA1E2E00A"); // a wrong check character first
  await requester.fill("#f-district", "闵行区");
  await requester.fill("#f-username", "pujiang");
  await requester.fill("#f-display_name", "浦江新材料 张工");
  await requester.fill("#f-password", "pujiang-password");
  await requester.fill("#f-password2", "pujiang-password");
  await requester.click("#register-submit");
  assert.match(await requester.textContent("#error-credit_code"), /统一社会信用代码/);
  assert.equal(await requester.inputValue("#f-name"), "浦江新材料科技有限公司", "typed values survive");
  await requester.screenshot({ path: path.join(SHOTS, "register-error.png"), fullPage: true });
  await requester.fill("#f-credit_code", creditCode("91310112MA1E2E00A"));
  await requester.fill("#f-password", "pujiang-password");
  await requester.fill("#f-password2", "pujiang-password");
  await requester.click("#register-submit");
  await requester.waitForURL(`${base}/workspace`);

  // Post a demand; its page lists matches, each with reasons.
  await requester.goto(`${base}/post/demand`);
  await requester.fill("#f-title", "三元正极材料容量保持率提升");
  await requester.fill("#f-description", "高镍三元正极材料循环后容量衰减快，希望通过铝掺杂前驱体等方法提高容量保持率。");
  await requester.fill("#f-keywords", "三元正极，前驱体，掺杂");
  await requester.fill("#f-budget_max_yuan", "80万");
  await requester.click("#submit-listing");
  await requester.waitForURL(/\/demands\/\d+$/);
  assert.equal((await requester.textContent("#listing-title")).trim(), "三元正极材料容量保持率提升");
  const matches = requester.locator("#matches > li");
  assert.ok((await matches.count()) > 0, "the demand has matches");
  assert.match(await matches.first().textContent(), /匹配理由/);
  await requester.screenshot({ path: path.join(SHOTS, "demand-matches.png"), fullPage: true });

  // Open the demo enterprise's achievement among the matches and ask for contact.
  await requester.click("#matches a:has-text('铝掺杂镍钴锰三元正极材料前驱体')");
  await requester.waitForURL(/\/achievements\/\d+$/);
  const achievementUrl = requester.url();
  assert.ok(!(await requester.content()).includes("contact@lineng-battery.example.com"), "contact hidden before acceptance");
  await requester.fill("#message", "我们是正极材料企业，想了解该专利的许可条件和量产验证情况。");
  await requester.click("#request-contact");
  await requester.waitForSelector("#request-state");
  assert.match(await requester.textContent("#request-state"), /待处理/);
  await requester.screenshot({ path: path.join(SHOTS, "contact-requested.png"), fullPage: true });

  // The owner, the demo enterprise, accepts in its workspace.
  const owner = await newPage();
  await owner.goto(`${base}/login`);
  await owner.fill("#username", "enterprise");
  await owner.fill("#password", "qiao-demo-member");
  await owner.click("#login-submit");
  await owner.waitForURL(`${base}/workspace`);
  const received = owner.locator("#received-list > li", { hasText: "我们是正极材料企业" });
  assert.equal(await received.count(), 1, "the request reached the owner's inbox");
  await owner.screenshot({ path: path.join(SHOTS, "workspace-inbox.png"), fullPage: true });
  await received.locator("button.accept").click();
  await owner.waitForURL(/\/workspace/);
  assert.match(await owner.locator("#received-list > li", { hasText: "我们是正极材料企业" }).textContent(), /已同意/);

  // The requester now sees the contact details.
  await requester.goto(achievementUrl);
  assert.match(await requester.textContent("#contact"), /contact@lineng-battery\.example\.com/);
  await requester.screenshot({ path: path.join(SHOTS, "contact-shown.png"), fullPage: true });
  await requester.goto(`${base}/workspace`);
  assert.match(await requester.textContent("#sent-list"), /已同意/);
});

test("stored script stays inert in the browser, in both languages", async () => {
  const page = await newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", "enterprise");
  await page.fill("#password", "qiao-demo-member");
  await page.click("#login-submit");
  await page.waitForURL(`${base}/workspace`);
  await page.goto(`${base}/post/demand`);
  const evil = `<img src=x onerror="alert('xss')"><script>alert('xss')</script>散热`;
  await page.fill("#f-title", evil);
  await page.fill("#f-description", evil);
  await page.click("#submit-listing");
  await page.waitForURL(/\/demands\/\d+$/);
  assert.equal((await page.textContent("#listing-title")).trim(), evil, "shown as text");
  await page.goto(`${base}/search?q=${encodeURIComponent("散热 <script>")}`);
  await page.goto(`${base}/workspace`);
  await page.click("a[lang='en']");
  assert.match(await page.textContent("h1"), /My workspace/);
  await page.goto(`${base}/`);
  await page.screenshot({ path: path.join(SHOTS, "home-en.png"), fullPage: true });
});

test("the main pages render for screenshots", async () => {
  const page = await newPage();
  for (const [name, url] of [
    ["search", `/search?q=${encodeURIComponent("人工智慧 資料庫")}`],
    ["challenges", "/challenges"],
    ["resources", "/resources"],
    ["organisation", "/orgs/4"],
  ]) {
    const res = await page.goto(`${base}${url}`);
    assert.equal(res.status(), 200, url);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }
  assert.ok((await page.locator("#certificates tr").count()) >= 1);
  // Admin pages: accounts and the audit log, which names who changed what.
  await page.goto(`${base}/login`);
  await page.fill("#username", "admin");
  await page.fill("#password", "qiao-demo-admin");
  await page.click("#login-submit");
  await page.waitForURL(`${base}/workspace`);
  await page.goto(`${base}/admin/audit`);
  assert.match(await page.textContent("#audit"), /pujiang|enterprise/);
  await page.screenshot({ path: path.join(SHOTS, "audit.png"), fullPage: true });
});

test("an admin imports a policy document through the form and finds it in the other script", async () => {
  const page = await newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", "admin");
  await page.fill("#password", "qiao-demo-admin");
  await page.click("#login-submit");
  await page.waitForURL(`${base}/workspace`);
  await page.click("header nav a[href='/documents']");
  await page.waitForURL(`${base}/documents`);

  // A real crawled page (simplified script, 闵行区科委 2023 work plan) through the upload form.
  const fixture = path.join(here, "..", "crates", "qiao-docs", "tests", "fixtures", "003_853fbbfa8443af7f.txt");
  await page.setInputFiles("#files", fixture);
  await page.click("#upload-submit");
  await page.waitForSelector("#upload-results");
  const result = await page.textContent("#upload-results");
  assert.match(result, /已导入/);
  assert.match(result, /003_853fbbfa8443af7f\.txt/);
  assert.match(await page.textContent("#documents"), /闵科委〔2023〕14号/);
  await page.screenshot({ path: path.join(SHOTS, "documents-import.png"), fullPage: true });

  // An import is a draft: anonymous visitors and search do not see it until it is published.
  const draftHref = await page.locator("#documents a", { hasText: "闵行区科委2023年工作要点" }).first().getAttribute("href");
  const anonymous = await fetch(`${base}${draftHref}`);
  assert.equal(anonymous.status, 404, "a draft is not public");
  await page.goto(`${base}${draftHref}`);
  assert.match(await page.textContent("#document-state"), /草稿/);
  await page.screenshot({ path: path.join(SHOTS, "document-draft.png"), fullPage: true });
  await page.click("#publish");
  await page.waitForURL(`${base}${draftHref}`);
  assert.equal(await page.locator("#document-state").count(), 0, "published: no draft badge");
  assert.equal((await fetch(`${base}${draftHref}`)).status, 200, "public once published");

  // 技術合同成交額 is the traditional spelling of a phrase of the simplified text.
  await page.goto(`${base}/search?q=${encodeURIComponent("技術合同成交額")}`);
  const hit = page.locator("#document-hits > li", { hasText: "闵行区科委2023年工作要点" });
  assert.equal(await hit.count(), 1, "the imported document is found across scripts");
  await page.screenshot({ path: path.join(SHOTS, "documents-search.png"), fullPage: true });
  await hit.locator("a").first().click();
  await page.waitForURL(/\/documents\/\d+$/);
  assert.match(await page.textContent("#document-title"), /闵行区科委2023年工作要点/);

  // Nothing is ticked for the reviewer: they tick the work plan's targets, which become the
  // district's 2023 targets.
  assert.equal(await page.locator("#figures input[name=figure]:checked").count(), 0);
  const targetBoxes = page.locator("#figures input[name=figure][data-target]");
  assert.ok((await targetBoxes.count()) >= 8);
  for (const box of await targetBoxes.all()) await box.check();
  await page.click("#submit-targets");
  await page.waitForURL(/\/targets\?region=/);
  const targets = await page.textContent("#targets");
  assert.match(targets, /有效期内高新技术企业/);
  assert.match(targets, /达4000家/);
  assert.match(targets, /230亿元/);
  await page.screenshot({ path: path.join(SHOTS, "targets-from-document.png"), fullPage: true });
});
