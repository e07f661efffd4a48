// Search in real headless Chromium against the real server (seeded by tests/web/e2e_server.py;
// documents indexed by the server's own indexer from the seeding's events): `/` focuses the
// header's box, a typo ("trnsit") suggests grouped records, Enter opens the vehicle; the
// results page shows counts beside the results; the vehicles list's facet counts are the
// fleet's and filter it; the home screen shows the fleet summary's figures. axe-core's rules
// pass and nothing overflows at 1366 px or on a phone. Screenshots: test-artifacts/web/search-*.png.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 15_000;
const INDEXED_MS = 60_000;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

async function signedIn(viewport = DESKTOP, next) {
  // bypassCSP: the accessibility check injects axe-core as an inline script.
  const opened = await openPage(browser, { timeout: TIMEOUT, viewport, expected4xx: true, bypassCSP: true });
  await logIn(opened.page, server.base_url, server.a.email, server.password, next);
  await opened.page.waitForURL((url) => url.pathname === (next ?? "/"));
  return opened;
}

/** Every vehicle of the tenant, read page by page from the API (the truth to count against). */
function allVehicles(page) {
  return page.evaluate(async () => {
    const vehicles = [];
    let cursor = "";
    do {
      const answer = await (await fetch(`/api/v1/vehicles?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json();
      vehicles.push(...answer.items);
      cursor = answer.next_cursor ?? "";
    } while (cursor);
    return vehicles;
  });
}

/** Wait until search holds every vehicle (the indexer works from the seeding's events). */
async function waitUntilIndexed(page) {
  const total = (await allVehicles(page)).length;
  await page.waitForFunction(
    async (expected) => {
      const answer = await (await fetch("/api/v1/search?types=vehicle&limit=1")).json();
      return answer.total === expected;
    },
    total,
    { timeout: INDEXED_MS, polling: 250 },
  );
  return total;
}

/** The rules Lighthouse's accessibility audit runs (axe-core) that fail on the page. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/** What would make the page scroll sideways (a wide table scrolls in its own box, by design). */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => !el.closest(".table-scroll") && el.getClientRects().length > 0)
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { scroll: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5) };
  });
}

const box = (page) => page.getByRole("combobox", { name: "Find in the fleet" });
const parseCount = (text) => Number(String(text).replace(/[^\d]/g, ""));

describe("search", () => {
  test("/ focuses the box; a typo suggests grouped records; Enter opens the vehicle", async () => {
    const { page, context, problems } = await signedIn();
    await page.getByRole("heading", { level: 1, name: "Fleet overview" }).waitFor();
    await waitUntilIndexed(page);

    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "combobox");
    await page.keyboard.type("trnsit");
    const list = page.getByRole("listbox", { name: "Quick find results" });
    const vehicles = list.getByRole("group", { name: "Vehicles" });
    await vehicles.getByRole("option").first().waitFor();
    assert.equal(await box(page).getAttribute("aria-expanded"), "true");
    // the typo matched as Transit, marked in what the server matched
    const marked = await vehicles.locator("mark").allTextContents();
    assert.ok(marked.length > 0 && marked.every((text) => /^transit$/i.test(text)), marked.join());
    const groups = await list.getByRole("group").evaluateAll((els) => els.map((el) => el.getAttribute("aria-label")));
    assert.ok(groups.includes("Vehicles"), groups.join());
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "search-1-suggestions");

    // arrows move to the first vehicle; Enter opens its page
    const first = vehicles.getByRole("option").first();
    const firstId = await first.getAttribute("id");
    for (let step = 0; step < 10; step += 1) {
      await page.keyboard.press("ArrowDown");
      if ((await box(page).getAttribute("aria-activedescendant")) === firstId) break;
    }
    assert.equal(await first.getAttribute("aria-selected"), "true");
    const plate = (await first.locator(".search-option-title").textContent()).trim();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/vehicles\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { level: 1, name: plate }).waitFor();
    assert.equal(await list.isVisible(), false);

    // Escape closes; Enter with nothing chosen opens every result, counts beside them
    await page.keyboard.press("/");
    await page.keyboard.type("ford trnsit");
    await vehicles.getByRole("option").first().waitFor();
    await page.keyboard.press("Escape");
    await list.waitFor({ state: "hidden" });
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === "ford trnsit");
    const facets = page.getByRole("region", { name: "Filter results" });
    const fords = facets.getByRole("button", { name: /^Ford \d+$/ });
    await fords.waitFor();
    const status = page.getByRole("status").filter({ hasText: /results? for “ford trnsit”/ });
    const total = parseCount((await status.textContent()).split(" ")[0]);
    assert.equal(parseCount(await fords.textContent()), total);
    const answer = await page.evaluate(async () => (await fetch("/api/v1/search?q=ford%20trnsit&limit=1")).json());
    assert.equal(answer.total, total);
    await page.getByRole("button", { name: "More results" }).click();
    await page.waitForFunction((n) => document.querySelectorAll(".search-result").length === Math.min(n, 40), total);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "search-2-results");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the vehicles list: facet counts are the fleet's, and filter it", async () => {
    const { page, context, problems } = await signedIn(DESKTOP, "/vehicles");
    await waitUntilIndexed(page);
    const fleet = await allVehicles(page);
    const count = (make) => fleet.filter((v) => v.make === make).length;
    const facets = page.getByRole("region", { name: "Filter vehicles" });
    const makes = facets.getByRole("group", { name: "Make" });
    const ford = makes.getByRole("button", { name: /^Ford \d+$/ });
    const volvo = makes.getByRole("button", { name: /^Volvo \d+$/ });
    await ford.waitFor();
    assert.equal(parseCount(await ford.textContent()), count("Ford"));
    assert.equal(parseCount(await volvo.textContent()), count("Volvo"));
    const active = facets.getByRole("group", { name: "Status" }).getByRole("button", { name: /^Active \d+$/ });
    assert.equal(parseCount(await active.textContent()), fleet.filter((v) => v.status.state === "active").length);

    const counted = page.locator(".app-main p[role=status]").first();
    await ford.click();
    await page.waitForURL((url) => url.searchParams.getAll("make").join() === "Ford");
    await counted.getByText(`${count("Ford")} vehicles`).waitFor();
    const models = await page.locator(".vehicle-table tbody tr[aria-rowindex] td:nth-child(8)").allTextContents();
    assert.ok(models.length > 0 && models.every((m) => m === "Ford Transit"), models.join());
    // Volvo is still counted (its facet is counted without its own choice): any of the two
    assert.equal(parseCount(await volvo.textContent()), count("Volvo"));
    await volvo.click();
    await counted.getByText(`${count("Ford") + count("Volvo")} vehicles`).waitFor();
    await volvo.click();

    // the list's text box searches through search: the typo finds the Transits, best first
    await page.getByLabel("Search", { exact: true }).fill("trnsit");
    await page.waitForURL((url) => url.searchParams.get("q") === "trnsit");
    await counted.getByText(`${count("Ford")} vehicles`).waitFor();
    await counted.getByText(/Best matches first/).waitFor();
    // a column still sorts
    await page.getByRole("button", { name: /^Plate/ }).click();
    await page.waitForFunction(() => {
      const plates = [...document.querySelectorAll(".vehicle-table tbody tr[aria-rowindex] td:first-child")].map(
        (td) => td.textContent,
      );
      return plates.length > 1 && plates.every((p, i) => i === 0 || plates[i - 1].localeCompare(p, undefined, { numeric: true }) <= 0);
    });
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "search-3-vehicles-facets");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL((url) => !url.searchParams.has("make"));
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the home screen shows the fleet summary's figures", async () => {
    const { page, context, problems } = await signedIn();
    await page.locator('[data-figure^="summary."]').first().waitFor();
    const shown = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('[data-figure^="summary."]')].map((el) => [el.dataset.figure, el.textContent]),
      ),
    );
    const summary = await page.evaluate(async () => (await fetch("/api/v1/fleet/summary")).json());
    const expected = {};
    for (const [status, n] of Object.entries(summary.vehicles.by_status)) expected[`summary.vehicles.by_status.${status}`] = n;
    for (const [type, n] of Object.entries(summary.vehicles.by_type)) expected[`summary.vehicles.by_type.${type}`] = n;
    for (const depot of summary.vehicles.by_depot.slice(0, 8)) {
      expected[`summary.vehicles.by_depot.${depot.group_id ?? "none"}`] = depot.vehicles;
    }
    expected["summary.reservations_today.total"] = summary.reservations_today.total;
    for (const [name, value] of Object.entries(expected)) {
      assert.ok(name in shown, `the home screen shows ${name}`);
      assert.equal(parseCount(shown[name]), value, name);
    }
    // what /dashboard already shows is not shown twice
    assert.equal(await page.locator('[data-figure="vehicles.total"]').count(), 1);
    const depot = page.getByRole("region", { name: "Vehicles by depot" }).getByRole("link", { name: /North depot/ });
    await depot.click();
    await page.waitForURL((url) => url.pathname === "/vehicles" && url.searchParams.get("group") === server.a.group.id);
    const north = summary.vehicles.by_depot.find((d) => d.group_id === server.a.group.id).vehicles;
    await page.locator(".app-main p[role=status]").first().getByText(`${north} vehicles`).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("nothing overflows at 1366 px or on a phone; axe passes on a phone with the box open", async () => {
    for (const [name, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      const { page, context, problems } = await signedIn(viewport);
      await page.locator('[data-figure^="summary."]').first().waitFor();
      let found = await overflow(page);
      assert.ok(found.scroll <= 0 && found.wide.length === 0, `${name} home: ${JSON.stringify(found)}`);
      await page.goto(`${server.base_url}/vehicles?make=Ford`);
      await page.getByRole("region", { name: "Filter vehicles" }).getByRole("button", { name: /^Ford \d+$/ }).waitFor();
      found = await overflow(page);
      assert.ok(found.scroll <= 0 && found.wide.length === 0, `${name} vehicles: ${JSON.stringify(found)}`);
      await box(page).click();
      await page.keyboard.type("trnsit");
      await page.getByRole("listbox", { name: "Quick find results" }).getByRole("option").first().waitFor();
      found = await overflow(page);
      assert.ok(found.scroll <= 0 && found.wide.length === 0, `${name} box: ${JSON.stringify(found)}`);
      assert.deepEqual(await axeViolations(page), [], name);
      await screenshot(page, `search-4-${name}`);
      await page.goto(`${server.base_url}/search?q=trnsit`);
      await page.getByRole("region", { name: "Filter results" }).waitFor();
      found = await overflow(page);
      assert.ok(found.scroll <= 0 && found.wide.length === 0, `${name} results: ${JSON.stringify(found)}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
});
