// The route planning screen in real headless Chromium against the real server: jobs from a
// CSV file (a bad row shown with its problem, then dropped), two vehicles picked from the
// fleet starting at their depot, solved by the server's own solver in a second, routes drawn
// on the map and a table per route; a stop dragged to the other route is checked by the
// server, saved with the plan's version; the list counts the plan's unassigned jobs. Nothing
// overflows at 1366 px nor on a phone, and axe-core finds no violations.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { request } from "playwright-core";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 20_000;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DEPOT = { latitude: 60.1699, longitude: 24.9384 }; // Helsinki
const CSV = [
  "id;name;lat;lon;demand;service_min;window_start;window_end",
  "J1;Bakery North;60,1750;24,9500;1;5;08:00;16:00",
  "J2;Corner Cafe;60,1800;24,9600;1;5;08:00;16:00",
  "J3;Harbour Deli;60,1650;24,9700;1;5;08:00;16:00",
  "J4;Market Hall;60,1600;24,9300;1;5;08:00;16:00",
  "J5;Fish Shop;60,1720;24,9200;1;5;08:00;16:00",
  "J6;Broken row;north;24,9200;1;5;08:00;16:00",
].join("\n");
// the seeded fleet's vehicles in the North depot (every fifth)
const VANS = ["AC-0005", "AC-0010"];
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

async function placeTheDepot() {
  const http = await request.newContext({ baseURL: server.base_url });
  const login = await http.post("/api/v1/auth/login", { data: { email: server.a.email, password: server.password } });
  assert.equal(login.status(), 200);
  const headers = { "X-CSRF-Token": (await login.json()).csrf_token };
  const answer = await http.patch(`/api/v1/groups/${server.a.group.id}`, { data: DEPOT, headers });
  assert.ok(answer.ok(), `${answer.status()} ${await answer.text()}`);
  await http.dispose();
}

async function assertAccessible(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, []);
}

async function assertNoOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: the page is ${overflow} px wider than the window`);
}

/** HTML5 drag and drop as the browser fires it (one DataTransfer from dragstart to drop):
 * Playwright's mouse drag does not start a native drag in headless Chromium. */
async function drag(source, target) {
  const from = await source.elementHandle();
  await target.evaluate((to, start) => {
    const data = new DataTransfer();
    const fire = (element, type) =>
      element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    fire(start, "dragstart");
    fire(to, "dragenter");
    fire(to, "dragover");
    fire(to, "drop");
    fire(start, "dragend");
  }, from);
}

/** The route (by its vehicle) whose table holds the job. */
async function routeOf(page, jobId) {
  return page.locator(`section.rp-route:has(tr[data-job="${jobId}"]) h2`).first().innerText();
}

describe("route plans", () => {
  test("plan from a CSV, solve, move a stop to the other route, save", async () => {
    await placeTheDepot();
    const { page, context, problems } = await openPage(browser, {
      timeout: TIMEOUT,
      bypassCSP: true,
      viewport: { width: 1366, height: 768 },
    });
    await logIn(page, server.base_url, server.a.email, server.password, "/route-plans/new");
    await page.getByRole("heading", { name: "New route plan" }).waitFor();

    await page.getByLabel("CSV file of jobs").setInputFiles({ name: "jobs.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    const fileProblems = page.locator(".rp-problems");
    await fileProblems.getByText(/Row 7/).waitFor();
    await fileProblems.getByRole("button", { name: /Drop the 1 row/ }).click();
    await page.getByText("5 jobs read").waitFor();

    await page.getByLabel("Name", { exact: true }).fill("E2E morning round");
    await page.getByLabel("Time limit (seconds)").fill("1");
    for (const van of VANS) {
      await page.getByLabel("Find vehicles").fill(van);
      await page.getByRole("checkbox", { name: new RegExp(van) }).check();
    }
    await page.getByLabel("Find vehicles").fill("");
    await assertNoOverflow(page, "new plan at 1366 px");
    await page.getByRole("button", { name: /^Solve 5 jobs with 2 vehicles/ }).click();

    await page.waitForURL(/\/route-plans\/[0-9a-f-]{36}$/);
    const planUrl = page.url();
    await page.locator("section.rp-route").first().waitFor({ timeout: 30_000 });
    await page.locator(".rp-map .maplibregl-canvas").waitFor();
    await page.locator(".rp-stop-marker").first().waitFor();
    const mapBox = await page.locator(".rp-map").boundingBox();
    const canvasBox = await page.locator(".rp-map .maplibregl-canvas").boundingBox();
    assert.ok(canvasBox.height <= mapBox.height + 1, "the map stays in its box, the tables below it");
    assert.equal(await page.locator("section.rp-route").count(), 2);
    assert.equal(await page.locator("section.rp-route tbody tr").count(), 5, "every job on a route");
    await assertNoOverflow(page, "solved plan at 1366 px");
    await screenshot(page, "routeplans-solved");

    // drag J1 onto the other route's table
    const from = await routeOf(page, "J1");
    const other = page.locator("section.rp-route").filter({ hasNotText: from.split("·")[0].trim() }).first();
    const to = (await other.locator("h2").innerText()).split("·")[0].trim();
    await drag(page.locator('tr[data-job="J1"]'), other);
    await page.getByText(/The changed routes (are feasible|break some rules)/).waitFor();
    assert.match(await routeOf(page, "J1"), new RegExp(to));

    // and back with the keyboard's way: the Move list
    const fromName = from.split("·")[0].trim();
    const j2To = (await routeOf(page, "J2")).includes(to) ? fromName : to;
    await page.getByLabel("Move J2 to").selectOption({ label: `${j2To} (end)` });
    await page.locator(`section.rp-route:has(h2:has-text("${j2To}")) tr[data-job="J2"]`).waitFor();
    await page.getByText(/The changed routes (are feasible|break some rules)/).waitFor();
    await page.getByRole("button", { name: /^Save (routes|anyway)$/ }).click();
    await page.getByText("Saved.").waitFor();
    assert.match(await routeOf(page, "J1"), new RegExp(to));
    await assertAccessible(page);

    await page.goto(`${server.base_url}/route-plans`);
    const row = page.getByRole("row", { name: /E2E morning round/ });
    await row.getByText("Solved").waitFor();
    assert.equal((await row.locator("td").nth(5).innerText()).trim(), "0", "no job left unassigned");
    await assertNoOverflow(page, "plan list at 1366 px");
    await assertAccessible(page);

    const phone = await openPage(browser, { timeout: TIMEOUT, bypassCSP: true, ...PHONE });
    await logIn(phone.page, server.base_url, server.a.email, server.password, new URL(planUrl).pathname);
    await phone.page.locator("section.rp-route").first().waitFor();
    await assertNoOverflow(phone.page, "solved plan on a phone");
    await screenshot(phone.page, "routeplans-phone");
    assert.deepEqual(phone.problems, []);
    await phone.context.close();

    assert.deepEqual(problems, []);
    await context.close();
  });
});
