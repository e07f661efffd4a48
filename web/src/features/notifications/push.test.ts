import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it, vi } from "vitest";

import { pushState, turnPushOff, turnPushOn, urlBase64ToUint8Array, type PushEnvironment } from "./push";

const KEY = "BOOmic07RjgwhDpRAmhu1m2MeuRpPI5klSaqXjhjbYwsL3vZhFNboJ7n15OjXoCwED2idzd-Ybn6YKKwG1LBIos";

function fakeBrowser(permission: NotificationPermission, answer: NotificationPermission = "granted") {
  let current: { endpoint: string; toJSON: () => unknown; unsubscribe: () => Promise<boolean> } | null = null;
  const subscribe = vi.fn(async (options: PushSubscriptionOptionsInit) => {
    current = {
      endpoint: "https://push.example.com/abc",
      toJSON: () => ({
        endpoint: "https://push.example.com/abc",
        expirationTime: null,
        keys: { p256dh: "p", auth: "a" },
        applicationServerKeyLength: (options.applicationServerKey as Uint8Array).length,
      }),
      unsubscribe: async () => {
        current = null;
        return true;
      },
    };
    return current;
  });
  const notification = {
    permission,
    requestPermission: vi.fn(async () => {
      notification.permission = answer;
      return answer;
    }),
  };
  const env = {
    notification,
    serviceWorker: {
      ready: Promise.resolve({
        pushManager: { subscribe, getSubscription: async () => current },
      }),
    },
  } as unknown as PushEnvironment;
  return { env, subscribe, notification };
}

function fakeServer() {
  return {
    vapidPublicKey: vi.fn(async () => KEY),
    save: vi.fn(async () => {}),
    forget: vi.fn(async () => {}),
  };
}

describe("web push", () => {
  it("turns a VAPID key into the 65 bytes of an uncompressed P-256 point", () => {
    const bytes = urlBase64ToUint8Array(KEY);
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(4);
  });

  it("asks permission only when turned on, subscribes with the key and tells the server", async () => {
    const { env, subscribe, notification } = fakeBrowser("default");
    const server = fakeServer();
    expect(await pushState(env)).toBe("off");
    expect(notification.requestPermission).not.toHaveBeenCalled();

    expect(await turnPushOn(env, server)).toBe("on");
    expect(notification.requestPermission).toHaveBeenCalledOnce();
    expect(subscribe).toHaveBeenCalledWith(expect.objectContaining({ userVisibleOnly: true }));
    expect(server.save).toHaveBeenCalledWith(
      expect.objectContaining({ endpoint: "https://push.example.com/abc", applicationServerKeyLength: 65 }),
    );
    expect(await pushState(env)).toBe("on");

    expect(await turnPushOff(env, server)).toBe("off");
    expect(server.forget).toHaveBeenCalledWith("https://push.example.com/abc");
    expect(await pushState(env)).toBe("off");
  });

  it("respects a refusal and a browser without push", async () => {
    const { env, subscribe } = fakeBrowser("default", "denied");
    const server = fakeServer();
    expect(await turnPushOn(env, server)).toBe("denied");
    expect(subscribe).not.toHaveBeenCalled();
    expect(server.save).not.toHaveBeenCalled();
    const none = { notification: undefined, serviceWorker: undefined };
    expect(await pushState(none)).toBe("unsupported");
    expect(await turnPushOn(none, server)).toBe("unsupported");
  });
});

describe("the service worker's push handler", () => {
  function loadWorker() {
    const listeners: Record<string, (event: unknown) => void> = {};
    const showNotification = vi.fn(async () => {});
    const windows: { focus: () => Promise<unknown>; navigate: (url: string) => Promise<unknown> }[] = [];
    const clients = {
      matchAll: vi.fn(async () => windows),
      openWindow: vi.fn(async () => null),
    };
    const self: Record<string, unknown> = {
      addEventListener: (type: string, listener: (event: unknown) => void) => (listeners[type] = listener),
      registration: { showNotification },
      location: { origin: "https://fleet.example.com" },
    };
    const source = readFileSync(join(__dirname, "../../../public/push-sw.js"), "utf8");
    new Function("self", "clients", source)(self, clients);
    return { listeners, showNotification, clients, windows };
  }

  it("shows the grouped notification the server pushed, one per tag", async () => {
    const { listeners, showNotification } = loadWorker();
    const waits: Promise<unknown>[] = [];
    listeners.push!({
      data: {
        json: () => ({
          title: "1,000 alerts: Diagnostic trouble code P0301",
          body: "1,000 identical alerts between 07:00 and 07:01 UTC",
          severity: "critical",
          count: 1000,
          tag: "n-1",
          url: "https://fleet.example.com/alerts/a-1",
        }),
      },
      waitUntil: (promise: Promise<unknown>) => waits.push(promise),
    });
    await Promise.all(waits);
    expect(showNotification).toHaveBeenCalledWith(
      "1,000 alerts: Diagnostic trouble code P0301",
      expect.objectContaining({ tag: "n-1", requireInteraction: true, data: { url: "https://fleet.example.com/alerts/a-1" } }),
    );
  });

  it("opens the app at the alert on a click, never another origin", async () => {
    const { listeners, clients } = loadWorker();
    const close = vi.fn();
    const waits: Promise<unknown>[] = [];
    listeners.notificationclick!({
      notification: { close, data: { url: "https://evil.example.net/phish" } },
      waitUntil: (promise: Promise<unknown>) => waits.push(promise),
    });
    await Promise.all(waits);
    expect(close).toHaveBeenCalled();
    expect(clients.openWindow).toHaveBeenCalledWith("/alerts");
  });
});
