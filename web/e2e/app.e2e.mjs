// End to end in real headless Chromium against the real server: log in, browse vehicles,
// open one, switch tenants, and never see another tenant's vehicles. Screenshots of each
// screen land in test-artifacts/web/.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 15_000;
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

function newPage() {
  return openPage(browser, { timeout: TIMEOUT });
}

const row = (page, plate) => page.getByRole("row").filter({ hasText: plate });

describe("the web app", () => {
  test("serves the app shell with cache headers", async () => {
    const index = await fetch(`${server.base_url}/vehicles`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("cache-control"), "no-cache");
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, "index.html loads a hashed script");
    const asset = await fetch(`${server.base_url}${script}`);
    assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
  });

  test("a wrong password shows the server's message", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.a.email, "not the password");
    await page.getByRole("alert").getByText("Email or password is wrong.").waitFor();
    await screenshot(page, "01-login-error");
    await context.close();
  });

  test("tenant A logs in, scrolls, filters and opens a vehicle", async () => {
    const { page, context, problems } = await newPage();
    await page.goto(`${server.base_url}/login`);
    await screenshot(page, "00-login");
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await page.waitForURL("**/vehicles");
    await row(page, "AC-0001").waitFor();
    await page.getByText("200+ vehicles").waitFor();

    // Branding: the header wears tenant A's colour, and its logo loads.
    const header = page.getByRole("banner");
    assert.equal(await header.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(15, 81, 50)");
    await header.locator(".tenant-mark").getByText("Acme Logistics").waitFor();
    assert.ok(await header.locator("img").evaluate((img) => img.complete && img.naturalWidth > 0));
    await screenshot(page, "02-vehicles");

    // Virtualised: only the rows in view are in the DOM.
    const rendered = await page.locator("tbody tr[aria-rowindex]").count();
    assert.ok(rendered > 10 && rendered < 100, `${rendered} rows rendered`);

    // Scrolling to the end fetches the next page (cursor) and reaches the last vehicle.
    const scroller = page.getByRole("region", { name: /Vehicles list/ });
    for (let i = 0; i < 20 && !(await row(page, "AC-0250").count()); i += 1) {
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await row(page, "AC-0250").waitFor();
    await page.getByText("250 vehicles", { exact: true }).waitFor();
    await screenshot(page, "03-vehicles-scrolled");

    // Search, then the status and group facets (docs/search.md, "The screens").
    await page.getByLabel("Search").fill("AC-0042");
    await page.getByText("1 vehicle", { exact: true }).waitFor();
    await page.getByLabel("Search").fill("");
    const facets = page.getByRole("region", { name: "Filter vehicles" });
    const maintenance = facets.getByRole("button", { name: /^In maintenance \d+$/ });
    await maintenance.click();
    await row(page, "AC-0017").waitFor();
    assert.equal(await row(page, "AC-0001").count(), 0);
    await maintenance.click();
    const north = facets.getByRole("button", { name: /^North depot \d+$/ });
    await north.click();
    await page.getByText("50 vehicles", { exact: true }).waitFor();
    await screenshot(page, "04-vehicles-filtered");
    await north.click();

    // Sort: plate is the default order; pressing its header reverses it.
    await page.getByRole("button", { name: /^Plate/ }).click();
    await page.waitForURL(/sort=-plate/);
    await page.locator("tbody tr[aria-rowindex='2']").filter({ hasText: "AC-0250" }).waitFor();

    // Open the first vehicle: record, latest state (sent through the gateway), audit trail.
    await page.goto(`${server.base_url}/vehicles?q=AC-0001`);
    await row(page, "AC-0001").getByRole("link", { name: "AC-0001" }).click();
    await page.getByRole("heading", { level: 1, name: "AC-0001" }).waitFor();
    await page.getByRole("region", { name: "Latest state" }).getByText("60.16990, 24.93840").waitFor();
    const audit = page.getByRole("region", { name: "Audit trail" });
    await audit.getByText("Vehicle updated").waitFor();
    await audit.getByText("Vehicle created").waitFor();
    await page.getByRole("region", { name: "Alerts" }).waitFor();
    await screenshot(page, "05-vehicle-detail");

    // An address that is no screen answers "not found" inside the shell.
    await page.goto(`${server.base_url}/no-such-screen`);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    await screenshot(page, "06-not-found");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("10,000 vehicles page in as one scrolls, and scroll smoothly", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await row(page, "AC-0001").waitFor();
    // The list endpoint answers 10,000 synthetic vehicles, 200 a page, as the API does.
    await context.route(/\/api\/v1\/vehicles\/overview\?/, async (route) => {
      const url = new URL(route.request().url());
      const start = Number(url.searchParams.get("cursor") ?? 0);
      const limit = Number(url.searchParams.get("limit"));
      const items = Array.from({ length: Math.min(limit, 10_000 - start) }, (_, i) => {
        const n = start + i + 1;
        return {
          id: `00000000-0000-7000-8000-${String(n).padStart(12, "0")}`,
          version: 1, vin: null, plate: `SY-${String(n).padStart(5, "0")}`, name: `Synthetic ${n}`,
          make: "Ford", model: "Transit", year: 2020, type: "van", fuel_type: "diesel",
          odometer_km: n, status: { state: "active" }, group_id: null, tags: [],
          created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
          activity: "no_position", last_fix: null, place: null, driver: null, tracker: null,
        };
      });
      const next = start + items.length < 10_000 ? String(start + items.length) : null;
      await route.fulfill({ json: { items, next_cursor: next } });
    });
    // (a new sort asks the overview again; text would go to search, which is not faked here)
    await page.getByRole("button", { name: /^Name/ }).click();
    await row(page, "SY-00001").waitFor();

    // Scroll with the wheel, as a person would, timing every frame meanwhile.
    const scroller = page.getByRole("region", { name: /Vehicles list/ });
    await scroller.hover();
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!window.__stop) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    for (let i = 0; i < 400 && !(await row(page, "SY-10000").count()); i += 1) {
      await page.mouse.wheel(0, 4000);
      await page.waitForTimeout(16);
    }
    await row(page, "SY-10000").waitFor();
    const frames = await page.evaluate(() => {
      window.__stop = true;
      return window.__frames.slice(1).sort((a, b) => a - b);
    });
    await page.getByText("10,000 vehicles", { exact: true }).waitFor();
    const rendered = await page.locator("tbody tr[aria-rowindex]").count();
    const p95 = frames[Math.floor(frames.length * 0.95)];
    console.log(`10k rows: ${rendered} rows in the DOM; ${frames.length} frames, p95 ${p95.toFixed(1)} ms, worst ${frames.at(-1).toFixed(1)} ms`);
    assert.ok(rendered < 100, `${rendered} rows rendered of 10,000`);
    assert.ok(p95 < 100, `p95 frame ${p95} ms`); // lenient: a busy 2-core machine, no GPU
    await screenshot(page, "10-vehicles-10k-end");
    await context.close();
  });

  test("tenant B never sees tenant A's vehicles", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.b.email, server.password, "/vehicles");
    await row(page, "BT-0001").waitFor();
    await page.getByText("3 vehicles", { exact: true }).waitFor();
    assert.equal(await page.getByText(/AC-\d{4}/).count(), 0);
    await page.getByLabel("Search").fill("AC-0001");
    await page.getByText("0 vehicles", { exact: true }).waitFor();
    await screenshot(page, "07-tenant-b-vehicles");

    // Even by address, A's vehicle is not there for B.
    await page.goto(`${server.base_url}/vehicles/${server.a.vehicles[0].id}`);
    await page.getByRole("heading", { level: 1, name: "Vehicle not found" }).waitFor();
    await screenshot(page, "08-tenant-b-other-tenants-vehicle");
    await context.close();
  });

  test("someone in two tenants switches between them", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.both.email, server.password, "/vehicles");
    const switcher = page.getByLabel("Tenant");
    await switcher.waitFor();
    await switcher.selectOption({ label: "Acme Logistics" });
    await row(page, "AC-0001").waitFor();
    await switcher.selectOption({ label: "Beta Transport" });
    await row(page, "BT-0001").waitFor();
    assert.equal(await page.getByText(/AC-\d{4}/).count(), 0);
    await page.locator(".tenant-mark").getByText("Beta Transport").waitFor();
    await screenshot(page, "09-switched-tenant");
    await context.close();
  });

  test("keyboard: skip link first, every control labelled", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await row(page, "AC-0001").waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, button, a[href]")]
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.textContent?.trim()))
        .map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    const landmarks = await page.evaluate(() =>
      ["header", "nav", "main"].map((tag) => document.querySelectorAll(tag).length),
    );
    assert.deepEqual(landmarks, [1, 1, 1]);
    await context.close();
  });
});
