// The geofences screen in real headless Chromium against the real server (tests/web/e2e_server.py):
// a fleet manager opens it from the navigation, draws a polygon by clicking on the map and
// saves it (it is listed, and the server has it closed); a bow tie is refused with its reason
// in plain words before anything is sent; a circle dragged out on the map has its radius
// changed and saved; it is deleted after asking. axe-core finds nothing; the screen fits a
// 1366 px laptop and a phone; nothing is fetched from another origin. Screenshots in
// test-artifacts/web/.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 20_000;
// Names unique to the run (a reused server keeps the last run's fences).
const RUN = Date.now().toString(36);
const YARD = `E2E yard ${RUN}`;
const GATE = `E2E gate ${RUN}`;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

async function signedIn(viewport = { width: 1366, height: 768 }) {
  // bypassCSP: the accessibility check injects axe-core as an inline script.
  // expected4xx: the first test asks the server to refuse a bow tie on purpose.
  const opened = await openPage(browser, { timeout: TIMEOUT, viewport, bypassCSP: true, expected4xx: true });
  const origin = new URL(server.base_url).host;
  const foreign = [];
  const writes = [];
  opened.page.on("request", (request) => {
    const url = new URL(request.url());
    if (/^(https?|wss?):$/.test(url.protocol) && url.host !== origin) foreign.push(request.url());
    if (url.pathname.startsWith("/api/v1/geofences") && request.method() !== "GET")
      writes.push(`${request.method()} ${url.pathname}`);
  });
  await logIn(opened.page, server.base_url, server.a.email, server.password, "/vehicles");
  await opened.page.waitForURL("**/vehicles");
  await opened.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Geofences" }).click();
  await opened.page.getByRole("heading", { level: 1, name: "Geofences" }).waitFor();
  await mapReady(opened.page);
  return { ...opened, foreign, writes };
}

/** The map loaded, our layers on it, and shown (MapView reveals it once the basemap is drawn). */
async function mapReady(page) {
  await page.waitForFunction(() => {
    const map = window.__fleetyardMap;
    return map && map.loaded() && map.isStyleLoaded() && map.getSource("geofences");
  });
  await page.locator(".map-canvas:not([data-drawing])").waitFor();
}

/** The map canvas's centre on the page, and a point `dx`, `dy` pixels from it. */
async function canvasAt(page) {
  const box = await page.locator(".map-canvas canvas").boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return (dx, dy) => ({ x: cx + dx, y: cy + dy });
}

async function clickPolygon(page, offsets) {
  const at = await canvasAt(page);
  for (const [dx, dy] of offsets.slice(0, -1)) {
    const p = at(dx, dy);
    await page.mouse.click(p.x, p.y);
  }
  const [dx, dy] = offsets.at(-1);
  const last = at(dx, dy);
  await page.mouse.dblclick(last.x, last.y);
}

const list = (page) => page.getByRole("region", { name: "Geofences" });

function api(page, path, init) {
  return page.evaluate(
    async ([url, options]) => {
      const response = await fetch(url, options);
      return { status: response.status, body: response.status === 204 ? null : await response.json() };
    },
    [path, init],
  );
}

async function assertAccessible(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, []);
}

async function assertFits(page, width) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= width, `the page is ${overflow} px wide in a ${width} px window`);
}

describe("the geofences screen", () => {
  test("draw a polygon, save it, see it listed; a bow tie is refused with the reason", async () => {
    const { page, context, problems, foreign, writes } = await signedIn();
    try {
      await page.getByRole("button", { name: "New polygon" }).click();
      await clickPolygon(page, [
        [-90, -60],
        [90, -60],
        [100, 70],
        [-80, 80],
      ]);
      const form = page.getByRole("form", { name: "New geofence" });
      await form.getByLabel("Name").fill(YARD);
      await assertAccessible(page);
      await form.getByRole("button", { name: "Save" }).click();
      await page.getByRole("form", { name: `Edit ${YARD}` }).waitFor();
      await list(page).getByRole("button", { name: YARD }).waitFor();
      const stored = await api(page, `/api/v1/geofences?q=${encodeURIComponent(YARD)}`);
      assert.equal(stored.body.items.length, 1);
      const ring = stored.body.items[0].geometry.coordinates[0];
      assert.equal(ring.length, 5, "four corners and the closing one");
      assert.deepEqual(ring[0], ring[4]);
      await screenshot(page, "geofences-polygon");
      await page.getByRole("button", { name: "Cancel" }).click();

      // A bow tie: refused here, with where it crosses, and nothing sent.
      const sent = writes.length;
      await page.getByRole("button", { name: "New polygon" }).click();
      await clickPolygon(page, [
        [-80, -80],
        [80, 80],
        [80, -80],
        [-80, 80],
      ]);
      const bowTie = page.getByRole("form", { name: "New geofence" });
      await bowTie.getByText("Can't save this shape: the outline crosses itself.").waitFor();
      await bowTie.getByLabel("Name").fill("E2E bow tie");
      await bowTie.getByRole("button", { name: "Save" }).click();
      await bowTie.getByText("Can't save this shape: the outline crosses itself.").waitFor();
      assert.equal(writes.length, sent);
      // The crossing is marked on the map.
      await page.waitForFunction(
        () => window.__fleetyardMap.queryRenderedFeatures({ layers: ["geofence-problem-dot"] }).length === 1,
      );
      // The server refuses the same ring for the same reason.
      const ring2 = [
        [24.94, 60.17],
        [24.944, 60.172],
        [24.944, 60.17],
        [24.94, 60.172],
        [24.94, 60.17],
      ];
      const refused = await api(page, "/api/v1/geofences", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": await csrf(page) },
        body: JSON.stringify({ name: "E2E bow tie", geometry: { type: "Polygon", coordinates: [ring2] } }),
      });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.details.reason, "self_intersecting");
      await screenshot(page, "geofences-bow-tie");
      await page.getByRole("button", { name: "Cancel" }).click();
      assert.deepEqual(foreign, []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("drag out a circle, change its radius, delete it", async () => {
    const { page, context, problems } = await signedIn();
    try {
      await page.getByRole("button", { name: "New circle" }).click();
      const at = await canvasAt(page);
      const center = at(0, 0);
      await page.mouse.move(center.x, center.y);
      await page.mouse.down();
      await page.mouse.move(center.x + 40, center.y, { steps: 4 });
      await page.mouse.move(center.x + 70, center.y, { steps: 4 });
      await page.mouse.up();
      const form = page.getByRole("form", { name: "New geofence" });
      const dragged = Number(await form.getByLabel("Radius (m)").inputValue());
      assert.ok(dragged >= 5, `a radius was dragged out (${dragged} m)`);
      await form.getByLabel("Name").fill(GATE);
      await form.getByRole("button", { name: "Save" }).click();
      const saved = page.getByRole("form", { name: `Edit ${GATE}` });
      await saved.waitFor();

      await saved.getByLabel("Radius (m)").fill("250");
      await saved.getByRole("button", { name: "Save" }).click();
      await list(page).getByText("circle, 250 m radius").waitFor();
      const stored = await api(page, `/api/v1/geofences?q=${encodeURIComponent(GATE)}`);
      assert.equal(stored.body.items[0].radius_m, 250);
      await assertAccessible(page);
      await screenshot(page, "geofences-circle");

      await saved.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("button", { name: "Delete geofence" }).click();
      await list(page).getByRole("button", { name: GATE }).waitFor({ state: "detached" });
      const gone = await api(page, `/api/v1/geofences?q=${encodeURIComponent(GATE)}`);
      assert.equal(gone.body.items.length, 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("fits a 1366 px laptop and a phone", async () => {
    for (const viewport of [
      { width: 1366, height: 768 },
      { width: 390, height: 844 },
    ]) {
      const { page, context, problems } = await signedIn(viewport);
      try {
        await list(page).getByRole("button", { name: YARD }).click();
        await page.getByRole("form", { name: `Edit ${YARD}` }).waitFor();
        await assertFits(page, viewport.width);
        const map = await page.locator(".map-canvas canvas").boundingBox();
        assert.ok(map.width >= Math.min(300, viewport.width - 40) && map.height >= 200, "the map is usable");
        await screenshot(page, `geofences-${viewport.width}`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  });
});

/** The session's CSRF token, as the app sends it on writes. */
async function csrf(page) {
  const cookies = await page.context().cookies();
  return cookies.find((c) => /csrf/i.test(c.name))?.value ?? "";
}
