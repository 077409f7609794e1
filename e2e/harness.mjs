// What every browser test needs: `qiao serve --demo` on a fresh data directory, search caught
// up, Debian's chromium through playwright-core, and pages that fail the test on a dialog (stored
// script that ran) or on any request leaving the server (the machines are offline).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.QIAO_BIN ?? path.join(here, "..", "target", "debug", "qiao");
export const SHOTS = path.join(here, "screenshots");

/** Starts the demo platform and a browser; `stop()` ends both and removes the data. */
export async function start() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "qiao-e2e-"));
  mkdirSync(SHOTS, { recursive: true });
  const server = spawn(BIN, ["serve", "--demo", "--data-dir", dataDir, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`qiao did not start: ${out}`)), 120_000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[0-9.:]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`qiao exited with ${code}: ${out}`)));
  });
  // The demo set is indexed in the background; wait until search has caught up.
  for (let i = 0; i < 600; i++) {
    const status = await (await fetch(`${base}/api/v1/search/status`)).json();
    if (status.up_to_date && status.documents > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: process.env.QIAO_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });

  /** A fresh browser context whose page fails the test on a dialog or an outside request. */
  async function newPage() {
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", async (d) => {
      await d.dismiss();
      assert.fail(`a dialog opened: stored script ran (${d.message()})`);
    });
    page.on("request", (req) => {
      assert.ok(req.url().startsWith(base), `request to ${req.url()} leaves the server`);
    });
    return page;
  }

  /** A page signed in as a demo account. */
  async function signedIn(username, password) {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", username);
    await page.fill("#password", password);
    await page.click("#login-submit");
    await page.waitForURL(`${base}/workspace`);
    return page;
  }

  async function stop() {
    await browser?.close();
    server?.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { base, browser, newPage, signedIn, stop };
}
