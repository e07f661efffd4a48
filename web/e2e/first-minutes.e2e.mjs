// The first ten minutes of a fleet manager, in real headless Chromium against `fleetyard
// demo` as `make run` starts it (tests/web/demo_server.py: empty embedded PostgreSQL, the
// demo tenants, the simulated fleet driving): sign in, land on the dashboard whose figures
// are the API's, open the live map fitted to the fleet, read the API docs, find a vehicle's
// driver and street in the list, and walk every screen without one console error or warning.
// Screenshots of each screen land in test-artifacts/web/first-minutes-*.png.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, logIn, openPage, screenshot, startServer } from "./harness.mjs";

const TIMEOUT = 20_000;
const DEMO_START_MS = 180_000;
let demo;
let browser;

before(async () => {
  demo = await startServer("tests.web.demo_server", DEMO_START_MS);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** A page signed in as the demo owner, landed where sign-in lands; console warnings count. */
async function signedIn() {
  const opened = await openPage(browser, {
    timeout: TIMEOUT,
    consoleWarnings: true,
    viewport: { width: 1366, height: 768 },
  });
  await logIn(opened.page, demo.base_url, demo.email, demo.password);
  await opened.page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return opened;
}

/** GET an API path with the page's session. */
function api(page, path) {
  return page.evaluate(async (url) => {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }, path);
}

async function settled(page) {
  await page.getByRole("main").locator("h1").first().waitFor();
  await page.waitForLoadState("networkidle").catch(() => {}); // live sockets never idle
  await page.getByText(/^Loading/).first().waitFor({ state: "detached", timeout: TIMEOUT }).catch(() => {});
}

describe("the first ten minutes after make run", () => {
  test("sign in lands on the dashboard, whose figures are the API's", async () => {
    const { page, context, problems } = await signedIn();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/dashboard" && r.ok());
    assert.equal(new URL(page.url()).pathname, "/");
    const body = await (await answered).json();
    await settled(page);
    await page.locator("[data-figure]").first().waitFor();
    // The page shows the answer it got (read together: the fleet moves, figures refresh).
    const shown = await page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll("[data-figure]")].map((el) => [el.dataset.figure, el.textContent])),
    );
    const figures = dashboardFigures(body);
    for (const name of ["vehicles.total", "vehicles.moving", "vehicles.idle", "vehicles.parked", "vehicles.offline",
      "vehicles.in_alert", "alerts.open", "alerts.by_severity.critical", "devices.offline", "distance_today"]) {
      assert.ok(name in figures, `the API answers ${name}`);
    }
    for (const [name, value] of Object.entries(figures)) {
      if (["offline_after_s", "retired"].some((skip) => name.endsWith(skip))) continue;
      assert.ok(name in shown, `the dashboard shows ${name}`);
      // shown as formatNumber does: one decimal at most, grouped by the locale
      assert.ok(Math.abs(parseShown(shown[name]) - value) <= 0.05 + 1e-9, `${name}: shown ${shown[name]}, API ${value}`);
    }
    const upcoming = body.reservations.upcoming;
    assert.ok(upcoming.length > 0, "the demo has upcoming reservations");
    const listed = await page.locator('[data-figure="reservations.upcoming"] li').allTextContents();
    assert.equal(listed.length, upcoming.length);
    upcoming.forEach((reservation, n) => assert.ok(listed[n].includes(reservation.vehicle_plate), listed[n]));
    await screenshot(page, "first-minutes-1-dashboard");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the live map is one click away and opens fitted to the fleet", async () => {
    const { page, context, problems } = await signedIn();
    await page.getByRole("link", { name: /live map/i }).first().click();
    await page.waitForURL("**/map");
    await page.waitForFunction(() => window.__fleetyardMap?.loaded(), null, { timeout: 60_000 });
    const fleet = await api(page, "/api/v1/fleet/state?limit=500");
    const placed = fleet.items.filter((item) => item.state);
    assert.ok(placed.length >= 10, `vehicles with a position: ${placed.length}`);
    const view = await page.evaluate(() => {
      const map = window.__fleetyardMap;
      const b = map.getBounds();
      const max = map.getMaxBounds();
      return { bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], max: max && max.toArray().flat() };
    });
    const [west, south, east, north] = view.bounds;
    for (const { state, plate } of placed) {
      assert.ok(
        state.longitude >= west && state.longitude <= east && state.latitude >= south && state.latitude <= north,
        `${plate} at ${state.latitude},${state.longitude} is in view ${view.bounds}`,
      );
    }
    assert.ok(view.max, "the map cannot be panned far outside the drawn area");
    await screenshot(page, "first-minutes-2-map");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the API docs render with no internet: Swagger UI and ReDoc", async () => {
    const { page, context, problems } = await signedIn();
    const foreign = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (/^(https?|wss?):$/.test(url.protocol) && url.origin !== demo.base_url) foreign.push(request.url());
    });
    await page.goto(`${demo.base_url}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    assert.ok((await page.locator(".opblock").count()) > 20);
    await screenshot(page, "first-minutes-3-docs");
    await page.goto(`${demo.base_url}/redoc`);
    await page.getByText("/api/v1/vehicles").first().waitFor({ timeout: 30_000 });
    await screenshot(page, "first-minutes-4-redoc");
    assert.deepEqual(foreign, []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a vehicle row shows its driver and its street, nothing cut off at 1366 px", async () => {
    const { page, context, problems } = await signedIn();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Vehicles/ }).click();
    await page.waitForURL("**/vehicles");
    await settled(page);
    const drivers = await api(page, "/api/v1/drivers?limit=200");
    const names = drivers.items.map((driver) => driver.name);
    const rows = page.getByRole("row");
    await rows.nth(1).waitFor();
    const texts = await rows.allTextContents();
    const withDriver = texts.filter((text) => names.some((name) => text.includes(name)));
    assert.ok(withDriver.length >= 10, `rows with their driver: ${withDriver.length}`);
    const withStreet = texts.filter((text) => /(katu|tie|väylä|ranta|puisto|depot|Depot|kuja|polku|aukio|tori|silta)/i.test(text));
    assert.ok(withStreet.length >= 5, `rows naming a street or depot: ${withStreet.length}\n${texts.slice(0, 5).join("\n")}`);
    const clipped = await page.evaluate(() =>
      [...document.querySelectorAll("th, td")]
        .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
        .map((cell) => cell.textContent),
    );
    assert.deepEqual(clipped, []);
    await screenshot(page, "first-minutes-5-vehicles");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("every screen opens with no console error or warning", async () => {
    const { page, context, problems } = await signedIn();
    const vehicles = await api(page, "/api/v1/vehicles?limit=1");
    const drivers = await api(page, "/api/v1/drivers?limit=1");
    const devices = await api(page, "/api/v1/devices?limit=1");
    const nav = await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link")
      .evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
    const paths = [
      ...nav,
      `/vehicles/${vehicles.items[0].id}`,
      `/drivers/${drivers.items[0].id}`,
      `/devices/${devices.items[0].id}`,
    ];
    for (const [n, path] of paths.entries()) {
      await page.goto(`${demo.base_url}${path}`);
      await settled(page);
      await screenshot(page, `first-minutes-6-screen-${n}-${path.split("/")[1] || "home"}`);
      assert.deepEqual(problems, [], `on ${path}`);
    }
    await context.close();
  });
});

/** The figures a dashboard answer holds, by name: filled in from the answer's shape. */
function dashboardFigures(body) {
  const figures = {};
  const walk = (value, path) => {
    if (typeof value === "number") figures[path] = value;
    else if (value && typeof value === "object" && !Array.isArray(value))
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
  };
  walk(body, "");
  for (const figure of body.figures) figures[figure.key] = figure.value;
  return figures;
}

const parseShown = (text) => Number(String(text).replace(/[^\d.-]/g, ""));
