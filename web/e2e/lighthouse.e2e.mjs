// Lighthouse (the npm package, desktop preset, simulated throttling) on the fleet list and
// the live map, signed in, against the real seeded server, in Debian's Chromium: performance,
// accessibility and best practices must each score at least MIN_SCORE (the map's performance
// at least MIN_MAP_PERFORMANCE). The reports land in
// test-artifacts/web/lighthouse-*.html; the figures are printed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import lighthouse, { desktopConfig, generateReport } from "lighthouse";
import { chromium } from "playwright-core";

import { artifacts, BROWSER_ARGS, CHROMIUM, logIn, startServer } from "./harness.mjs";

const MIN_SCORE = 95;
/** The live map's performance bar (a WebGL map drawn without a GPU: see the test). */
const MIN_MAP_PERFORMANCE = 90;
const MAP_RUNS = 3;
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const METRICS = {
  "first-contentful-paint": "FCP",
  "largest-contentful-paint": "LCP",
  "total-blocking-time": "TBT",
  "cumulative-layout-shift": "CLS",
  "speed-index": "SI",
};
let server;
let context;
let profile;
let port;

function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: found } = probe.address();
      probe.close(() => done(found));
    });
    probe.once("error", fail);
  });
}

before(async () => {
  server = await startServer();
  port = await freePort();
  profile = mkdtempSync(join(tmpdir(), "fy-lighthouse-"));
  // A persistent context is the browser's default one, which Lighthouse's new tab shares:
  // the session cookie set by logging in here goes with its requests.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BROWSER_ARGS, `--remote-debugging-port=${port}`],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await logIn(page, server.base_url, server.a.email, server.password, "/vehicles");
  await page.getByRole("heading", { name: "Vehicles" }).waitFor({ timeout: 30_000 });
  await page.goto("about:blank");
});

after(async () => {
  await context?.close();
  await server?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Lighthouse on `path`, signed in: the report saved, the scores (0–100) and metrics printed. */
async function audit(path, name, flags = {}) {
  const url = `${server.base_url}${path}`;
  const result = await lighthouse(
    url,
    { port, logLevel: "error", onlyCategories: CATEGORIES, ...flags },
    desktopConfig,
  );
  assert.ok(result, "Lighthouse returned no result");
  const { lhr } = result;
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, `lighthouse-${name}.html`), generateReport(lhr, "html"));
  const scores = Object.fromEntries(CATEGORIES.map((id) => [id, Math.round(lhr.categories[id].score * 100)]));
  const metrics = Object.entries(METRICS)
    .map(([id, label]) => `${label} ${lhr.audits[id].displayValue}`)
    .join(", ");
  console.log(`lighthouse ${path}: ${JSON.stringify(scores)} ${metrics}`);
  // Signed out, the app would have shown (and scored) the login page instead.
  assert.equal(new URL(lhr.finalDisplayedUrl).pathname, path);
  return { lhr, scores };
}

/** The weighted audits of a category scoring under 0.9, to say why a score fell. */
function weakAudits(lhr, category) {
  return lhr.categories[category].auditRefs
    .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 0.9)
    .map((ref) => `${ref.id} ${lhr.audits[ref.id].score} ${lhr.audits[ref.id].displayValue ?? ""}`.trim());
}

function assertCategories(path, lhr, scores, categories) {
  for (const id of categories) {
    assert.ok(scores[id] >= MIN_SCORE, `${path} ${id} ${scores[id]} < ${MIN_SCORE}: ${weakAudits(lhr, id).join("; ")}`);
  }
}

test("the fleet list scores at least 95 on performance, accessibility and best practices", async () => {
  const { lhr, scores } = await audit("/vehicles", "vehicles");
  assertCategories("/vehicles", lhr, scores, CATEGORIES);
});

test("the live map scores at least 90 on performance (median of 3 runs) and 95 on accessibility and best practices", async () => {
  // A live map never goes quiet (vehicles keep moving), so Lighthouse would wait its full 45 s
  // for an idle CPU: the trace is capped. It runs long enough after the load event to take in
  // the map's appearance (MapView shows its WebGL canvas once the basemap is complete, at most
  // 8 s after the map starts), so what that costs the main thread is measured too.
  // This machine's Chromium draws WebGL in software (SwiftShader, --disable-gpu): every frame
  // of a visible WebGL canvas is read back on the main thread (100–500 ms), and how long the
  // GPU process takes varies with the machine's load, so performance is the median of
  // MAP_RUNS runs (Lighthouse's own advice for a noisy metric). The map keeps its canvas hidden
  // while it loads and shows it complete, and live vehicles are drawn on a 2D overlay, so the
  // WebGL map costs no frame for them (docs/map.md).
  const runs = [];
  for (let run = 0; run < MAP_RUNS; run += 1) {
    const { lhr, scores } = await audit("/map", `map-${run + 1}`, { maxWaitForLoad: 20_000, pauseAfterLoadMs: 9_000 });
    const marks = lhr.audits["user-timings"].details?.items?.map((item) => item.name) ?? [];
    assert.ok(marks.includes("fleetyard:map-shown"), `the trace ended before the map showed (${marks})`);
    assertCategories("/map", lhr, scores, ["accessibility", "best-practices"]);
    runs.push({ lhr, scores });
  }
  runs.sort((a, b) => a.scores.performance - b.scores.performance);
  const median = runs[Math.floor(runs.length / 2)];
  console.log(`lighthouse /map performance: ${runs.map((r) => r.scores.performance).join(", ")}; median ${median.scores.performance}`);
  assert.ok(
    median.scores.performance >= MIN_MAP_PERFORMANCE,
    `/map performance ${median.scores.performance} < ${MIN_MAP_PERFORMANCE}: ${weakAudits(median.lhr, "performance").join("; ")}`,
  );
});
