// The API docs in real headless Chromium: /docs (Swagger UI) and /redoc (ReDoc) render from
// this origin alone, under the server's CSP, with no console error; Swagger UI's "Try it out"
// works with a signed-in browser session (reads, and changes with the CSRF token).
// Screenshots land in test-artifacts/web/.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { openPage, screenshot, withServerAndBrowser } from "./harness.mjs";

const TIMEOUT = 30_000;
let server;
let browser;

withServerAndBrowser((started, launched) => {
  server = started;
  browser = launched;
});

/**
 * A page whose console warnings join its problems, and whose every request is checked:
 * anything not to the server's origin is kept.
 */
async function docsPage() {
  const opened = await openPage(browser, { timeout: TIMEOUT });
  opened.page.on("console", (message) => {
    if (message.type() === "warning") opened.problems.push(`warning: ${message.text()}`);
  });
  const origin = new URL(server.base_url).origin;
  const elsewhere = [];
  opened.page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("data:") || url.startsWith("blob:")) return;
    if (new URL(url).origin !== origin) elsewhere.push(url);
  });
  return { ...opened, elsewhere };
}

async function signIn(context) {
  const response = await context.request.post(`${server.base_url}/api/v1/auth/login`, {
    data: { email: server.a.email, password: server.password },
  });
  assert.equal(response.status(), 200);
}

const operation = (page, tag, id) => page.locator(`#operations-${tag}-${id}`);

describe("the API docs", () => {
  test("/docs renders Swagger UI from this origin, under the CSP", async () => {
    const { page, context, problems, elsewhere } = await docsPage();
    const response = await page.goto(`${server.base_url}/docs`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"], /script-src 'self';/);

    await page.getByRole("heading", { name: /Fleetyard/ }).first().waitFor();
    const listVehicles = operation(page, "vehicles", "list_vehicles_api_v1_vehicles_get");
    await listVehicles.waitFor();
    assert.equal(await listVehicles.locator(".opblock-summary-method").textContent(), "GET");
    assert.equal(await listVehicles.locator(".opblock-summary-path").getAttribute("data-path"), "/api/v1/vehicles");
    assert.ok((await page.locator(".opblock").count()) > 40, "every operation is listed");
    // Its stylesheet applied: the operation block wears Swagger UI's GET colour.
    const background = await listVehicles.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(background, "rgba(0, 0, 0, 0)");
    await screenshot(page, "docs");

    assert.deepEqual(problems, []);
    assert.deepEqual(elsewhere, []);
    await context.close();
  });

  test("Swagger UI's Try it out reads and changes with the browser's session", async () => {
    const { page, context, problems, elsewhere } = await docsPage();
    await signIn(context);
    await page.goto(`${server.base_url}/docs`);

    const listVehicles = operation(page, "vehicles", "list_vehicles_api_v1_vehicles_get");
    await listVehicles.locator(".opblock-summary").click();
    await listVehicles.locator(".try-out__btn").click();
    await listVehicles.locator("button.execute").click();
    const listed = listVehicles.locator(".live-responses-table tbody .response-col_status").first();
    await listed.waitFor();
    assert.equal((await listed.textContent()).trim(), "200");
    assert.match(await listVehicles.locator(".live-responses-table").textContent(), /AC-0001/);
    await screenshot(page, "docs-try-it-out");

    // A change: the session cookie alone is refused without the CSRF token, which the
    // start-up script adds from the fy_csrf cookie.
    const name = `Docs group ${Date.now()}`;
    const createGroup = operation(page, "groups", "create_group_api_v1_groups_post");
    await createGroup.locator(".opblock-summary").click();
    await createGroup.locator(".try-out__btn").click();
    await createGroup.locator("textarea.body-param__text").fill(JSON.stringify({ name }));
    await createGroup.locator("button.execute").click();
    const created = createGroup.locator(".live-responses-table tbody .response-col_status").first();
    await created.waitFor();
    assert.equal((await created.textContent()).trim(), "201");
    const groups = await context.request.get(`${server.base_url}/api/v1/groups`);
    assert.ok((await groups.text()).includes(name), "the group was created");

    assert.deepEqual(problems, []);
    assert.deepEqual(elsewhere, []);
    await context.close();
  });

  test("/redoc renders ReDoc from this origin, under the CSP", async () => {
    const { page, context, problems, elsewhere } = await docsPage();
    const response = await page.goto(`${server.base_url}/redoc`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()["content-security-policy"], /script-src 'self';/);

    await page.getByRole("heading", { name: "List Vehicles" }).first().waitFor();
    await page.locator('[data-item-id="tag/vehicles/operation/list_vehicles_api_v1_vehicles_get"]').waitFor({ state: "attached" });
    const download = page.getByRole("link", { name: "Download" }).first();
    assert.equal(await download.getAttribute("href"), "/openapi.json");
    await screenshot(page, "redoc");

    assert.deepEqual(problems, []);
    assert.deepEqual(elsewhere, []);
    await context.close();
  });
});
