// Throwaway: screenshots of /search and a listing's matches as anonymous, member and manager
// (issue #27). Waits until meaning is in use (the demo set embedded). Delete after use.
import path from "node:path";
import { start, SHOTS } from "./harness.mjs";

const h = await start();
const { base } = h;
for (let i = 0; i < 1800; i++) {
  const s = await (await fetch(`${base}/api/v1/search/status`)).json();
  if (s.semantic.in_use) break;
  if (i % 60 === 0) console.log("semantic", JSON.stringify(s.semantic));
  await new Promise((r) => setTimeout(r, 1000));
}
const shot = async (page, name) => {
  await page.screenshot({ path: path.join(SHOTS, `trust-${name}.png`), fullPage: true });
  console.log("shot", name, page.url());
};
const anon = await h.newPage();
await anon.goto(`${base}/search?q=${encodeURIComponent("火星移民签证")}`);
await shot(anon, "anon-search-nonsense");
await anon.goto(`${base}/search?q=${encodeURIComponent("锂电池正极材料循环后容量衰减快，希望提高容量保持率")}`);
await shot(anon, "anon-search-demand");
await anon.goto(`${base}/demands/601`);
await shot(anon, "anon-demand-601");

const member = await h.signedIn("enterprise", "qiao-demo-member");
await member.goto(`${base}/post/demand`);
await member.fill("#f-title", "注塑外壳缩痕、银纹，良品率上不去");
await member.fill("#f-description", "我们是松江的一家注塑厂。注塑外壳缩痕、银纹，良品率上不去，希望找到改善工艺或材料。");
await member.click("#submit-listing");
await member.waitForURL(/\/demands\/\d+$/);
await shot(member, "member-fresh-demand");
await member.goto(`${base}/achievements/413`);
await shot(member, "member-achievement-413");

const manager = await h.signedIn("manager", "qiao-demo-manager");
await manager.goto(`${base}/demands/601`);
await shot(manager, "manager-demand-601");
await manager.goto(`${base}/search?q=${encodeURIComponent("相变材料 电池热管理")}`);
await shot(manager, "manager-search-terms");
const api = await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent("火星移民签证")}`)).json();
console.log("api nonsense strong", api.strong, api.hits.slice(0, 3).map((x) => [x.title, x.strength, x.reasons.map((r) => r.text)]));
const m = await (await fetch(`${base}/api/v1/demands/601/matches`)).json();
console.log("601 strong", m.strong, m.hits.map((x) => [x.id, x.owner_org_id, x.strength, x.reasons.map((r) => r.text).join("|")]));
await h.stop();
