// The offline app in real headless Chromium against the real server: installable (manifest,
// service worker), last-seen data after an offline reload, edits queued offline and applied
// exactly once when the network returns, a version conflict resolved, overlaps shown before
// and after sending, and no tenant's saved cache ever shown to another.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";

import { chromium, request } from "playwright-core";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 20_000;
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

function newPage(options = {}) {
  const viewport = { width: 1280, height: 900 };
  return openPage(browser, { timeout: TIMEOUT, viewport, consoleErrors: false, ...options });
}

/** Another session of a user, straight on the API (what a second device would do). */
async function apiSession(email) {
  const http = await request.newContext({ baseURL: server.base_url });
  const login = await http.post("/api/v1/auth/login", { data: { email, password: server.password } });
  assert.equal(login.status(), 200);
  const headers = { "X-CSRF-Token": (await login.json()).csrf_token };
  const call = async (method, path, data) => {
    const response = await http.fetch(path, { method, data, headers });
    const body = response.status() === 204 ? null : await response.json();
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    get: (path) => call("GET", path),
    patch: (path, data) => call("PATCH", path, data),
    post: (path, data) => call("POST", path, data),
    events: async (entityType, entityId, type) =>
      (await call("GET", `/api/v1/events?entity_type=${entityType}&entity_id=${entityId}&type=${type}&limit=100`))
        .items,
    close: () => http.dispose(),
  };
}

/** Monday, `weeks` weeks from now (local time), as the calendar's `week` parameter. */
function mondayIn(weeks) {
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  day.setDate(day.getDate() - ((day.getDay() + 6) % 7) + 7 * weeks);
  const pad = (n) => String(n).padStart(2, "0");
  return { date: day, param: `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}` };
}

/** An instant on that week's `day` (0 = Monday) at `hour`, as the API writes it. */
function at(monday, day, hour) {
  const date = new Date(monday.date);
  date.setDate(date.getDate() + day);
  date.setHours(hour, 0, 0, 0);
  return date.toISOString();
}

/** The same instant as a `datetime-local` input's value. */
function localInput(monday, day, hour) {
  const date = new Date(at(monday, day, hour));
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(hour)}:00`;
}


async function waitForSyncText(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector(".sync-button")?.textContent ?? ""),
    pattern.source,
  );
}

/** The service worker controls the page (installed, activated, claimed). */
async function waitForServiceWorker(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((done) => navigator.serviceWorker.addEventListener("controllerchange", done, { once: true }));
    }
  });
}

/** Everything in the saved query caches (IndexedDB), as text. */
function savedCacheText(page) {
  return page.evaluate(
    () =>
      new Promise((done, fail) => {
        const open = indexedDB.open("fleetyard-offline");
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction("queries").objectStore("queries").getAll();
          read.onsuccess = () => {
            open.result.close();
            done(JSON.stringify(read.result));
          };
        };
      }),
  );
}

/** Wait until the saved cache holds `text` (and not `without`, if given). */
async function waitForSavedCache(page, text, without = null) {
  for (let i = 0; i < 50; i += 1) {
    const saved = await savedCacheText(page);
    if (saved.includes(text) && !(without && saved.includes(without))) return;
    await page.waitForTimeout(200);
  }
  throw new Error(`the saved cache never held ${text}${without ? ` without ${without}` : ""}`);
}

const vehicleOf = (plate) => server.a.vehicles.find((v) => v.plate === plate);

describe("the offline app", () => {
  test("is installable: a valid manifest, local icons and a service worker", async () => {
    // A real profile (not incognito, where Chromium installs nothing).
    const profile = mkdtempSync(join(tmpdir(), "fy-pwa-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await waitForServiceWorker(page);

    const manifest = await (await fetch(`${server.base_url}/manifest.webmanifest`)).json();
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.start_url, "/");
    assert.ok(manifest.name && manifest.short_name && manifest.theme_color);
    for (const size of [192, 512]) {
      const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.type === "image/png");
      assert.ok(icon, `a ${size} px PNG icon`);
      const png = Buffer.from(await (await fetch(`${server.base_url}${icon.src}`)).arrayBuffer());
      assert.equal(png.readUInt32BE(16), size, `${icon.src} is ${size} px wide`);
    }
    assert.ok(manifest.icons.some((i) => i.purpose === "maskable"));
    assert.ok(manifest.icons.every((i) => i.src.startsWith("/")), "icons are the app's own");

    // Chromium's own verdict.
    const cdp = await context.newCDPSession(page);
    const { errors: manifestErrors } = await cdp.send("Page.getAppManifest");
    assert.deepEqual(manifestErrors, []);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);

    // The service worker never answers API calls from a cache.
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    assert.ok(cached.includes("/index.html"));
    assert.ok(cached.some((url) => url.startsWith("/assets/")));
    assert.deepEqual(cached.filter((url) => url.startsWith("/api/")), []);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test("offline: last-seen data, queued edits applied exactly once, a conflict resolved", async () => {
    const { page, context, problems } = await newPage();
    const other = await apiSession(server.a.email); // a second session of the same tenant
    const week = mondayIn(3);
    const v1 = vehicleOf("AC-0003");
    const v2 = vehicleOf("AC-0004");
    const before1 = await other.get(`/api/v1/vehicles/${v1.id}`);
    const before2 = await other.get(`/api/v1/vehicles/${v2.id}`);
    const calendarUrl = `${server.base_url}/reservations?vehicle=${v1.id}&week=${week.param}`;

    // Online: look around, and book AC-0003 on Tuesday 10:00 from the calendar.
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await waitForServiceWorker(page);
    await waitForSavedCache(page, '"vehicles","list"');
    for (const v of [v1, v2]) {
      await page.goto(`${server.base_url}/vehicles/${v.id}`);
      await page.getByRole("heading", { level: 1, name: v.plate }).waitFor();
      await page.getByRole("region", { name: "Audit trail" }).getByText("Vehicle created").waitFor();
      await waitForSavedCache(page, `"vehicles","events","${v.id}"`);
    }
    await page.goto(calendarUrl);
    const grid = page.getByRole("grid", { name: /AC-0003: week of/ });
    await grid.waitFor();
    await grid.locator('[data-day="1"][data-hour="10"]').click();
    await page.getByLabel("Purpose").fill("Online booking");
    await page.getByRole("button", { name: "Reserve" }).click();
    const upcoming = page.getByRole("region", { name: /Upcoming reservations/ });
    await upcoming.getByRole("row").filter({ hasText: "Online booking" }).waitFor();
    await waitForSyncText(page, /All changes saved/);
    let booked = (await other.get(`/api/v1/reservations?vehicle_id=${v1.id}`)).items;
    assert.equal(booked.length, 1);
    assert.equal(booked[0].purpose, "Online booking");
    await screenshot(page, "20-reservations-week");
    await waitForSavedCache(page, "Online booking", "local-"); // the server's copy

    // Offline: the reload is served by the service worker; the data by the saved cache.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("banner").waitFor();
    await upcoming.getByRole("row").filter({ hasText: "Online booking" }).waitFor();
    await waitForSyncText(page, /^Offline$/);
    await screenshot(page, "21-offline-reservations");

    // Change the booking and make another one, offline.
    await upcoming.getByRole("button", { name: /^Change booking AC-0003/ }).click();
    await page.getByLabel("Purpose").fill("Changed offline");
    await page.getByRole("button", { name: "Save changes" }).click();
    await grid.locator('[data-day="3"][data-hour="14"]').click();
    await page.getByLabel("Purpose").fill("Made offline");
    await page.getByRole("button", { name: "Reserve" }).click();
    await upcoming.getByRole("row").filter({ hasText: "Made offline" }).getByText("Will be sent when the network allows").waitFor();
    await upcoming.getByRole("row").filter({ hasText: "Changed offline" }).getByText("Will be sent when the network allows").waitFor();

    // Edit two vehicles offline (the record seen before shows from the saved cache).
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Vehicles" }).click();
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await screenshot(page, "22-offline-vehicles");
    for (const [v, name] of [
      [v1, "Renamed offline"],
      [v2, "Mine, offline"],
    ]) {
      await page.goto(`${server.base_url}/vehicles/${v.id}`);
      const record = page.getByRole("region", { name: "Record" });
      await record.getByRole("button", { name: "Edit vehicle" }).click();
      await record.getByLabel("Name").fill(name);
      if (v === v1) await record.getByLabel("Odometer (km)").fill("4321");
      await record.getByRole("button", { name: "Save changes" }).click();
      await record.getByText("Will be sent when the network allows").waitFor();
      await record.getByText(name).waitFor();
    }
    await waitForSyncText(page, /Offline · 4 changes waiting for the network/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "23-offline-pending");

    // Meanwhile, someone else changes AC-0004 on the server.
    await other.patch(`/api/v1/vehicles/${v2.id}`, { name: "Changed elsewhere", version: before2.version });

    // Back online: everything is sent; AC-0004's edit comes back as a conflict to resolve.
    await context.setOffline(false);
    await waitForSyncText(page, /^1 to resolve$/);
    const record = page.getByRole("region", { name: "Record" });
    const conflict = record.getByRole("group", { name: /Problem: Edit vehicle AC-0004/ });
    await conflict.getByText("Changed by someone else meanwhile.").waitFor();
    const nameRow = conflict.getByRole("row", { name: /^Name/ });
    await nameRow.getByText("Changed elsewhere").waitFor();
    await nameRow.getByText("Mine, offline").waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "24-conflict");
    await conflict.getByRole("button", { name: "Keep mine" }).click();
    await waitForSyncText(page, /All changes saved/);
    await record.getByText("Mine, offline").waitFor();

    // On the server: each change once.
    const after1 = await other.get(`/api/v1/vehicles/${v1.id}`);
    assert.equal(after1.name, "Renamed offline");
    assert.equal(after1.odometer_km, 4321);
    assert.equal(after1.version, before1.version + 1);
    assert.equal((await other.events("vehicle", v1.id, "vehicle_updated")).length, 1);
    const after2 = await other.get(`/api/v1/vehicles/${v2.id}`);
    assert.equal(after2.name, "Mine, offline");
    assert.equal(after2.version, before2.version + 2); // theirs, then mine
    assert.equal((await other.events("vehicle", v2.id, "vehicle_updated")).length, 2);
    booked = (await other.get(`/api/v1/reservations?vehicle_id=${v1.id}&sort=starts_at`)).items;
    assert.deepEqual(
      booked.map((r) => [r.purpose, r.version, r.status]),
      [
        ["Changed offline", 2, "confirmed"],
        ["Made offline", 1, "confirmed"],
      ],
    );
    assert.equal(booked[0].starts_at.slice(0, 13), at(week, 1, 10).slice(0, 13));
    assert.equal((await other.events("reservation", booked[0].id, "reservation_created")).length, 1);
    assert.equal((await other.events("reservation", booked[0].id, "reservation_updated")).length, 1);
    assert.equal((await other.events("reservation", booked[1].id, "reservation_created")).length, 1);
    assert.deepEqual(problems, []);
    await other.close();
    await context.close();
  });

  test("a lost answer: the edit is sent again with its key, and applied once", async () => {
    // No service worker here: requests it passes on escape the test's routes, and this test
    // is about the queue's resend, not the offline shell.
    const { page, context, problems } = await newPage({ serviceWorkers: "block" });
    const other = await apiSession(server.a.email);
    const vehicle = vehicleOf("AC-0006");
    const before = await other.get(`/api/v1/vehicles/${vehicle.id}`);
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await page.goto(`${server.base_url}/vehicles/${vehicle.id}`);
    const record = page.getByRole("region", { name: "Record" });

    // The first PATCH reaches the server, but its answer never comes back.
    const sent = [];
    await context.route(`**/api/v1/vehicles/${vehicle.id}`, async (route) => {
      const request = route.request();
      if (request.method() !== "PATCH") return route.continue();
      sent.push(request.headers()["idempotency-key"]);
      if (sent.length > 1) return route.continue();
      await route.fetch();
      return route.abort("connectionreset");
    });
    await record.getByRole("button", { name: "Edit vehicle" }).click();
    await record.getByLabel("Status").selectOption("in_maintenance");
    await record.getByLabel("Shop").fill("Harbour Garage");
    await record.getByLabel("Tags").fill("north, cold");
    await screenshot(page, "28-vehicle-edit-form");
    await record.getByRole("button", { name: "Save changes" }).click();
    await record.getByText("In maintenance at Harbour Garage").waitFor();
    await waitForSyncText(page, /All changes saved/); // after the backoff, resent
    assert.equal(sent.length, 2);
    assert.equal(sent[1], sent[0]);

    await page.getByRole("banner").locator(".sync-button").click();
    const panel = page.getByRole("dialog", { name: "Your changes" });
    await panel.getByText("Synced (the server already had it)").waitFor();
    await screenshot(page, "29-sync-panel");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });

    const after = await other.get(`/api/v1/vehicles/${vehicle.id}`);
    assert.equal(after.version, before.version + 1);
    assert.deepEqual(after.status, { state: "in_maintenance", shop: "Harbour Garage", expected_return: null });
    assert.deepEqual(after.tags, ["north", "cold"]);
    assert.equal((await other.events("vehicle", vehicle.id, "vehicle_updated")).length, 1);
    assert.deepEqual(problems, []);
    await other.close();
    await context.close();
  });

  test("the calendar by keyboard; overlaps shown before sending, and after a 409", async () => {
    const { page, context, problems } = await newPage();
    const other = await apiSession(server.a.email);
    const week = mondayIn(4);
    const vehicle = vehicleOf("AC-0005");
    await other.post("/api/v1/reservations", {
      vehicle_id: vehicle.id,
      starts_at: at(week, 2, 9),
      ends_at: at(week, 2, 11),
      purpose: "Booked elsewhere",
    });
    await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await page.goto(`${server.base_url}/reservations?vehicle=${vehicle.id}&week=${week.param}`);
    const grid = page.getByRole("grid", { name: /AC-0005: week of/ });
    await grid.waitFor();

    // One tab stop; the arrows walk the hours and days and say what is there.
    await grid.locator('[role="gridcell"][tabindex="0"]').focus();
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    assert.match(await focused(), /09:00, free$/);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    assert.match(await focused(), /10:00, booked: Booked elsewhere/);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.match(await focused(), /08:00, free$/);
    await page.keyboard.press("Enter"); // book Wednesday 08:00
    assert.equal(await page.getByLabel("Starts").inputValue(), localInput(week, 2, 8));
    const purposeId = await page.getByLabel("Purpose").getAttribute("id");
    await page.waitForFunction((id) => document.activeElement?.id === id, purposeId);

    // Stretching it into the other booking is refused here, before anything is sent.
    await page.getByLabel("Ends").fill(localInput(week, 2, 10));
    const clash = page.getByRole("alert").filter({ hasText: "AC-0005 is already booked then" });
    await clash.waitFor();
    assert.equal(await page.getByRole("button", { name: "Reserve" }).getAttribute("aria-disabled"), "true");
    await screenshot(page, "26-overlap-before-sending");
    await page.getByLabel("Purpose").press("Enter"); // trying anyway sends nothing
    await page.waitForTimeout(300);
    await waitForSyncText(page, /^Online$/);
    assert.equal((await other.get(`/api/v1/reservations?vehicle_id=${vehicle.id}`)).items.length, 1);
    await page.getByLabel("Ends").fill(localInput(week, 2, 9));
    await clash.waitFor({ state: "detached" });
    await page.getByLabel("Purpose").fill("Keyboard booking");
    await page.getByLabel("Purpose").press("Enter");
    const upcoming = page.getByRole("region", { name: /Upcoming reservations/ });
    await upcoming.getByRole("row").filter({ hasText: "Keyboard booking" }).waitFor();
    await waitForSyncText(page, /All changes saved/);

    // Page Down and Page Up change the week, keeping the focus in the grid.
    await grid.locator('[role="gridcell"][tabindex="0"]').focus();
    const gridName = await grid.getAttribute("aria-label");
    await page.keyboard.press("PageDown");
    await page.waitForURL(new RegExp(`week=${mondayIn(5).param}`));
    await page.waitForFunction((name) => {
      const cell = document.activeElement;
      return cell?.getAttribute("role") === "gridcell" && cell.closest("[role=grid]")?.getAttribute("aria-label") !== name;
    }, gridName);
    await page.keyboard.press("PageUp");
    await page.waitForURL(new RegExp(`week=${week.param}`));
    await page.waitForFunction((name) => document.activeElement?.closest("[role=grid]")?.getAttribute("aria-label") === name, gridName);

    // Offline, a booking the server will refuse: someone takes the slot meanwhile.
    await waitForSavedCache(page, "Keyboard booking", "local-");
    await context.setOffline(true);
    await grid.locator('[data-day="3"][data-hour="13"]').click();
    await page.getByLabel("Ends").fill(localInput(week, 3, 15));
    await page.getByLabel("Purpose").fill("Offline clash");
    await page.getByRole("button", { name: "Reserve" }).click();
    await upcoming.getByRole("row").filter({ hasText: "Offline clash" }).getByText("Will be sent when the network allows").waitFor();
    await other.post("/api/v1/reservations", {
      vehicle_id: vehicle.id,
      starts_at: at(week, 3, 14),
      ends_at: at(week, 3, 16),
      purpose: "Taken meanwhile",
    });
    await context.setOffline(false);
    const problem = upcoming.getByRole("group", { name: /Problem: Reserve AC-0005/ });
    await problem.getByText("The vehicle is already reserved for part of this period.").waitFor();
    await waitForSyncText(page, /^1 to resolve$/);
    await problem.scrollIntoViewIfNeeded();
    await screenshot(page, "27-overlap-after-sending");

    // Change the times: the same booking, sent again (a new key), now after the other one.
    await problem.getByRole("button", { name: "Change times" }).click();
    await page.getByRole("heading", { name: "Change reservation" }).waitFor();
    await page.getByLabel("Starts").fill(localInput(week, 3, 16));
    await page.getByLabel("Ends").fill(localInput(week, 3, 17));
    await page.getByRole("button", { name: "Save changes" }).click();
    await waitForSyncText(page, /All changes saved/);
    const booked = (await other.get(`/api/v1/reservations?vehicle_id=${vehicle.id}&sort=starts_at`)).items;
    assert.deepEqual(
      booked.map((r) => [r.purpose, r.starts_at.slice(0, 13)]),
      [
        ["Keyboard booking", at(week, 2, 8).slice(0, 13)],
        ["Booked elsewhere", at(week, 2, 9).slice(0, 13)],
        ["Taken meanwhile", at(week, 3, 14).slice(0, 13)],
        ["Offline clash", at(week, 3, 16).slice(0, 13)],
      ],
    );
    assert.deepEqual(problems, []);
    await other.close();
    await context.close();
  });

  test("tenant B never sees tenant A's saved data, and signing out forgets it", async () => {
    const { page, context } = await newPage();
    await logIn(page, server.base_url, server.both.email, server.password, "/vehicles");
    const switcher = page.getByLabel("Tenant");
    await switcher.waitFor();
    await switcher.selectOption({ label: "Acme Logistics" });
    await page.getByRole("row").filter({ hasText: "AC-0001" }).waitFor();
    await waitForSavedCache(page, "AC-0001");

    await switcher.selectOption({ label: "Beta Transport" });
    await page.getByRole("row").filter({ hasText: "BT-0001" }).waitFor();
    await waitForSavedCache(page, "BT-0001", "AC-0"); // A's saved cache is gone, not just hidden
    await waitForServiceWorker(page); // it serves the shell once the network is gone

    // Offline, a reload shows B's last-seen data and nothing of A's.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole("row").filter({ hasText: "BT-0001" }).waitFor();
    assert.equal(await page.getByText(/AC-\d{4}/).count(), 0);
    await page.locator(".tenant-mark").getByText("Beta Transport").waitFor();
    await screenshot(page, "25-offline-tenant-b");
    await page.goto(`${server.base_url}/vehicles/${server.a.vehicles[0].id}`);
    await page.getByRole("banner").waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.getByText(/AC-\d{4}/).count(), 0);

    // Signing out (online) deletes every saved cache.
    await context.setOffline(false);
    await page.goto(`${server.base_url}/vehicles`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    for (let i = 0; i < 25 && (await savedCacheText(page)) !== "[]"; i += 1) await page.waitForTimeout(200);
    assert.equal(await savedCacheText(page), "[]");
    await context.close();
  });
});
