/* Web Push in the app's service worker (imported by the Workbox worker, see pwa.config.ts).
 * The server sends JSON: { title, body, severity, count, tag, url }. One notification per
 * tag, so a notification updated with a bigger count replaces the one shown; a click opens
 * (or focuses) the app at the alert. */
/* global self, clients, URL */

self.fleetyardPush = {
  parse(data) {
    try {
      const message = data ? data.json() : {};
      return {
        title: String(message.title || "Fleetyard"),
        options: {
          body: String(message.body || ""),
          tag: String(message.tag || "fleetyard"),
          renotify: message.severity === "critical",
          requireInteraction: message.severity === "critical",
          icon: "/icons/icon-192.png",
          badge: "/icons/icon-192.png",
          data: { url: String(message.url || "/alerts") },
        },
      };
    } catch {
      return { title: "Fleetyard", options: { body: "New notification", data: { url: "/alerts" } } };
    }
  },
  async open(url) {
    const target = new URL(url, self.location.origin);
    const path = target.origin === self.location.origin ? target.pathname + target.search : "/alerts";
    const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if ("focus" in client) {
        if ("navigate" in client) await client.navigate(path);
        return client.focus();
      }
    }
    return clients.openWindow(path);
  },
};

self.addEventListener("push", (event) => {
  const { title, options } = self.fleetyardPush.parse(event.data);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.fleetyardPush.open(event.notification.data?.url || "/alerts"));
});
