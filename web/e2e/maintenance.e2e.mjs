// The maintenance screens in real headless Chromium against the real server
// (tests/web/maintenance_server.py: schedules, parts, work orders and predictions seeded through
// the services): the overview counts what is due and overdue from the meters and puts the dated
// service on the month; a work order opens from the list, is started and then completed through
// the workflow (each change through the offline queue, on the server once), another opened from
// a due service; the vehicle page
// shows its service history and its failure risk explained. axe-core finds nothing; nothing
// overflows at 1366 px nor on a 390 px phone. Screenshots land in test-artifacts/web/.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";

import { launchBrowser, logIn, openPage, screenshot, startServer } from "./harness.mjs";

const TIMEOUT = 30_000;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let server;
let browser;

before(async () => {
  server = await startServer("tests.web.maintenance_server");
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(next, viewport = { width: 1366, height: 768 }) {
  // bypassCSP: the accessibility check injects axe-core as an inline script.
  const opened = await openPage(browser, { timeout: TIMEOUT, viewport, bypassCSP: true });
  await logIn(opened.page, server.base_url, server.email, server.password, next);
  await opened.page.waitForURL(`**${next.split("?")[0]}*`);
  return opened;
}

async function assertAccessible(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, []);
}

async function assertFits(page, where) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${where} scrolls sideways by ${overflow}px`);
}

describe("maintenance", () => {
  test("overview → work order → started and completed, on a desktop", async () => {
    const { page, context, problems } = await signedIn("/");
    // the home screen's Maintenance card: vehicles overdue (vehicle 6) and due soon
    const card = page.getByRole("region", { name: "Maintenance" });
    await card.getByText("1 vehicle due for service").waitFor();
    assert.equal(await card.locator('[data-figure="maintenance.overdue"]').textContent(), "1");
    assert.equal(await card.locator('[data-figure="maintenance.due_soon"]').textContent(), "2");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Maintenance" }).click();
    await page.waitForURL("**/maintenance");
    // vehicle 6 is past its brake-fluid change, vehicle 5 and the tyre check are due soon
    await page.getByTestId("count-overdue").filter({ hasText: "1" }).waitFor();
    assert.equal(await page.getByTestId("count-due-soon").textContent(), "2");
    const due = page.getByRole("region", { name: "Due and overdue services" });
    await due.getByRole("link", { name: "HL-0006" }).waitFor();
    assert.match(await due.getByRole("row").nth(1).textContent(), /Overdue.*HL-0006.*Brake fluid.*1,000 km over/);
    // the tyre check falls due in five days: on this month's calendar, or the next one's
    const calendar = page.getByRole("table", { name: /^Services due in / });
    if ((await calendar.locator("li").count()) === 0) await page.getByRole("button", { name: "Next month" }).click();
    await calendar.locator("li", { hasText: "Tyre check" }).waitFor();
    // the fleet's highest risks (the predictions service's, as stored at seeding)
    const fleetRisk = page.getByRole("region", { name: "Highest failure risk" });
    await fleetRisk.getByText(/within 30 days|No vehicle is at medium or high risk/).first().waitFor();
    // a work order for vehicle 5's brake fluid, from its due row, on the server once
    const fifth = server.vehicles[4];
    const row = due.getByRole("row").filter({ hasText: fifth.plate });
    await row.getByRole("button", { name: "Open work order: Brake fluid" }).click();
    await row.getByRole("link", { name: "Its work orders" }).waitFor();
    const made = await page.evaluate(
      async (id) => (await (await fetch(`/api/v1/work-orders?vehicle_id=${id}`)).json()).items,
      fifth.id,
    );
    assert.equal(made.length, 1);
    assert.equal(made[0].source.kind, "schedule");
    assert.equal(made[0].title, "Brake fluid");
    await assertFits(page, "the overview");
    await assertAccessible(page);
    await screenshot(page, "maintenance-overview");

    await page.getByRole("navigation", { name: "Maintenance" }).getByRole("link", { name: "Work orders" }).click();
    await page.waitForURL("**/work-orders");
    const open = server.work_orders.open;
    await page.getByRole("link", { name: open.title }).click();
    await page.waitForURL(`**/work-orders/${open.id}`);
    await page.getByRole("heading", { name: `Work order ${open.number}: ${open.title}` }).waitFor();
    // labour 1.5 h × 80 + one pad set from stock at 39.90
    assert.match(await page.getByTestId("wo-total").textContent(), /159\.90/);
    await assertAccessible(page);
    const moves = page.getByRole("group", { name: "Change status" });
    await moves.getByRole("button", { name: "Start work" }).click();
    await moves.getByRole("button", { name: "Complete" }).waitFor();
    await moves.getByRole("button", { name: "Complete" }).click();
    await page.getByText("Completed: no further changes.").waitFor();
    await page.getByText("Odometer at completion").waitFor();
    // on the server, once each
    const stored = await page.evaluate(async (id) => (await fetch(`/api/v1/work-orders/${id}`)).json(), open.id);
    assert.equal(stored.status, "completed");
    assert.equal(stored.version, 3);
    await assertFits(page, "the work order");
    await screenshot(page, "work-order-completed");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a vehicle's service history and failure risk, and the screens on a phone", async () => {
    const [first] = server.vehicles;
    const { page, context, problems } = await signedIn(`/vehicles/${first.id}`, { width: 390, height: 844 });
    const service = page.getByRole("region", { name: "Service" });
    await service.getByText("Tyre check", { exact: true }).waitFor();
    await service.getByRole("link", { name: `${server.work_orders.completed.number}. Oil change` }).waitFor();
    // the predictions service's (the population prior: the fleet has no failure history), each
    // component with its chance, when, the action, the confidence and what drove it
    const risk = page.getByRole("region", { name: "Failure risk" });
    const items = risk.locator(".risk-item");
    await items.first().waitFor();
    const texts = await items.allTextContents();
    assert.ok(texts.length >= 3, `battery, brakes and engine cooling at least (${texts.length})`);
    for (const component of ["Battery", "Brakes", "Engine cooling"])
      assert.ok(texts.some((t) => t.startsWith(component)), `a prediction for ${component}`);
    for (const text of texts) {
      assert.match(text, /\d+ % chance of failing within 30 days/);
      assert.match(text, /Failure expected (in about \d+ days|not)/);
      assert.match(text, /Confidence \d+ %, from the population prior/);
    }
    const chances = texts.map((t) => Number(/(\d+) % chance/.exec(t)[1]));
    assert.deepEqual(chances, [...chances].sort((a, b) => b - a), "most at risk first");
    assert.ok((await risk.locator(".risk-drivers li").count()) > 0, "what drove a prediction, in words");
    await assertFits(page, "the vehicle page");
    await screenshot(page, "vehicle-service-risk-phone");
    for (const path of ["/maintenance", "/work-orders", `/work-orders/${server.work_orders.open.id}`, "/maintenance/schedules", "/maintenance/parts"]) {
      await page.goto(`${server.base_url}${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      await assertFits(page, path);
    }
    await page.getByText("1 part is at or below the reorder level.").waitFor();
    await assertAccessible(page);
    await screenshot(page, "parts-phone");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
