// The driver's inspection (DVIR) in real headless Chromium on a phone against the real server:
// the checklist loads online, the network drops, the form is filled in with a failed item and
// its photo, the submission waits in the offline queue, and once the network is back it is
// stored exactly once (one inspection, one defect with its photo, one event); then a mechanic
// signs the defect off on the defects screen.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { request } from "playwright-core";

import { logIn, openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 20_000;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
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
  const get = async (path) => {
    const response = await http.get(path);
    assert.ok(response.ok(), `${path}: ${response.status()}`);
    return response;
  };
  return { get: async (path) => (await get(path)).json(), bytes: async (path) => (await get(path)).body(), close: () => http.dispose() };
}

/** A real PNG to photograph the defect with: the app's own icon. */
async function aPng() {
  const manifest = await (await fetch(`${server.base_url}/manifest.webmanifest`)).json();
  const icon = manifest.icons.find((i) => i.type === "image/png");
  return Buffer.from(await (await fetch(`${server.base_url}${icon.src}`)).arrayBuffer());
}

describe("the driver's inspection", () => {
  test("filled in offline on a phone, stored once when the network is back, signed off", async () => {
    const { page, context, problems } = await openPage(browser, { timeout: TIMEOUT, consoleErrors: false, ...PHONE });
    const api = await apiSession(server.a.email);
    const vehicle = server.a.vehicles.find((v) => v.plate === "AC-0007");
    const png = await aPng();

    await logIn(page, server.base_url, server.a.email, server.password, `/inspections?vehicle=${vehicle.id}&kind=pre_trip`);
    await page.getByRole("heading", { level: 1, name: "Vehicle inspection" }).waitFor();
    const horn = page.getByRole("group", { name: "Horn works" });
    await horn.waitFor();
    // fits the phone: nothing wider than the screen
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
    const target = await horn.getByText("Pass", { exact: true }).boundingBox();
    assert.ok(target.height >= 44 && target.width >= 44, `touch target ${target.width}×${target.height}`);

    // The network drops; the driver goes on.
    await context.setOffline(true);
    const items = page.locator("fieldset.inspection-item");
    const count = await items.count();
    assert.ok(count >= 10, `${count} items`);
    for (let i = 0; i < count; i += 1) {
      await items.nth(i).getByText("Pass", { exact: true }).click();
    }
    const brakes = page.getByRole("group", { name: /Service brake stops the vehicle/ });
    await brakes.getByText("Fail", { exact: true }).click();
    await brakes.getByLabel("What is wrong?").fill("Pulls to the left");
    await brakes.getByLabel("Add photo").setInputFiles({ name: "brakes.png", mimeType: "image/png", buffer: png });
    await brakes.getByRole("img", { name: "Service brake stops the vehicle, 1" }).waitFor();
    await screenshot(page, "60-inspection-offline-form");
    await page.getByRole("button", { name: "Submit inspection" }).click();
    await page.getByText(/Saved on this device; it is sent to the server when the network allows/).waitFor();
    await page.getByText("Will be sent when the network allows").waitFor();
    await screenshot(page, "61-inspection-queued");
    assert.equal((await api.get(`/api/v1/inspections?vehicle_id=${vehicle.id}`)).items.length, 0);

    // Back online: the queue sends it, once.
    await context.setOffline(false);
    await page.getByText(/^Synced/).waitFor();
    const stored = (await api.get(`/api/v1/inspections?vehicle_id=${vehicle.id}`)).items;
    assert.equal(stored.length, 1);
    const [inspection] = stored;
    assert.equal(inspection.failed_count, 1);
    assert.equal(inspection.critical_count, 1);
    const [defect] = inspection.defects;
    assert.equal(defect.note, "Pulls to the left");
    assert.equal(defect.photos.length, 1);
    const photo = await api.bytes(`/api/v1/defects/${defect.id}/photos/${defect.photos[0].id}`);
    assert.ok(Buffer.compare(photo, png) === 0, "the photo comes back byte for byte");
    const events = await api.get(`/api/v1/events?entity_type=inspection&entity_id=${inspection.id}`);
    assert.deepEqual(
      events.items.map((e) => e.type),
      ["inspection_submitted"],
    );
    const status = (await api.get(`/api/v1/vehicles/${vehicle.id}`)).status;
    assert.equal(status.state, "in_maintenance"); // a critical defect: out of service

    // The mechanic's side (this user manages defects too): sign it off on the defects screen.
    await page.goto(`${server.base_url}/defects`);
    const card = page.getByRole("listitem", { name: `Service brake stops the vehicle on ${vehicle.plate}` });
    await card.getByText("Out of service").waitFor();
    await card.getByRole("img").first().waitFor();
    await screenshot(page, "62-defects");
    await card.getByLabel("Sign-off note").fill("Caliper replaced");
    await card.getByRole("button", { name: "Repaired: sign off" }).click();
    await page.getByText("No open defects.").waitFor();
    const signed = await api.get(`/api/v1/defects/${defect.id}`);
    assert.equal(signed.status, "resolved");
    assert.equal(signed.sign_off_note, "Caliper replaced");
    assert.equal((await api.get(`/api/v1/vehicles/${vehicle.id}`)).status.state, "active");
    assert.equal((await api.get(`/api/v1/inspections?vehicle_id=${vehicle.id}`)).items.length, 1);

    assert.deepEqual(problems, []);
    await api.close();
    await context.close();
  });
});
