#!/usr/bin/env node
// The PWA's icons, drawn from the favicon's artwork by the local headless Chromium (no
// external service, no image library): public/icons/{icon-192,icon-512,icon-maskable-512,
// apple-touch-icon}.png. Run again after changing the artwork; the PNGs are committed.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(web, "public", "icons");
const BLUE = "#1d4ed8";
// The favicon's van, on a 32-unit grid.
const VAN =
  '<path d="M7 20h18v3H7zM9 13h11l4 5H9z" fill="#fff"/>' +
  '<circle cx="11" cy="24" r="2.5" fill="#fff"/><circle cx="21" cy="24" r="2.5" fill="#fff"/>';

/** A rounded tile (`any`, the van centred), or a full-bleed square with the van inside the safe zone (`maskable`). */
function svg(size, maskable) {
  const tile = maskable
    ? `<rect width="32" height="32" fill="${BLUE}"/><g transform="translate(16 16) scale(0.75) translate(-16 -19.75)">${VAN}</g>`
    : `<rect width="32" height="32" rx="6" fill="${BLUE}"/><g transform="translate(0 -3.5)">${VAN}</g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="${size}" height="${size}">${tile}</svg>`;
}

const icons = [
  { name: "icon-192.png", size: 192, maskable: false },
  { name: "icon-512.png", size: 512, maskable: false },
  { name: "icon-maskable-512.png", size: 512, maskable: true },
  { name: "apple-touch-icon.png", size: 180, maskable: true },
];

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  for (const { name, size, maskable } of icons) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg(size, maskable)}</body></html>`,
    );
    await page.locator("svg").screenshot({ path: join(out, name), omitBackground: true });
    await page.close();
    console.log(`wrote public/icons/${name}`);
  }
} finally {
  await browser.close();
}
