import type { VitePWAOptions } from "vite-plugin-pwa";

// The installable app: a web manifest and our service worker (src/sw.ts, Workbox inside)
// that precaches the app shell and every built (hashed) file, so the app starts with no
// network, shows Web Push notifications (public/push-sw.js) and replays the offline change
// queue on Background Sync. The service worker never caches the API: data seen before comes
// from the query cache saved in IndexedDB per user and tenant (src/lib/offline), so no
// tenant's answers sit in a shared cache. Navigations to server pages (API, docs, basemap)
// are left to the network.
export const pwaOptions: Partial<VitePWAOptions> = {
  registerType: "prompt", // a new build waits for the person to reload (see UpdateBanner)
  injectRegister: false, // registered from src/main.tsx
  strategies: "injectManifest",
  srcDir: "src",
  filename: "sw.ts",
  manifest: {
    id: "/",
    name: "Fleetyard",
    short_name: "Fleetyard",
    description: "Your fleet, live: vehicles, drivers and reservations, also offline.",
    lang: "en",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#f3f4f6",
    theme_color: "#1d4ed8",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      { src: "/favicon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    ],
  },
  injectManifest: {
    globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
    // a classic worker: push-sw.js comes in through importScripts
    rollupFormat: "iife",
    maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
  },
  devOptions: { enabled: false },
};
