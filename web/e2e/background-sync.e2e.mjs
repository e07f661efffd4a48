// Background Sync in real headless Chromium against the real server: a driver edit and an
// alert acknowledgement made offline, the app closed, the network back, the service worker's
// `sync` event (dispatched through the DevTools protocol, as the browser would): the server
// holds each change exactly once, sent by the worker with no page open.
//
// "The network" is a small proxy in front of the server that this test cuts and restores:
// the browser itself stays online, so the page (also emulated offline) and the service worker
// both really fail to reach the API while it is down.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { chromium, request } from "playwright-core";

import { BROWSER_ARGS, CHROMIUM, logIn, screenshot, startServer } from "./harness.mjs";

const TIMEOUT = 20_000;
const SYNC_TAG = "fleetyard-changes";
let server;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** A proxy to the server whose API can be cut (connections dropped) and restored. */
async function startProxy(target) {
  const upstream = new URL(target);
  const state = { down: false, forwarded: [] };
  const proxy = http.createServer((req, res) => {
    if (state.down && req.url.startsWith("/api")) {
      req.socket.destroy(); // no answer at all, as with no network
      return;
    }
    if (req.method !== "GET" && req.url.startsWith("/api") && !req.url.startsWith("/api/v1/auth/")) {
      state.forwarded.push({
        method: req.method,
        path: req.url,
        key: req.headers["idempotency-key"] ?? null,
        at: Date.now(),
      });
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  proxy.on("upgrade", (_req, socket) => socket.destroy()); // no live updates through it
  await new Promise((done) => proxy.listen(0, "127.0.0.1", done));
  const { port } = proxy.address();
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () => new Promise((done) => proxy.close(done)),
  };
}

/** A session of the same user straight on the server (what a second device would see). */
async function apiSession(email) {
  const api = await request.newContext({ baseURL: server.base_url });
  const login = await api.post("/api/v1/auth/login", { data: { email, password: server.password } });
  assert.equal(login.status(), 200);
  const headers = { "X-CSRF-Token": (await login.json()).csrf_token };
  const patch = async (path, data) => {
    const response = await api.patch(path, { data, headers });
    assert.ok(response.ok(), `PATCH ${path}: ${response.status()}`);
    return response.json();
  };
  const get = async (path) => {
    const response = await api.get(path);
    assert.ok(response.ok(), `GET ${path}: ${response.status()}`);
    return response.json();
  };
  return {
    get,
    patch,
    events: async (entityType, entityId, type) =>
      (await get(`/api/v1/events?entity_type=${entityType}&entity_id=${entityId}&type=${type}&limit=100`)).items,
    close: () => api.dispose(),
  };
}

/** Poll `check` until it returns a truthy value (no fixed sleeps). */
async function until(check, what, timeoutMs = TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
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

/** The stored change queue (IndexedDB), as the page sees it. */
function storedChanges(page) {
  return page.evaluate(
    () =>
      new Promise((done, fail) => {
        const open = indexedDB.open("fleetyard-offline");
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const read = db.transaction("changes").objectStore("changes").getAll();
          read.onsuccess = () => {
            db.close();
            done(read.result.map((c) => ({ kind: c.kind, status: c.status, key: c.idempotencyKey, path: c.request.path })));
          };
        };
      }),
  );
}

/** Client-side navigation inside the open app (no reload: the page stays as it was). */
async function navigateInApp(page, path) {
  await page.evaluate((to) => {
    history.pushState({}, "", to);
    dispatchEvent(new PopStateEvent("popstate"));
  }, path);
}

describe("Background Sync", () => {
  test("edits queued offline reach the server exactly once, sent by the service worker with the app closed", async (t) => {
    const proxy = await startProxy(server.base_url);
    const profile = mkdtempSync(join(tmpdir(), "fy-sync-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: BROWSER_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    const other = await apiSession(server.a.email);
    try {
      const dana = server.offline.drivers.find((d) => d.name === "Dana Driver");
      const eli = server.offline.drivers.find((d) => d.name === "Eli Driver");
      const fuelMessage = server.screens.open_alerts[1];
      const fuel = (await other.get("/api/v1/alerts?state=open&limit=100")).items.find((a) => a.message === fuelMessage);
      assert.ok(fuel && !fuel.acknowledged_at, "the fuel alert is open and unacknowledged");
      const danaBefore = await other.get(`/api/v1/drivers/${dana.id}`);
      const phone = "+358405550101";
      assert.notEqual(danaBefore.phone, phone);

      // Online: the app installs its service worker; the driver's form and the alerts load.
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(TIMEOUT);
      await logIn(page, proxy.url, server.a.email, server.password, "/alerts");
      const ackButton = page.getByRole("button", { name: `Acknowledge alert: ${fuelMessage}` });
      await ackButton.waitFor();
      await waitForServiceWorker(page);
      assert.equal(await page.evaluate(() => "SyncManager" in window), true, "this Chromium has Background Sync");
      await navigateInApp(page, `/drivers/${eli.id}/edit`);
      await page.getByRole("heading", { level: 1, name: "Edit Eli Driver" }).waitFor();
      await navigateInApp(page, `/drivers/${dana.id}/edit`);
      await page.getByRole("heading", { level: 1, name: "Edit Dana Driver" }).waitFor();
      const phoneField = page.getByLabel(/^Phone/);

      // The network goes: the proxy drops every API connection, and the page is offline too.
      proxy.state.down = true;
      await context.setOffline(true);
      await phoneField.fill(phone);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { level: 1, name: "Dana Driver" }).waitFor();
      await page.locator(".record-sync").getByText("Will be sent when the network allows").waitFor();
      // Eli's phone too, while someone else changes Eli on another device: a conflict to come.
      await navigateInApp(page, `/drivers/${eli.id}/edit`);
      await page.getByRole("heading", { level: 1, name: "Edit Eli Driver" }).waitFor();
      await page.getByLabel(/^Phone/).fill("+358405550202");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { level: 1, name: "Eli Driver" }).waitFor();
      const eliNow = await other.get(`/api/v1/drivers/${eli.id}`);
      await other.patch(`/api/v1/drivers/${eli.id}`, { version: eliNow.version, email: "eli@example.com" });
      await navigateInApp(page, "/alerts");
      await ackButton.click();
      const row = page.getByRole("row").filter({ hasText: fuelMessage });
      await row.getByText("Will be sent when the network allows").waitFor();
      await screenshot(page, "background-sync-queued");

      // Both are stored, waiting, and the page asked for a Background Sync.
      const queued = await until(async () => {
        const changes = await storedChanges(page);
        return changes.length === 3 && changes.every((c) => c.status === "pending") ? changes : null;
      }, "three pending changes in IndexedDB");
      assert.deepEqual(queued.map((c) => c.kind).sort(), ["alerts.acknowledge-inbox", "drivers.update", "drivers.update"]);
      const tags = await until(
        () => page.evaluate(async () => (await navigator.serviceWorker.ready).sync.getTags()),
        "a registered sync",
      );
      assert.ok(tags.includes(SYNC_TAG), `sync tags: ${tags}`);
      assert.equal(proxy.state.forwarded.length, 0, "nothing reached the server while offline");

      // The app is closed; then the network comes back.
      const origin = new URL(proxy.url).origin;
      await page.close();
      assert.equal(context.pages().length, 0, "no page of the app is open");
      const closedAt = Date.now();
      proxy.state.down = false;
      await context.setOffline(false);

      // The browser's sync, dispatched now through the DevTools protocol (from a blank tab:
      // no page of the app's origin is open).
      const blank = await context.newPage();
      const cdp = await context.newCDPSession(blank);
      const registrations = [];
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: updated }) => registrations.push(...updated));
      await cdp.send("ServiceWorker.enable");
      const registration = await until(
        () => registrations.find((r) => r.scopeURL.startsWith(origin) && !r.isDeleted),
        "the app's service worker registration",
      );
      const dispatchedAt = Date.now();
      await cdp.send("ServiceWorker.dispatchSyncEvent", {
        origin,
        registrationId: registration.registrationId,
        tag: SYNC_TAG,
        lastChance: false,
      });

      // The server has both changes.
      const saved = await until(async () => {
        const driver = await other.get(`/api/v1/drivers/${dana.id}`);
        return driver.phone === phone ? driver : null;
      }, "the driver edit on the server");
      assert.equal(saved.version, danaBefore.version + 1, "applied once: one version step");
      await until(async () => {
        const alerts = (await other.get("/api/v1/alerts?state=open&limit=100")).items;
        return alerts.find((a) => a.id === fuel.id)?.acknowledged_at;
      }, "the acknowledgement on the server");
      t.diagnostic(`both changes on the server ${Date.now() - dispatchedAt} ms after the sync event`);

      // Sent by the worker, after the app closed, each with its own key, applied once.
      const mutations = proxy.state.forwarded;
      assert.ok(mutations.length >= 2);
      assert.ok(mutations.every((m) => m.at >= closedAt), "nothing was sent before the app closed");
      await until(
        () => mutations.some((m) => m.path === `/api/v1/drivers/${eli.id}`),
        "Eli's edit sent (and refused: a version conflict)",
      );
      for (const change of queued) {
        const sent = mutations.filter((m) => m.path === change.path);
        assert.ok(sent.length >= 1, `${change.path} was sent`);
        assert.deepEqual([...new Set(sent.map((m) => m.key))], [change.key], "every send with the edit's own key");
      }
      assert.equal((await other.events("driver", dana.id, "driver_updated")).length, 1);
      assert.equal((await other.events("alert", fuel.id, "alert_acknowledged")).length, 1);
      assert.equal((await other.events("driver", eli.id, "driver_updated")).length, 1, "only the other device's edit");
      assert.equal((await other.get(`/api/v1/drivers/${eli.id}`)).phone, eliNow.phone);

      // Opening the app again: two saved, the conflict shown to resolve, nothing sent again.
      const again = await context.newPage();
      again.setDefaultTimeout(TIMEOUT);
      await again.goto(`${proxy.url}/drivers/${dana.id}`);
      await again.getByRole("heading", { level: 1, name: "Dana Driver" }).waitFor();
      const after = await until(async () => {
        const changes = await storedChanges(again);
        const synced = changes.filter((c) => c.status === "synced");
        const conflicts = changes.filter((c) => c.status === "conflict");
        return synced.length === 2 && conflicts.length === 1 ? { synced, conflicts } : null;
      }, "two changes synced and one in conflict in the stored queue");
      assert.equal(after.conflicts[0].path, `/api/v1/drivers/${eli.id}`);
      await again.getByText(phone).waitFor();
      const sentBefore = proxy.state.forwarded.length;
      await until(
        async () => /1 to resolve/.test((await again.locator(".sync-button").textContent()) ?? ""),
        "the header saying one change is to resolve",
      ).catch(async (error) => {
        throw new Error(`${error.message}: "${await again.locator(".sync-button").textContent()}"`);
      });
      await navigateInApp(again, `/drivers/${eli.id}`);
      const problem = again.getByRole("group", { name: "Problem: Edit driver Eli Driver" });
      await problem.getByText("Changed by someone else meanwhile.").waitFor();
      await screenshot(again, "background-sync-conflict");
      assert.equal(proxy.state.forwarded.length, sentBefore);
      assert.equal((await other.events("driver", dana.id, "driver_updated")).length, 1);
      assert.equal((await other.events("alert", fuel.id, "alert_acknowledged")).length, 1);

      // The same worker still shows Web Push notifications (public/push-sw.js, imported).
      await context.grantPermissions(["notifications"], { origin });
      await cdp.send("ServiceWorker.deliverPushMessage", {
        origin,
        registrationId: registration.registrationId,
        data: JSON.stringify({ title: "Coolant high", body: "AC-0001", tag: "push-test", url: "/alerts" }),
      });
      const shown = await until(async () => {
        const titles = await again.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications({ tag: "push-test" })).map((n) => n.title),
        );
        return titles.length ? titles : null;
      }, "the push notification");
      assert.deepEqual(shown, ["Coolant high"]);
      await cdp.detach();
    } finally {
      await other.close();
      await context.close();
      await proxy.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
