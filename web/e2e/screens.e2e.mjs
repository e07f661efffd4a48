// The drivers, alerts, devices, groups and settings screens and a vehicle's telemetry charts in real
// headless Chromium against the real server (seeded by tests/web/seed_screens.py): per screen,
// a role that can act does the main action and sees the result; a viewer sees every screen
// without an action button.
// Screenshots land in test-artifacts/web/.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 15_000;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let server;
let browser;
let seeded;

withServerAndBrowser((started, launched) => {
  server = started;
  seeded = started.screens;
  browser = launched;
});

function newPage(options = {}) {
  // bypassCSP: the accessibility check injects axe-core as an inline script.
  const viewport = { width: 1280, height: 900 };
  return openPage(browser, { timeout: TIMEOUT, viewport, expected4xx: true, bypassCSP: true, ...options });
}

async function signedIn(email, options) {
  const opened = await newPage(options);
  await logIn(opened.page, server.base_url, email, server.password, "/vehicles");
  await opened.page.waitForURL("**/vehicles");
  return opened;
}

const main = (page) => page.getByRole("main");
const row = (page, text) => page.getByRole("row").filter({ hasText: text });
const nav = (page, name) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: new RegExp(`^${name}`) });

/** Every control on the page has a name, and the page has one of each landmark. */
async function assertAccessibleBasics(page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button, a[href]")]
      .filter((el) => el.type !== "hidden")
      .filter(
        (el) =>
          !(
            el.labels?.length ||
            el.getAttribute("aria-label") ||
            el.getAttribute("aria-labelledby") ||
            el.textContent?.trim()
          ),
      )
      .map((el) => el.outerHTML),
  );
  assert.deepEqual(unlabelled, []);
  const landmarks = await page.evaluate(() =>
    ["header", "nav", "main", "h1"].map((tag) => document.querySelectorAll(tag).length),
  );
  assert.deepEqual(landmarks, [1, 1, 1, 1]);
  // The rules Lighthouse's accessibility audit runs (axe-core): none may fail.
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, []);
}

/** Buttons in the page's main area that do something (sorting and filtering aside). */
async function actionButtons(page) {
  return main(page).evaluate((el) =>
    [...el.querySelectorAll("button, a.button")]
      .filter((b) => !b.classList.contains("sort-button") && !b.closest(".facets"))
      .map((b) => b.textContent?.trim()),
  );
}

describe("the fleet screens", () => {
  test("drivers: a fleet manager adds, edits through a version conflict, and deletes", async () => {
    const { page, context, problems } = await signedIn(server.a.email);
    await nav(page, "Drivers").click();
    await page.getByRole("heading", { level: 1, name: "Drivers" }).waitFor();
    await row(page, "Dana Expired").getByText(/^Expired \d+ days ago$/).waitFor();
    await row(page, "Eli Soon").getByText("Expires in 10 days").waitFor();
    await row(page, "Fay Fine").getByRole("link", { name: "AC-0002" }).waitFor();
    // other suites seed drivers into the same tenant: count what the server holds
    const listed = await page.request.get(`${server.base_url}/api/v1/drivers?limit=500`);
    const total = (await listed.json()).items.length;
    await page.getByText(`${total} drivers`, { exact: true }).waitFor();
    await assertAccessibleBasics(page);
    await screenshot(page, "20-drivers");

    await page.getByLabel("Licence", { exact: true }).selectOption("expiring");
    await page.getByText("2 drivers", { exact: true }).waitFor();
    await page.getByLabel("Licence", { exact: true }).selectOption("");

    // Create: the server's field error first, then the driver.
    await page.getByRole("link", { name: "Add driver" }).click();
    await page.getByLabel(/^Name/).fill("Gus Newman");
    await page.getByLabel("Phone").fill("call me");
    await page.getByLabel("Licence expiry").fill("2031-05-01");
    await page.getByLabel("Find a vehicle for “Assigned vehicle”").fill("AC-0009");
    await page.getByLabel("Assigned vehicle", { exact: true }).selectOption({ label: "AC-0009 · FH16 9" });
    await page.getByRole("button", { name: "Add driver" }).click();
    await page.getByRole("alert").getByText("The request is not valid.").waitFor();
    await page.getByText(/A phone number is an optional/).waitFor();
    await screenshot(page, "21-driver-form-error");
    await page.getByLabel("Phone").fill("+358 40 765 4321");
    await page.getByRole("button", { name: "Add driver" }).click();
    await page.getByRole("heading", { level: 1, name: "Gus Newman" }).waitFor();
    await page.getByRole("link", { name: "AC-0009" }).waitFor();
    const driverUrl = page.url();
    await screenshot(page, "22-driver-detail");

    // Edit, while someone else saves the same driver first: 409 version_conflict.
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Licence class").fill("C");
    const other = await signedIn(server.a.email);
    await other.page.goto(`${driverUrl}/edit`);
    await other.page.getByLabel(/^Name/).fill("Gus Newer");
    await other.page.getByRole("button", { name: "Save changes" }).click();
    await other.page.getByRole("heading", { level: 1, name: "Gus Newer" }).waitFor();
    await other.context.close();
    // The edit is queued, sent, and refused on the older version: the driver's page shows the
    // server's values beside mine; "Keep mine" sends it again on the server's version.
    await page.getByRole("button", { name: "Save changes" }).click();
    const conflict = main(page).getByRole("group", { name: /Problem: Edit driver Gus Newman/ });
    await conflict.getByText("Changed by someone else meanwhile.").waitFor();
    await conflict.getByRole("row", { name: /Licence class/ }).getByText("C", { exact: true }).waitFor();
    await screenshot(page, "23-driver-version-conflict");
    await conflict.getByRole("button", { name: "Keep mine" }).click();
    await conflict.waitFor({ state: "detached" });
    await page.getByRole("heading", { level: 1, name: "Gus Newer" }).waitFor();
    await main(page).getByText("C", { exact: true }).waitFor();

    // Delete, asked twice; the safe choice has the focus.
    await page.getByRole("button", { name: "Delete" }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Cancel");
    await page.getByRole("button", { name: "Delete driver" }).click();
    await page.waitForURL(/\/drivers$/);
    await page.getByText(`${total} drivers`, { exact: true }).waitFor();
    assert.equal(await row(page, "Gus Newer").count(), 0);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("alerts: a fleet manager acknowledges one, then several; the nav badge counts down", async () => {
    const { page, context, problems } = await signedIn(server.a.email);
    const badge = page.locator(".nav-badge");
    await nav(page, "Alerts").filter({ hasText: "2 open unacknowledged alerts" }).waitFor();
    await nav(page, "Alerts").click();
    await page.getByRole("heading", { level: 1, name: "Alerts" }).waitFor();
    const [coolant, fuel] = seeded.open_alerts;
    await row(page, coolant).getByText("Critical").waitFor();
    await row(page, fuel).getByText("Warning").waitFor();
    await row(page, coolant).getByRole("link", { name: "AC-0001" }).waitFor();
    await page.getByText("2 alerts", { exact: true }).waitFor();
    // Critical first: the coolant alert stands above the fuel warning raised after it, and
    // looks critical (its row and its solid badge), in words as well as colour.
    await page.locator("tbody tr[aria-rowindex='2']").filter({ hasText: coolant }).waitFor();
    await page.locator("tbody tr[aria-rowindex='3']").filter({ hasText: fuel }).waitFor();
    assert.match(await row(page, coolant).getAttribute("class"), /row-critical/);
    assert.equal(await row(page, coolant).locator(".severity-urgent").innerText(), "Critical");
    await assertAccessibleBasics(page);
    await screenshot(page, "30-alerts");

    await row(page, coolant).getByRole("button", { name: /^Acknowledge alert/ }).click();
    await row(page, coolant).getByText("Not yet").waitFor({ state: "detached" });
    await nav(page, "Alerts").filter({ hasText: "1 open unacknowledged alert" }).waitFor();

    await row(page, fuel).getByRole("checkbox").check();
    await page.getByRole("button", { name: "Acknowledge selected (1)" }).click();
    await page.getByText("Acknowledged 1 alert.").waitFor();
    await badge.waitFor({ state: "detached" });

    // Who acknowledged, and when.
    await row(page, fuel).getByText(/^Acknowledged by Ada Acme, /).waitFor();

    // All alerts, critical first, then newest: the cleared critical one (opened earlier)
    // comes right after the open critical one, and no longer looks critical. The server's
    // simulated vehicles add speeding records (raised and cleared) as they drive, so the
    // warnings below are more than the seeded one and their count grows.
    // The filter is held in the URL: the radio turns checked when the list re-renders, which
    // can be after check()'s own look at it, so click and wait for it instead.
    await page.getByRole("radio", { name: "All" }).click();
    await page.getByRole("radio", { name: "All", checked: true }).waitFor();
    await page.getByText(/^\d+ alerts$/).waitFor();
    const cleared = page.locator("tbody tr[aria-rowindex='3']");
    await cleared.getByText("Cleared").waitFor();
    assert.doesNotMatch((await cleared.getAttribute("class")) ?? "", /row-critical/);
    await row(page, fuel).getByText("Warning").waitFor();
    await screenshot(page, "31-alerts-acknowledged");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("devices: a fleet manager claims an unknown device, registers, relinks and deletes one, and sends a command", async () => {
    const { page, context, problems } = await signedIn(server.a.email);
    await nav(page, "Devices").click();
    await page.getByRole("heading", { level: 1, name: "Devices" }).waitFor();
    await row(page, seeded.teltonika_device.unique_id).getByRole("link", { name: "AC-0003" }).waitFor();
    const unknown = page.getByRole("region", { name: "Unknown devices" });
    await unknown.getByText(seeded.unknown_device).waitFor();
    await assertAccessibleBasics(page);
    await screenshot(page, "40-devices");

    // Claim the unknown device into AC-0010.
    await unknown.getByRole("button", { name: `Claim device ${seeded.unknown_device}` }).click();
    await unknown.getByLabel("Find a vehicle for “Into vehicle”").fill("AC-0010");
    await unknown.getByLabel("Into vehicle", { exact: true }).selectOption({ label: "AC-0010 · Corolla 10" });
    await screenshot(page, "41-device-claim");
    await unknown.getByRole("button", { name: `Claim ${seeded.unknown_device}` }).click();
    await unknown.getByText(`Claimed ${seeded.unknown_device}.`).waitFor();
    await row(page, seeded.unknown_device).getByRole("link", { name: "AC-0010" }).waitFor();
    await unknown.getByText(/No unknown device has connected/).waitFor();

    // Register one by hand, link it to another vehicle, and delete it.
    await page.getByRole("link", { name: "Register device" }).click();
    await page.getByLabel(/^Device id/).fill("86 1234 5678 9012 3");
    await page.getByLabel(/^Protocol/).selectOption("gt06");
    await page.getByRole("button", { name: "Register device" }).click();
    await page.getByRole("heading", { level: 1, name: "861234567890123" }).waitFor();
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Find a vehicle for “Vehicle”").fill("AC-0011");
    await page.getByLabel("Vehicle", { exact: true }).selectOption({ label: "AC-0011 · Navara 11" });
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("region", { name: "Record" }).getByRole("link", { name: "AC-0011" }).waitFor();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Unregister device" }).click();
    await page.waitForURL(/\/devices$/);
    assert.equal(await row(page, "861234567890123").count(), 0);

    // A command to the Teltonika device, which is not connected: the server says so.
    await row(page, seeded.teltonika_device.unique_id).getByRole("link", { name: seeded.teltonika_device.unique_id }).click();
    await page.getByRole("heading", { level: 1, name: "Cab tracker" }).waitFor();
    await page.getByLabel("Command", { exact: true }).fill("getinfo");
    await page.getByRole("button", { name: "Send command" }).click();
    await page.getByRole("alert").getByText("The device is not connected right now.").waitFor();
    await assertAccessibleBasics(page);
    await screenshot(page, "42-device-command");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("settings: the owner manages members and API keys and rebrands the app live", async () => {
    const { page, context, problems } = await signedIn(seeded.owner.email, {
      permissions: ["clipboard-read", "clipboard-write"],
    });
    await nav(page, "Settings").click();
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    const members = page.getByRole("region", { name: "Members and roles" });
    // The only owner can't be demoted or removed.
    assert.ok(await members.getByLabel(`Role of ${seeded.owner.name}`).isDisabled());
    assert.ok(await members.getByRole("button", { name: `Remove ${seeded.owner.name}` }).isDisabled());
    // Webhooks: add one (its secret is shown once), then it is listed.
    const webhooks = page.getByRole("region", { name: "Webhooks" });
    await webhooks.getByLabel(/^Payload URL/).fill("https://hooks.example.test/fleet");
    await webhooks.getByLabel("Every event (*)").check();
    await webhooks.getByRole("button", { name: "Add webhook" }).click();
    await webhooks.getByText(/it is shown this once/).waitFor();
    assert.match(await webhooks.getByLabel("The webhook's signing secret").inputValue(), /^whsec_/);
    await webhooks.getByText("https://hooks.example.test/fleet").first().waitFor();
    await assertAccessibleBasics(page);
    await screenshot(page, "50-settings");

    // Add a member, change the viewer's role, remove the new member.
    await members.getByLabel(/^Email/).fill("new-member@example.com");
    await members.getByLabel("Role", { exact: true }).selectOption("dispatcher");
    await members.getByLabel("Display name").fill("Nia New");
    await members.getByLabel("First password").fill("a long first password");
    await members.getByRole("button", { name: "Add member" }).click();
    await members.getByText("Added Nia New.").waitFor();
    await members.getByRole("row", { name: /Nia New/ }).waitFor();
    await members.getByLabel(`Role of ${seeded.viewer.name}`).selectOption("mechanic");
    await members.getByRole("button", { name: `Save role of ${seeded.viewer.name}` }).click();
    await members.getByRole("button", { name: `Save role of ${seeded.viewer.name}` }).waitFor({ state: "detached" });
    assert.equal(await members.getByLabel(`Role of ${seeded.viewer.name}`).inputValue(), "mechanic");
    await members.getByLabel(`Role of ${seeded.viewer.name}`).selectOption("viewer");
    await members.getByRole("button", { name: `Save role of ${seeded.viewer.name}` }).click();
    await members.getByRole("button", { name: `Save role of ${seeded.viewer.name}` }).waitFor({ state: "detached" });
    await members.getByRole("button", { name: "Remove Nia New" }).click();
    await members.getByRole("button", { name: "Remove", exact: true }).click();
    await members.getByRole("row", { name: /Nia New/ }).waitFor({ state: "detached" });

    // An API key: shown once, copied, works, then revoked.
    const keys = page.getByRole("region", { name: "API keys" });
    await keys.getByLabel(/^Name/).fill("E2E integration");
    await keys.getByLabel("Key role").selectOption("viewer");
    await keys.getByRole("button", { name: "Create key" }).click();
    const secret = await keys.getByLabel("The new API key").inputValue();
    assert.ok(secret.length > 20);
    await keys.getByRole("button", { name: "Copy" }).click();
    await keys.getByText(/Copied to the clipboard|press Ctrl\+C/).waitFor();
    await screenshot(page, "51-settings-api-key");
    const asKey = await fetch(`${server.base_url}/api/v1/vehicles?limit=1`, {
      headers: { Authorization: `Bearer ${secret}` },
    });
    assert.equal(asKey.status, 200);
    await keys.getByRole("button", { name: "I’ve stored it" }).click();
    assert.equal(await keys.getByLabel("The new API key").count(), 0);
    await keys.getByRole("button", { name: "Revoke E2E integration" }).click();
    await keys.getByRole("button", { name: "Revoke key" }).click();
    await keys.getByRole("row", { name: /E2E integration/ }).getByText("Revoked").waitFor();
    const revoked = await fetch(`${server.base_url}/api/v1/vehicles?limit=1`, {
      headers: { Authorization: `Bearer ${secret}` },
    });
    assert.equal(revoked.status, 401);

    // Branding: a pale colour is warned about; a saved one is worn by the header at once.
    const branding = page.getByRole("region", { name: "Branding" });
    await branding.getByLabel(/^Primary colour/).fill("#fde047");
    await branding.getByText("Contrast warning.").waitFor();
    await branding.getByLabel(/^Primary colour/).fill("#7c2d12");
    await branding.getByText("Contrast warning.").waitFor({ state: "detached" });
    await branding.getByRole("button", { name: "Save branding" }).click();
    await branding.getByText("Branding saved and applied.").waitFor();
    const header = page.getByRole("banner");
    assert.equal(await header.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(124, 45, 18)");
    await branding.scrollIntoViewIfNeeded();
    await screenshot(page, "52-settings-branding");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("vehicle detail: telemetry charts of the seeded readings, by keyboard too", async () => {
    const { page, context, problems } = await signedIn(server.a.email);
    const { vehicle } = seeded.telemetry;
    await page.goto(`${server.base_url}/vehicles/${vehicle.id}`);
    await page.getByRole("heading", { level: 1, name: vehicle.plate }).waitFor();
    const card = page.getByRole("region", { name: "Telemetry" });
    await card.getByRole("button", { name: "1 h", pressed: true }).waitFor();
    const speed = card.getByRole("img", { name: /^Speed, last hour: average \d+ km\/h, min \d+ km\/h/ });
    await speed.waitFor();
    for (const name of ["Fuel level", "Coolant temperature", "Engine rpm"]) {
      await card.getByRole("img", { name: new RegExp(`^${name}, last hour: average [\\d,]+ `) }).waitFor();
    }
    // Drawn: a line with segments, broken by the six-minute stop, painted at a real size.
    const speedLine = speed.locator("path.telemetry-line");
    assert.match(await speedLine.getAttribute("d"), /^M[\d.]+ [\d.]+L[\d.]+ [\d.]+/);
    assert.ok((await speedLine.getAttribute("d")).split("M").length - 1 >= 2, "the stop is a gap");
    const fuelLine = card.getByRole("img", { name: /^Fuel level/ }).locator("path.telemetry-line");
    assert.equal((await fuelLine.getAttribute("d")).split("M").length - 1, 2);
    const box = await speedLine.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 10, `line box ${JSON.stringify(box)}`);
    await card.scrollIntoViewIfNeeded();
    await assertAccessibleBasics(page);
    await screenshot(page, "70-vehicle-telemetry");

    // Keyboard: another window, then a bucket's readout.
    await card.getByRole("button", { name: "6 h" }).focus();
    await page.keyboard.press("Enter");
    await card.getByRole("button", { name: "6 h", pressed: true }).waitFor();
    await card.getByRole("img", { name: /^Speed, last 6 hours: average \d+ km\/h/ }).waitFor();
    const scrub = card.getByRole("slider", { name: "Speed at a time" });
    await scrub.focus();
    const latest = await scrub.getAttribute("aria-valuetext");
    await page.keyboard.press("Home");
    const earliest = await scrub.getAttribute("aria-valuetext");
    assert.match(earliest, /: \d+ km\/h( \(\d+–\d+\))?$/);
    assert.notEqual(earliest, latest);
    await card.locator(".telemetry-cursor").first().waitFor({ state: "attached" });
    await screenshot(page, "71-vehicle-telemetry-6h");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("vehicles list at 1366 px: live state, place, driver and tracker, nothing cut off; the vehicle page's small map", async () => {
    const { page, context, problems } = await signedIn(server.a.email, { viewport: { width: 1366, height: 768 } });
    const { vehicle, driver } = server.map; // driving a loop through central Helsinki (seed_map.py)
    const moving = row(page, vehicle.plate);
    await moving.getByRole("link", { name: driver }).waitFor();
    const cells = await moving.getByRole("cell").allTextContents();
    assert.equal(cells[2], "Moving");
    assert.match(cells[3], /^(just now|\d+ s ago)$/);
    const overview = await (await page.request.get(`${server.base_url}/api/v1/vehicles/${vehicle.id}/overview`)).json();
    assert.equal(overview.place.kind, "street", JSON.stringify(overview.place));
    assert.match(cells[4], /^(near )?\p{Lu}\p{L}+/u, `a street's name: ${cells[4]}`);
    assert.match(await moving.getByRole("link", { name: /OsmAnd/ }).getAttribute("href"), /^\/devices\//);

    // At 1366 px the table needs no sideways scrolling, and no header or cell of the rows in
    // view is clipped (an IMEI neither; long names wrap).
    const clipped = await page.evaluate(() => {
      const scroller = document.querySelector(".table-scroll");
      const over = (cell) => cell.scrollWidth > cell.clientWidth;
      return {
        table: scroller.scrollWidth - scroller.clientWidth,
        headers: [...document.querySelectorAll(".vehicle-table th")].filter(over).map((th) => th.textContent),
        cells: [...document.querySelectorAll(".vehicle-table td")].filter(over).map((td) => td.textContent),
      };
    });
    assert.deepEqual(clipped, { table: 0, headers: [], cells: [] });
    await screenshot(page, "75-vehicles-live-1366");

    // The dashboard's links: /vehicles?activity=moving lists only moving vehicles.
    await page.goto(`${server.base_url}/vehicles?activity=moving`);
    await moving.waitFor();
    assert.equal(await page.getByLabel("State").inputValue(), "moving");
    const states = await page.locator(".vehicle-table tbody tr[aria-rowindex] td:nth-child(3)").allTextContents();
    assert.ok(states.length >= 1 && states.every((state) => state === "Moving"), states.join());

    // Its page: a small map of where it is, its driver and tracker; charts across the page.
    await moving.getByRole("link", { name: vehicle.plate }).click();
    await page.getByRole("heading", { level: 1, name: vehicle.plate }).waitFor();
    const card = page.getByRole("region", { name: "Where and who" });
    await card.getByRole("link", { name: driver }).waitFor();
    await card.getByRole("link", { name: /^\d+$/ }).waitFor(); // an unnamed tracker: its IMEI
    const map = card.getByRole("region", { name: `Map: where ${vehicle.plate} is` });
    await map.locator("canvas.maplibregl-canvas").waitFor();
    await page.waitForFunction(() => window.__fleetyardMap?.loaded());
    const box = await map.boundingBox();
    assert.ok(box && box.width > 250 && box.height > 150, `map box ${JSON.stringify(box)}`);
    const [telemetry, main] = await Promise.all([
      page.getByRole("region", { name: "Telemetry" }).boundingBox(),
      page.getByRole("main").boundingBox(),
    ]);
    assert.ok(telemetry.width > main.width * 0.9, `telemetry ${telemetry.width} of ${main.width}`);
    await screenshot(page, "76-vehicle-mini-map");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("groups: a fleet manager sees regions holding depots, adds a depot with its place, and finds it in the tree", async () => {
    const { page, context, problems } = await signedIn(server.a.email);
    const { region, depot } = seeded.groups;
    await nav(page, "Groups").click();
    await page.getByRole("heading", { level: 1, name: "Groups" }).waitFor();
    const tree = main(page).getByRole("region", { name: "Groups" });
    const regionItem = tree.getByRole("listitem").filter({ hasText: region }).first();
    await regionItem.getByRole("listitem").filter({ hasText: depot }).getByText("0 vehicles").waitFor();
    await regionItem.getByText(/60\.17600, 24\.93830 · 80 m radius/).waitFor();
    await main(page).getByText(/its vehicles and drivers stay, with no group/).waitFor();

    await page.getByRole("button", { name: `Add depot in ${region}` }).click();
    const form = page.getByRole("form", { name: "New group" });
    await form.getByLabel(/^Name/).fill("Vallila depot");
    await form.getByLabel(/^Latitude/).fill("60.1745");
    await form.getByLabel(/^Longitude/).fill("24.9512");
    await form.getByLabel(/^Radius/).fill("150");
    await assertAccessibleBasics(page);
    await form.getByRole("button", { name: "Create group" }).click();
    await form.waitFor({ state: "detached" });
    const created = regionItem.getByRole("listitem").filter({ hasText: "Vallila depot" });
    await created.getByText(/60\.17450, 24\.95120 · 150 m radius/).waitFor();
    await screenshot(page, "80-groups");

    // the server's own depot links to its vehicles
    const north = tree.getByRole("listitem").filter({ hasText: server.a.group.name });
    await north.getByRole("link", { name: new RegExp(`vehicles in ${server.a.group.name}$`) }).click();
    await page.waitForURL(`**/vehicles?group=${server.a.group.id}`);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a viewer sees every screen and no action button", async () => {
    const { page, context, problems } = await signedIn(seeded.viewer.email);
    await nav(page, "Drivers").click();
    await row(page, "Dana Expired").waitFor();
    assert.deepEqual(await actionButtons(page), []);
    await screenshot(page, "60-viewer-drivers");
    await row(page, "Fay Fine").getByRole("link", { name: "Fay Fine" }).click();
    await page.getByRole("heading", { level: 1, name: "Fay Fine" }).waitFor();
    assert.deepEqual(await actionButtons(page), []);
    await page.goto(`${server.base_url}/drivers/new`);
    await page.getByText("Your role (Viewer) can’t add drivers.", { exact: false }).waitFor();

    await nav(page, "Alerts").click();
    await row(page, seeded.open_alerts[0]).waitFor();
    assert.deepEqual(await actionButtons(page), []);
    assert.equal(await main(page).getByRole("checkbox").count(), 0);
    await screenshot(page, "61-viewer-alerts");

    await nav(page, "Devices").click();
    await row(page, seeded.teltonika_device.unique_id).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Unknown devices" }).count(), 0);
    assert.deepEqual(await actionButtons(page), []);
    await screenshot(page, "62-viewer-devices");
    await row(page, seeded.teltonika_device.unique_id).getByRole("link", { name: seeded.teltonika_device.unique_id }).click();
    await page.getByRole("heading", { level: 1, name: "Cab tracker" }).waitFor();
    assert.deepEqual(await actionButtons(page), []);

    await nav(page, "Groups").click();
    await main(page).getByText(seeded.groups.depot).waitFor();
    assert.deepEqual(await actionButtons(page), []);
    await screenshot(page, "65-viewer-groups");

    await nav(page, "Settings").click();
    await page.getByRole("heading", { name: "Branding" }).waitFor();
    await page.getByText(/can’t see the tenant’s members/).waitFor();
    assert.ok(await page.getByLabel(/^Organisation name/).isDisabled());
    // Every member chooses which alerts reach them: a viewer's only action is their own.
    assert.deepEqual(await actionButtons(page), ["Notification settings"]);
    await assertAccessibleBasics(page);
    await screenshot(page, "63-viewer-settings");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("an action the server refuses (403) is said, not crashed on", async () => {
    const { page, context } = await newPage();
    // The viewer's page believes, wrongly, that it may add drivers: the server still decides.
    await context.route("**/api/v1/auth/me", async (route) => {
      const response = await route.fetch();
      // Only the body: the answer's headers may say gzip, which the new body is not.
      await route.fulfill({ json: { ...(await response.json()), role: "fleet_manager" } });
    });
    await logIn(page, server.base_url, seeded.viewer.email, server.password, "/vehicles");
    await page.waitForURL("**/vehicles");
    await page.goto(`${server.base_url}/drivers/new`);
    await page.getByLabel(/^Name/).fill("Not Allowed");
    await page.getByRole("button", { name: "Add driver" }).click();
    await page.getByRole("alert").getByText("Your role does not allow this action.").waitFor();
    await screenshot(page, "64-viewer-refused");
    await context.close();
  });
});
