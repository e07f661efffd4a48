/**
 * This browser and Web Push: ask permission (only when the person asks for push), subscribe
 * with the organisation's VAPID key through the service worker, hand the subscription to the
 * server; and the way back. The browser's objects come in as parameters so tests can pass
 * their own.
 */

export interface PushEnvironment {
  notification: Pick<typeof Notification, "permission" | "requestPermission"> | undefined;
  serviceWorker: Pick<ServiceWorkerContainer, "ready"> | undefined;
}

export type PushState = "unsupported" | "denied" | "off" | "on";

export interface SubscriptionJson {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

export interface PushServer {
  vapidPublicKey: () => Promise<string>;
  save: (subscription: SubscriptionJson) => Promise<void>;
  forget: (endpoint: string) => Promise<void>;
}

export function browserEnvironment(): PushEnvironment {
  return {
    notification: typeof Notification === "undefined" ? undefined : Notification,
    serviceWorker:
      typeof navigator !== "undefined" && "serviceWorker" in navigator
        ? navigator.serviceWorker
        : undefined,
  };
}

/** A VAPID key as browsers want it (`applicationServerKey`): base64url → bytes. */
export function urlBase64ToUint8Array(value: string): Uint8Array<ArrayBuffer> {
  const padded = (value + "=".repeat((4 - (value.length % 4)) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function supported(env: PushEnvironment): env is Required<{
  [K in keyof PushEnvironment]: NonNullable<PushEnvironment[K]>;
}> {
  return env.notification !== undefined && env.serviceWorker !== undefined;
}

/** Whether this browser pushes to us now. */
export async function pushState(env: PushEnvironment): Promise<PushState> {
  if (!supported(env)) return "unsupported";
  if (env.notification.permission === "denied") return "denied";
  const registration = await env.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  return subscription && env.notification.permission === "granted" ? "on" : "off";
}

/** Ask permission, subscribe with the organisation's key and tell the server. */
export async function turnPushOn(env: PushEnvironment, server: PushServer): Promise<PushState> {
  if (!supported(env)) return "unsupported";
  const permission = await env.notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "denied" : "off";
  const registration = await env.serviceWorker.ready;
  const key = urlBase64ToUint8Array(await server.vapidPublicKey());
  const existing = await registration.pushManager.getSubscription();
  const subscription =
    existing ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  await server.save(subscription.toJSON() as SubscriptionJson);
  return "on";
}

/** Unsubscribe this browser and tell the server. */
export async function turnPushOff(env: PushEnvironment, server: PushServer): Promise<PushState> {
  if (!supported(env)) return "unsupported";
  const registration = await env.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    await server.forget(subscription.endpoint);
    await subscription.unsubscribe();
  }
  return "off";
}
