// Settings → Integrations in real headless Chromium against the real server and a fake
// Samsara cloud on 127.0.0.1 (tests/web/integrations_server.py; two vendor vehicles driving
// around Helsinki, a fix every 2 s): an admin adds a Samsara connection through the form, a
// wrong token is refused in plain words, the right one finds the account's 2 vehicles, the
// saved connection turns OK with records coming in, one vendor vehicle is matched by plate on
// its own and the other by hand, and that one then appears and moves on the live map. A
// connection saved with a wrong token says the credentials were refused; deleting asks first.
// Nothing overflows at 1366 px or on a phone. Screenshots in test-artifacts/web/integrations-*.png.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";

import { launchBrowser, logIn, openPage, screenshot, startServer } from "./harness.mjs";

const TIMEOUT = 20_000;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const STATUS_MS = 45_000; // the runner claims a saved connection within seconds, then polls every 5 s
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
let server;
let browser;

before(async () => {
  server = await startServer("tests.web.integrations_server");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(viewport = DESKTOP) {
  // bypassCSP: the accessibility check injects axe-core as an inline script
  const opened = await openPage(browser, { timeout: TIMEOUT, viewport, bypassCSP: true });
  await logIn(opened.page, server.base_url, server.email, server.password);
  await opened.page.waitForURL((url) => !url.pathname.startsWith("/login"));
  return opened;
}

/** Settings → Integrations, as a person gets there: the nav, then the Settings card's link. */
async function openIntegrations(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: "Manage integrations" }).click();
  await page.waitForURL("**/settings/integrations");
  await page.getByRole("heading", { level: 1, name: "Integrations" }).waitFor();
  await page.getByText("Loading connections…").waitFor({ state: "detached" });
}

/** Fill the add form for Samsara: the fake's address (under Advanced) and a token. */
async function fillSamsara(form, name, token) {
  await form.getByRole("radio", { name: /Samsara/ }).check();
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel(/^API token/).fill(token);
  await form.getByText("Advanced").click();
  await form.getByLabel(/^API address/).fill(server.samsara.base_url);
}

const connection = (page, name) =>
  page.getByRole("list", { name: "Connections" }).getByRole("listitem").filter({ has: page.getByRole("heading", { name }) });

/** Where a vehicle's marker is drawn (null when it isn't). */
function marker(page, vehicleId) {
  return page.evaluate((id) => {
    const found = window.__fleetyardVehicleOverlay.marks().find((m) => m.kind === "vehicle" && m.id === id);
    return found ? { lng: found.lng, lat: found.lat } : null;
  }, vehicleId);
}

async function waitForMarker(page, vehicleId, moved, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = await marker(page, vehicleId);
    if (found && (!moved || found.lng !== moved.lng || found.lat !== moved.lat)) return found;
    await page.waitForTimeout(250);
  }
  throw new Error(`vehicle ${vehicleId} ${moved ? "did not move" : "is not on the map"}`);
}

const distanceM = (a, b) =>
  Math.hypot((a.lat - b.lat) * 111_320, (a.lng - b.lng) * 111_320 * Math.cos((a.lat * Math.PI) / 180));

/** Elements wider than the page (what would make it scroll sideways). */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("main *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { scroll: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5) };
  });
}

/** The rules Lighthouse's accessibility audit runs (axe-core) that fail on the page. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

describe("Settings → Integrations", () => {
  test("add Samsara: a wrong token refused, the right one tested, saved, OK, vehicles matched, live on the map", async () => {
    const { page, context, problems } = await signedIn();
    await openIntegrations(page);
    await page.getByText(/No connections yet/).waitFor();
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.getByRole("form", { name: "Add a connection" });
    await fillSamsara(form, "Samsara fleet", "not-the-token");

    // A wrong token: the vendor's refusal, in plain words.
    await form.getByRole("button", { name: "Test connection" }).click();
    const refused = form.getByRole("alert").filter({ hasText: "The vendor refused the credentials." });
    await refused.waitFor();
    assert.match(await refused.textContent(), /Samsara refused the API token\./);
    await screenshot(page, "integrations-1-refused");

    // The right one: what the account holds.
    await form.getByLabel(/^API token/).fill(server.samsara.token);
    await form.getByRole("button", { name: "Test connection" }).click();
    await form.getByText("Connected: 2 vehicles found.").waitFor();
    await screenshot(page, "integrations-2-tested");
    await form.getByRole("button", { name: "Save connection" }).click();
    await page.getByText("“Samsara fleet” is saved").waitFor();
    assert.equal(await form.count(), 0);

    // The runner takes it: OK, a success moments ago, records in the last hour.
    const item = connection(page, "Samsara fleet");
    await item.getByText("Positions are coming in.").waitFor({ timeout: STATUS_MS });
    const badge = item.locator(".state-badge");
    assert.equal(await badge.textContent(), "OK");
    assert.equal(await badge.getAttribute("data-state"), "ok");
    const facts = await item.locator("dl").textContent();
    assert.match(facts, /Last success(just now|\d+ s ago)/);
    const records = Number((await item.locator("dl > div", { hasText: "Records, last hour" }).locator("dd").textContent()).replace(/\D/g, ""));
    assert.ok(records > 0, facts);
    assert.equal(await item.getByText("Samsara", { exact: true }).count(), 1);

    // Its vehicles: Little Red matched by its plate, Big Red waiting until matched by hand.
    await item.getByRole("button", { name: "Vehicles" }).click();
    const panel = item.getByRole("region", { name: "Vehicles in Samsara fleet" });
    const little = panel.getByRole("listitem").filter({ hasText: "Little Red" });
    await little.getByText("Matched by plate").waitFor();
    await little.getByRole("link", { name: "SYN-123" }).waitFor();
    const big = panel.getByRole("listitem").filter({ hasText: "Big Red" });
    await big.getByText("Waiting for a match").waitFor();
    await panel.getByText("2 vehicles: 1 matched, 1 waiting.").waitFor();
    const target = server.vehicles.find((v) => v.plate === "HEL-202");
    await big.getByRole("button", { name: "Match Big Red" }).click();
    await big.getByRole("searchbox").fill("HEL-202");
    const choice = big.getByLabel("Our vehicle for Big Red", { exact: true });
    await choice.locator("option", { hasText: "HEL-202 · Sprinter 2" }).waitFor({ state: "attached" });
    await choice.selectOption(target.id);
    await big.getByRole("button", { name: "Match", exact: true }).click();
    await big.getByText("Matched by hand").waitFor();
    await big.getByRole("link", { name: "HEL-202" }).waitFor();
    await panel.getByText("2 vehicles: 2 matched, 0 waiting.").waitFor();
    await screenshot(page, "integrations-3-matched");
    assert.deepEqual(problems, []);

    // The live map: the vehicle matched by hand appears with the vendor's next fix, and moves.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Map" }).click();
    await page.waitForURL("**/map");
    await page.waitForFunction(() => {
      const map = window.__fleetyardMap;
      return map && map.loaded() && map.isStyleLoaded() && window.__fleetyardVehicleOverlay;
    });
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    // the whole loop the fake's vehicles drive, in view
    await page.evaluate(() => window.__fleetyardMap.jumpTo({ center: [24.9423, 60.1715], zoom: 14 }));
    const first = await waitForMarker(page, target.id);
    const second = await waitForMarker(page, target.id, first);
    const hop = distanceM(first, second);
    assert.ok(hop > 5 && hop < 300, `moved ${hop} m`);
    assert.ok(Math.abs(second.lat - 60.1715) < 0.01 && Math.abs(second.lng - 24.9423) < 0.02, JSON.stringify(second));
    const little_red = server.vehicles.find((v) => v.plate === "SYN-123");
    assert.ok(await waitForMarker(page, little_red.id));
    await screenshot(page, "integrations-4-map");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a connection saved with a wrong token says the credentials were refused; delete asks first", async () => {
    const { page, context, problems } = await signedIn();
    await openIntegrations(page);
    await page.getByRole("button", { name: "Add connection" }).click();
    const form = page.getByRole("form", { name: "Add a connection" });
    await fillSamsara(form, "Samsara old token", "revoked-token");
    await form.getByRole("button", { name: "Save connection" }).click();
    const item = connection(page, "Samsara old token");
    await item.locator(".state-badge", { hasText: "Credentials rejected" }).waitFor({ timeout: STATUS_MS });
    await item.getByText("The vendor refused the credentials. Replace them to start again.").waitFor();
    await item.getByText(/Last error\s*Samsara refused the API token\./).waitFor();
    await screenshot(page, "integrations-5-rejected");

    // Editing a rejected connection asks for new credentials; the stored ones are never shown.
    await item.getByRole("button", { name: "Edit" }).click();
    const edit = item.getByRole("form", { name: "Edit Samsara old token" });
    assert.equal(await edit.getByLabel(/^API token/).inputValue(), "");
    await edit.getByRole("button", { name: "Keep the stored credentials" }).click();
    await edit.getByText("API token:").waitFor();
    await edit.getByRole("button", { name: "Cancel" }).click();

    // Pause stops it (said at once), Resume starts it again.
    await item.getByRole("button", { name: "Pause" }).click();
    await item.locator(".state-badge", { hasText: "Paused" }).waitFor();
    await item.getByText("Not polled until you resume it.").waitFor();
    await item.getByRole("button", { name: "Resume" }).click();
    await item.getByRole("button", { name: "Pause" }).waitFor();
    assert.notEqual(await item.locator(".state-badge").getAttribute("data-state"), "paused");

    await item.getByRole("button", { name: "Delete Samsara old token" }).click();
    await item.getByText(/Delete “Samsara old token”\?/).waitFor();
    await item.getByRole("button", { name: "Delete connection" }).click();
    await item.waitFor({ state: "detached" });
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("nothing overflows at 1366 px or on a phone, with the add form and the vehicles open", async () => {
    for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      const { page, context, problems } = await signedIn(viewport);
      if (viewport === PHONE) await page.goto(`${server.base_url}/settings/integrations`);
      else await openIntegrations(page);
      await page.getByRole("heading", { level: 1, name: "Integrations" }).waitFor();
      const item = connection(page, "Samsara fleet");
      await item.getByRole("button", { name: "Vehicles" }).click();
      await item.getByText("2 vehicles: 2 matched, 0 waiting.").waitFor();
      await page.getByRole("button", { name: "Add connection" }).click();
      await page.getByRole("form", { name: "Add a connection" }).getByText("Advanced").click();
      const found = await overflow(page);
      assert.ok(found.scroll <= 0 && found.wide.length === 0, `${name}: ${JSON.stringify(found)}`);
      assert.deepEqual(await axeViolations(page), [], name);
      await screenshot(page, `integrations-6-${name}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
});
