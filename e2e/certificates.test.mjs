// Certificates count only once verified (issue #22): a newly registered enterprise claims
// 高新技术企业 and 领军企业 through the API; its profile shows both as 待核验 and the city's
// count of high-tech enterprises does not move. Commission staff open their verification page,
// verify the real certificate and reject the invented one; only then does the target's actual
// rise by one. Screenshots land in e2e/screenshots.

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

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test("staff verify a claimed certificate; the target's actual moves only then", async () => {
  const { base } = qiao;
  const api = async (method, uri, token, body) => {
    const res = await fetch(`${base}/api/v1${uri}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const cityHighTech = async () => {
    const t = await api("GET", `/targets?region=${encodeURIComponent("上海市")}`);
    const row = t.body.items.find((x) => x.indicator === "有效期内高新技术企业");
    assert.ok(row, "the demo has the city's high-tech target");
    return row;
  };
  const before = await cityHighTech();
  assert.equal(before.progress.pending ?? 0, 0, "the demo's certificates are verified");
  const counted = before.progress.actual;

  // A new enterprise registers in the browser, then claims two certificates through the API.
  const company = await qiao.newPage();
  await company.goto(`${base}/register`);
  await company.fill("#f-name", "申城核验测试科技有限公司");
  await company.selectOption("#f-kind", "enterprise");
  await company.fill("#f-credit_code", creditCode("91310112MA1E2E00C"));
  await company.fill("#f-district", "闵行区");
  await company.fill("#f-username", "hegu");
  await company.fill("#f-password", "hegu-password");
  await company.fill("#f-password2", "hegu-password");
  await company.click("#register-submit");
  await company.waitForURL(`${base}/workspace`);
  const token = (await api("POST", "/tokens", null, { username: "hegu", password: "hegu-password" })).body.token;
  const me = (await api("GET", "/me", token)).body;
  const claim = await api("PATCH", `/organisations/${me.org_id}`, token, {
    certificates: [
      { kind: "high_tech", number: "GR202631009999", issued_on: day(-30), expires_on: day(1000) },
      { kind: "leading", number: "GR2026FAKE", issued_on: day(-30), expires_on: day(1000) },
    ],
  });
  assert.equal(claim.status, 200, JSON.stringify(claim.body));

  // Claimed, not verified: shown as such, and not counted.
  await company.goto(`${base}/orgs/${me.org_id}`);
  const certs = await company.textContent("#certificates");
  assert.equal((certs.match(/待核验/g) ?? []).length, 2, certs);
  assert.doesNotMatch(await company.textContent("#ladder"), /✔/);
  const claimed = await cityHighTech();
  assert.equal(claimed.progress.actual, counted, "a claim does not count");
  assert.equal(claimed.progress.pending, 1);

  // Staff see the claims on their page; the target page says what awaits them.
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  await staff.goto(`${base}/targets`);
  assert.match(await staff.textContent(`#target-${claimed.id}`), /另有 1 家待核验/);
  await staff.click("nav >> text=证书核验");
  await staff.waitForURL(`${base}/certificates`);
  const rows = staff.locator("tr.pending-row[data-org='申城核验测试科技有限公司']");
  assert.equal(await rows.count(), 2);
  await staff.screenshot({ path: path.join(SHOTS, "certificates.png"), fullPage: true });

  // The invented 领军企业 is rejected with a reason; the high-tech certificate is verified.
  const leading = staff.locator("tr.pending-row[data-org='申城核验测试科技有限公司'][data-kind='leading']");
  await leading.locator("input[name='reason']").fill("领军企业名单中无此企业");
  await leading.locator("button.reject").click();
  await staff.waitForURL(/\/certificates\?done=rejected/);
  assert.equal((await cityHighTech()).progress.actual, counted, "a rejection counts nothing");
  const highTech = staff.locator("tr.pending-row[data-org='申城核验测试科技有限公司'][data-kind='high_tech']");
  assert.equal(await highTech.locator("input[name='number']").inputValue(), "GR202631009999");
  await highTech.locator("button.verify").click();
  await staff.waitForURL(/\/certificates\?done=verified/);
  assert.match(await staff.textContent("#done"), /申城核验测试科技有限公司/);
  assert.equal(await staff.locator("tr.pending-row[data-org='申城核验测试科技有限公司']").count(), 0);

  // Only now does the target's actual move, by one.
  const after = await cityHighTech();
  assert.equal(after.progress.actual, counted + 1);
  await staff.goto(`${base}/targets`);
  assert.doesNotMatch(await staff.textContent(`#target-${after.id}`), /待核验/);
  await company.goto(`${base}/orgs/${me.org_id}`);
  const shown = await company.textContent("#certificates");
  assert.match(shown, /已核验（staff，/);
  assert.match(shown, /驳回：领军企业名单中无此企业/);
  assert.match(await company.textContent("#ladder"), /✔ 高新技术企业/);
  await company.screenshot({ path: path.join(SHOTS, "org-verified.png"), fullPage: true });
});
