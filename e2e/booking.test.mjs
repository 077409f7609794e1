// Instrument booking with 创新券 (issue #26 point 5), in a real browser against
// `qiao serve --demo`: a new testing centre registers, posts an instrument and offers a weekly
// series of slots (a series too long is refused beside its field first) and one single slot;
// the demo enterprise, which holds the demo voucher, books the single slot from the
// instrument's page with 400 yuan paid by the voucher (a voucher amount above the price is
// refused beside its field first); the centre declines without a reason (refused), then
// confirms; the enterprise's 我的预约 shows it confirmed; staff's voucher page shows the
// spent amount. Screenshots as owner, requester, staff and anonymous land in e2e/screenshots
// (booking-*.png).
//
// Alone: cargo build --bin qiao && QIAO_BIN=$CARGO_TARGET_DIR/debug/qiao node --test e2e/booking.test.mjs

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

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `booking-${name}.png`), fullPage: true });

/** `YYYY-MM-DD` of China Standard Time, `days` from today. */
function cstDay(days) {
  return new Date(Date.now() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);
}

test("an owner offers slots, an enterprise books one with a voucher, the owner confirms, staff see it spent", async () => {
  const { base } = qiao;

  // Staff: the demo voucher, 900 yuan already spent by the demo booking.
  const staff = await qiao.signedIn("staff", "qiao-demo-staff");
  await staff.goto(`${base}/vouchers`);
  assert.match(await staff.textContent("#total-spent"), /900\.00元/);

  // A testing centre registers and posts an instrument.
  const owner = await qiao.newPage();
  await owner.goto(`${base}/register`);
  await owner.fill("#f-name", "闵行分析测试中心");
  await owner.selectOption("#f-kind", "service_institution");
  await owner.fill("#f-credit_code", creditCode("12310112MA1E2E00B"));
  await owner.fill("#f-district", "闵行区");
  await owner.fill("#f-username", "testlab");
  await owner.fill("#f-password", "testlab-password");
  await owner.fill("#f-password2", "testlab-password");
  await owner.click("#register-submit");
  await owner.waitForURL(`${base}/workspace`);
  await owner.goto(`${base}/post/instrument`);
  await owner.fill("#f-title", "激光粒度分析仪");
  await owner.fill("#f-description", "用于粉体、浆料和乳液的粒径分布测试，量程 0.01–3500 μm。");
  await owner.click("#submit-listing");
  await owner.waitForURL(/\/instruments\/\d+$/);
  const instrumentUrl = owner.url();
  assert.match(await owner.textContent("#slots-panel"), /暂无即将开放的时段/);

  // A weekly series too long is refused beside its field, what was ticked kept.
  await owner.click("#manage-slots");
  await owner.fill("#weekly-from", cstDay(1));
  await owner.check("#weekly-form input[name=weekdays][value='1']");
  await owner.check("#weekly-form input[name=weekdays][value='3']");
  await owner.check("#weekly-form input[name=weekdays][value='5']");
  await owner.fill("#weekly-start_time", "09:00");
  await owner.fill("#weekly-end_time", "12:00");
  await owner.fill("#weekly-weeks", "80");
  await owner.fill("#weekly-price", "500");
  await owner.click("#add-weekly");
  assert.match(await owner.textContent("#weekly-form"), /(共 240 项|须在 1 到 52 之间)/);
  assert.ok(await owner.isChecked("#weekly-form input[name=weekdays][value='3']"));
  await owner.fill("#weekly-weeks", "3");
  await owner.click("#add-weekly");
  await owner.waitForURL(/\/slots#slots$/);
  assert.equal(await owner.locator("#slots tr[id^=slot-]").count(), 9);
  // One more slot, the afternoon of the day after tomorrow.
  await owner.fill("#one-starts_at", `${cstDay(2)}T14:00`);
  await owner.fill("#one-ends_at", `${cstDay(2)}T17:00`);
  await owner.fill("#one-price", "1200");
  await owner.click("#add-one-slot");
  await owner.waitForURL(/\/slots#slots$/);
  assert.equal(await owner.locator("#slots tr[id^=slot-]").count(), 10);

  // Anonymous visitors see the slots and are asked to sign in.
  const anon = await qiao.newPage();
  await anon.goto(instrumentUrl);
  assert.match(await anon.textContent("#slots-panel"), /1,200\.00元/);
  assert.equal(await anon.locator("#book-form").count(), 0);
  assert.ok(await anon.isVisible("#login-to-book"));
  await shot(anon, "anonymous-instrument");

  // The demo enterprise books the 1,200-yuan slot with its voucher.
  const requester = await qiao.signedIn("enterprise", "qiao-demo-member");
  await requester.goto(instrumentUrl);
  const option = requester.locator("#f-slot_id option", { hasText: "1,200.00元" });
  const slotId = await option.getAttribute("value");
  await requester.selectOption("#f-slot_id", slotId);
  await requester.fill("#f-purpose", "正极前驱体粉体粒径分布（8 个样品）");
  const voucherId = await requester.locator("#f-voucher_id option", { hasText: "MH-CXQ-2026-0001" }).getAttribute("value");
  await requester.selectOption("#f-voucher_id", voucherId);
  await requester.fill("#f-voucher_amount", "1300");
  await requester.click("#book");
  assert.match(await requester.textContent("#error-voucher_amount"), /超过该时段价格 1200\.00 元/);
  assert.equal(await requester.inputValue("#f-purpose"), "正极前驱体粉体粒径分布（8 个样品）");
  await shot(requester, "requester-refused");
  await requester.selectOption("#f-slot_id", slotId);
  await requester.fill("#f-voucher_amount", "400");
  await requester.click("#book");
  await requester.waitForURL(/\/bookings#booking-\d+$/);
  const row = requester.locator("#bookings tr", { hasText: "激光粒度分析仪" });
  assert.match(await row.textContent(), /待确认/);
  assert.match(await row.textContent(), /MH-CXQ-2026-0001 · 400\.00元/);
  await requester.goto(instrumentUrl);
  await shot(requester, "requester-instrument");

  // The owner hears of it: a count in the top bar, and the inbox links to the booking's row.
  await owner.goto(`${base}/`);
  assert.equal(await owner.textContent("#unread-count"), "1");
  await owner.goto(`${base}/inbox`);
  const notice = owner.locator("#inbox-list li", { hasText: "激光粒度分析仪" });
  assert.match(await notice.textContent(), /预约了《激光粒度分析仪》/);
  await shot(owner, "owner-inbox");
  await notice.locator("button.open-notification").click();
  await owner.waitForURL(/\/bookings\/manage#booking-\d+$/);

  // The owner: a decline without a reason is refused beside it; then confirmed.
  await owner.goto(`${base}/bookings/manage`);
  const incoming = owner.locator("#bookings tr", { hasText: "上海砺能动力电池有限公司" });
  await incoming.locator("button.decline-booking").click();
  assert.match(await owner.textContent("#bookings"), /不能为空|请填写/);
  await shot(owner, "owner-manage-refused");
  await owner.locator("#bookings tr", { hasText: "上海砺能动力电池有限公司" }).locator("button.confirm-booking").click();
  await owner.waitForURL(/\/bookings\/manage#booking-\d+$/);
  assert.match(await owner.locator("#bookings tr", { hasText: "上海砺能动力电池有限公司" }).textContent(), /已确认/);
  await shot(owner, "owner-manage");
  await owner.goto(instrumentUrl);
  await shot(owner, "owner-instrument");

  // The requester hears of the confirmation; 我的预约 shows it confirmed; staff see 900 + 400
  // spent.
  await requester.goto(`${base}/inbox`);
  assert.match(await requester.textContent("#inbox-list"), /您对《激光粒度分析仪》（.*）的预约已确认/);
  await shot(requester, "requester-inbox");
  await requester.goto(`${base}/bookings`);
  assert.match(await requester.locator("#bookings tr", { hasText: "激光粒度分析仪" }).textContent(), /已确认/);
  await shot(requester, "requester-bookings");
  await staff.goto(`${base}/vouchers`);
  assert.match(await staff.textContent("#total-spent"), /1,300\.00元/);
  assert.match(await staff.textContent("#vouchers"), /48,700\.00元/);
  await shot(staff, "staff-vouchers");
  await staff.goto(instrumentUrl);
  await shot(staff, "staff-instrument");
});
