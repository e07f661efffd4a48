// Dispatch in real headless Chromium against the real server. A plan is solved by the
// server's own solver and dispatched to a van with a tracker and to a driver record linked to
// the signed-in user. On a phone, the driver opens My route, arrives at and completes the
// first stop with a note, fails the second with a proof photo, loses the network, completes
// the third, and when the network is back the server holds that completion exactly once.
// Then, on a laptop, the dispatcher sees the route's progress and its late last stop (the
// server's ETA from the van's position, past the stop's window) with its alert.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { request } from "playwright-core";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 20_000;
// the server's dispatch monitor follows routes every 30 s: the late stop may take that long
const MONITOR_WAIT = 40_000;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
// a line of customers east of the van's last fix (Helsinki)
const JOBS = [
  ["j1", "Bakery North", 60.17, 24.95],
  ["j2", "Corner Cafe", 60.17, 24.96],
  ["j3", "Harbour Deli", 60.17, 24.97],
  ["j4", "Market Hall", 60.17, 24.98],
];
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

async function apiSession(email) {
  const http = await request.newContext({ baseURL: server.base_url });
  const login = await http.post("/api/v1/auth/login", { data: { email, password: server.password } });
  assert.equal(login.status(), 200);
  const headers = { "X-CSRF-Token": (await login.json()).csrf_token };
  const ok = async (response, path) => {
    assert.ok(response.ok(), `${path}: ${response.status()} ${await response.text()}`);
    return response.json();
  };
  return {
    get: async (path) => ok(await http.get(path), path),
    post: async (path, data) => ok(await http.post(path, { data, headers }), path),
    close: () => http.dispose(),
  };
}

async function aPng() {
  const manifest = await (await fetch(`${server.base_url}/manifest.webmanifest`)).json();
  const icon = manifest.icons.find((i) => i.type === "image/png");
  return Buffer.from(await (await fetch(`${server.base_url}${icon.src}`)).arrayBuffer());
}

/** A plan solved by the server and dispatched two hours ago, every window closed 30 min ago. */
async function dispatchedRoute(api, vehicle) {
  const me = await api.get("/api/v1/auth/me");
  const driver = await api.post("/api/v1/drivers", { name: "Dana Driver", user_id: me.user_id });
  const plan = await api.post("/api/v1/route-plans", {
    name: "E2E bread round",
    objective: "duration",
    time_limit_s: 1,
    vehicles: [{ id: "van", start: { lat: 60.1699, lon: 24.9384 }, vehicle_id: vehicle.id, driver_id: driver.id }],
    jobs: JOBS.map(([id, , lat, lon]) => ({ id, location: { lat, lon }, service_s: 120, time_windows: [[0, 5400]] })),
  });
  let solved;
  for (let i = 0; i < 100 && solved?.status !== "solved"; i += 1) {
    solved = await api.get(`/api/v1/route-plans/${plan.id}`);
    assert.ok(!["failed", "cancelled"].includes(solved.status), `plan ${solved.status}`);
    if (solved.status !== "solved") await new Promise((done) => setTimeout(done, 200));
  }
  assert.equal(solved.status, "solved");
  const startAt = new Date(Date.now() - 2 * 3600_000);
  const jobs = Object.fromEntries(JOBS.map(([id, name]) => [id, { name, place: `${name} street 1` }]));
  const dispatch = await api.post(`/api/v1/route-plans/${plan.id}/dispatch`, { start_at: startAt.toISOString(), jobs });
  assert.equal(dispatch.routes.length, 1);
  return { route: dispatch.routes[0], day: startAt.toISOString().slice(0, 10) };
}

async function assertAccessible(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, []);
}

describe("dispatch", () => {
  test("a driver's day offline on a phone, then the dispatcher's live view", async () => {
    const api = await apiSession(server.a.email);
    const vehicle = server.a.vehicles[0]; // the one with a tracker (the seeded fix)
    const { route, day } = await dispatchedRoute(api, vehicle);
    const stops = route.stops;
    assert.equal(stops.length, 4);
    const png = await aPng();

    // The driver, on a phone.
    const phone = await openPage(browser, { timeout: TIMEOUT, consoleErrors: false, bypassCSP: true, ...PHONE });
    const { page, context } = phone;
    await logIn(page, server.base_url, server.a.email, server.password, `/my-route?date=${day}`);
    await page.getByRole("heading", { level: 1, name: "My route" }).waitFor();
    const card = (i) => page.getByRole("listitem", { name: new RegExp(`Stop ${i + 1}: ${stops[i].name}`) });
    await card(0)
      .waitFor()
      .catch(async (error) => {
        throw new Error(`${error.message}\n${await page.locator("main").innerText()}`);
      });
    assert.equal(await card(0).getAttribute("aria-current"), "step");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    const arrive = await card(0).getByRole("button", { name: "Arrive" }).boundingBox();
    assert.ok(arrive.height >= 48 && arrive.width >= 48, `touch target ${arrive.width}×${arrive.height}`);
    await assertAccessible(page);
    await screenshot(page, "70-my-route");

    await card(0).getByRole("button", { name: "Arrive" }).click();
    await card(0).getByText("Arrived").or(card(0).getByText(/^Synced/)).first().waitFor();
    await card(0).getByRole("button", { name: "Complete" }).click();
    await card(0).getByLabel("Note (optional)").fill("Left with the baker");
    await card(0).getByRole("button", { name: "Complete stop" }).click();
    await card(1).getByRole("button", { name: "Fail" }).waitFor();
    await card(1).getByRole("button", { name: "Fail" }).click();
    await card(1).getByLabel("Why did it fail?").fill("Closed for the holiday");
    await card(1).getByLabel("Add proof photo").setInputFiles({ name: "door.png", mimeType: "image/png", buffer: png });
    await card(1).getByRole("img", { name: "Proof for stop 2" }).waitFor();
    await card(1).getByRole("button", { name: "Fail stop" }).click();
    await page.getByText("2 of 4 stops done").waitFor();
    await card(1).getByText(/^Synced/).waitFor();

    // The network drops; the driver completes the third stop.
    await context.setOffline(true);
    await card(2).getByRole("button", { name: "Complete" }).click();
    await card(2).getByRole("button", { name: "Complete stop" }).click();
    await card(2).getByText("Will be sent when the network allows").waitFor();
    await page.getByText("3 of 4 stops done").waitFor();
    await screenshot(page, "71-my-route-offline");
    let server3 = (await api.get(`/api/v1/dispatch/routes/${route.id}`)).stops[2];
    assert.equal(server3.status, "pending");

    await context.setOffline(false);
    await card(2).getByText(/^Synced/).waitFor();
    const after = await api.get(`/api/v1/dispatch/routes/${route.id}`);
    assert.deepEqual(
      after.stops.map((s) => s.status),
      ["completed", "failed", "completed", "pending"],
    );
    assert.equal(after.stops[0].note, "Left with the baker");
    assert.equal(after.stops[1].note, "Closed for the holiday");
    assert.equal(after.stops[1].photos.length, 1);
    server3 = after.stops[2];
    const events = await api.get(`/api/v1/events?entity_type=dispatch_stop&entity_id=${server3.id}`);
    assert.equal(events.items.length, 1, "the offline completion reached the server once");
    await context.close();

    // The dispatcher, on a laptop: progress, and the last stop late with its alert.
    const laptop = await openPage(browser, { timeout: TIMEOUT, consoleErrors: false, bypassCSP: true, viewport: { width: 1366, height: 768 } });
    await logIn(laptop.page, server.base_url, server.a.email, server.password, "/dispatch");
    const row = laptop.page.getByRole("row", { name: new RegExp(vehicle.plate) });
    await row.getByText("3/4").waitFor();
    await row.getByRole("cell", { name: stops[3].name, exact: true }).waitFor();
    await row.getByText(/^Late by /).waitFor({ timeout: MONITOR_WAIT });
    await row.getByText(/^Late stop: /).waitFor({ timeout: MONITOR_WAIT });
    const width = await laptop.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 1366, `the page is ${width} px wide`);
    await assertAccessible(laptop.page);
    await row.getByRole("link", { name: vehicle.plate }).click();
    await laptop.page.getByText("Note: Closed for the holiday").waitFor();
    await screenshot(laptop.page, "72-dispatch-live");
    await laptop.context.close();
    await api.close();
  });
});
