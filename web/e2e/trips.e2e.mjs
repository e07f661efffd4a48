// A vehicle's trips and a driver's scorecard in real headless Chromium against the real server
// (tests/web/trips_server.py: one drive sent through the OsmAnd gateway, its trip, harsh stop and
// speeding detected by the pipeline): the trip is on the timeline, picked, drawn and played
// back; the driver's scorecard shows the harsh braking deduction and its event, whose link
// opens the trip at that moment, and a small map of where it happened; the drivers list shows
// the week's best and worst drivers, linking to the full leaderboard. On a phone's width nothing
// overflows sideways.
// Screenshots land in test-artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, logIn, openPage, screenshot, startServer } from "./harness.mjs";

const TIMEOUT = 30_000;
let server;
let browser;

before(async () => {
  server = await startServer("tests.web.trips_server");
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(next, viewport = { width: 1366, height: 768 }) {
  const opened = await openPage(browser, { timeout: TIMEOUT, viewport });
  await logIn(opened.page, server.base_url, server.email, server.password, next);
  await opened.page.waitForURL(`**${next.split("?")[0]}*`);
  return opened;
}

describe("trips and driver scores", () => {
  test("a vehicle's trip is on its timeline, drawn on the map and played back", async () => {
    const { page, context, problems } = await signedIn(`/vehicles/${server.vehicle.id}`);
    await page.getByRole("link", { name: "Trips and stops" }).click();
    await page.waitForURL(`**/vehicles/${server.vehicle.id}/trips`);
    const trip = page.getByRole("button", { name: /^.*Trip from / }).first();
    await trip.waitFor();
    await trip.click();
    assert.equal(await trip.getAttribute("aria-pressed"), "true");
    // the route is on the map: its source holds the trip's track
    await page.waitForFunction(() => {
      const map = window.__fleetyardMap;
      const data = map?.getSource("trip-route")?.serialize()?.data;
      const feature = data?.geojson ?? data; // MapLibre 5 keeps it wrapped
      return Boolean(map?.getLayer("trip-route-line")) && (feature?.geometry?.coordinates?.length ?? 0) > 100;
    });
    await page.getByRole("button", { name: /Harsh braking/ }).waitFor();
    const slider = page.getByRole("slider", { name: "Time in the trip" });
    const before = Number(await slider.inputValue());
    await page.getByLabel("Speed").selectOption("60");
    await page.getByRole("button", { name: "Play" }).click();
    await page.waitForFunction(
      ([start]) => Number(document.querySelector(".trip-slider")?.value) > start + 5_000,
      [before],
    );
    await page.getByRole("button", { name: "Pause" }).click();
    await screenshot(page, "trips-playback");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a driver's scorecard shows a deduction's events, each opening the trip at its moment", async () => {
    const { page, context, problems } = await signedIn(`/drivers/${server.driver.id}`);
    await page.getByRole("link", { name: "Driving score and what took points off" }).click();
    await page.waitForURL(`**/drivers/${server.driver.id}/scorecard`);
    const score = Number(await page.getByTestId("driver-score").textContent());
    assert.ok(score < 100, `a harsh stop takes points off (score ${score})`);
    await page.getByText("Harsh braking", { exact: false }).first().click();
    const link = page.getByRole("link", { name: /Play back the trip at this moment/ }).first();
    await link.waitFor();
    // the opened deduction's small map holds its events where they happened
    await page.getByRole("region", { name: /Map: where the harsh braking events happened/ }).waitFor();
    await page.waitForFunction(() => {
      const map = window.__fleetyardMap;
      const data = map?.getSource("scorecard-events")?.serialize()?.data;
      const features = (data?.geojson ?? data)?.features ?? [];
      return Boolean(map?.getLayer("scorecard-events-dot")) && features.length > 0 &&
        features.every((f) => Math.abs(f.geometry.coordinates[1]) <= 90 && Math.abs(f.geometry.coordinates[0]) <= 180);
    });
    const show = page.getByRole("button", { name: /Show on the map/ }).first();
    await show.click();
    assert.equal(await show.getAttribute("aria-pressed"), "true");
    await page.waitForFunction(() => {
      const data = window.__fleetyardMap?.getSource("scorecard-events")?.serialize()?.data;
      return ((data?.geojson ?? data)?.features ?? []).some((f) => f.properties.selected === true);
    });
    // the basemap drew (MapView shows its canvas once complete)
    await page.locator(".deduction-map .map-canvas:not([data-drawing])").waitFor();
    await screenshot(page, "scorecard");
    await link.click();
    await page.waitForURL(/\/trips\?.*at=\d+/);
    const picked = page.getByRole("button", { pressed: true });
    await picked.waitFor();
    await page.getByRole("slider", { name: "Time in the trip" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the drivers list sums up the week's scores, the leaderboard ranks the driver, and both fit a phone", async () => {
    const { page, context, problems } = await signedIn("/drivers", { width: 390, height: 844 });
    const summary = page.getByRole("region", { name: "This week's driving scores" });
    await summary.getByRole("list", { name: "Safest" }).getByRole("link", { name: server.driver.name }).waitFor();
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(sideways <= 0, `the drivers list scrolls sideways by ${sideways}px`);
    await screenshot(page, "drivers-scores-summary-phone");
    await summary.getByRole("link", { name: "Full leaderboard" }).click();
    await page.waitForURL("**/drivers/scores");
    // The URL changes before the lazily loaded leaderboard replaces the list: look inside it.
    await page.getByRole("region", { name: "Drivers by score" }).getByRole("link", { name: server.driver.name }).waitFor();
    await page.goto(`${server.base_url}/vehicles/${server.vehicle.id}/trips`);
    await page.getByRole("button", { name: /Trip from / }).first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await screenshot(page, "trips-phone");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
