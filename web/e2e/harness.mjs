// The browser tests' harness: a seeded real server (tests/web/e2e_server.py) and Debian's
// Chromium driven by playwright-core (no browser download).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { after, before } from "node:test";

import { chromium } from "playwright-core";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = resolve(web, "..");
export const artifacts = join(repo, "test-artifacts", "web");
const SERVER_START_MS = 120_000;

function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(repo, ".venv/bin/python");
  return existsSync(venv) ? venv : "python3";
}

/**
 * Start the seeded server; resolves with what it seeded (see e2e_server.py) and `stop()`.
 * E2E_SERVER_JSON=<file> reuses one already running (its printed line saved in the file).
 * `module` starts another server the same way (tests.web.demo_server: `make run`'s demo).
 */
export async function startServer(module = "tests.web.e2e_server", timeoutMs = SERVER_START_MS) {
  if (process.env.E2E_SERVER_JSON && module === "tests.web.e2e_server") {
    return { ...JSON.parse(readFileSync(process.env.E2E_SERVER_JSON, "utf8")), stop: async () => {} };
  }
  if (!existsSync(join(web, "dist", "index.html"))) {
    throw new Error("no web build: run `npm run build` first");
  }
  const child = spawn(python(), ["-m", module], {
    cwd: repo,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((done) => child.once("exit", done));
  const line = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${module} did not start in time`)), timeoutMs);
    createInterface({ input: child.stdout }).once("line", (text) => {
      clearTimeout(timer);
      done(text);
    });
    child.once("exit", (code) => fail(new Error(`the e2e server exited (${code})`)));
  });
  const stop = async () => {
    child.stdin.end(); // the server stops and drops its database when its stdin closes
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { ...JSON.parse(line), stop };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: BROWSER_ARGS });
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

/** Log in through the form, as a person would (then on to `next`, or the landing page). */
export async function logIn(page, baseUrl, email, password, next) {
  await page.goto(next ? `${baseUrl}/login?next=${encodeURIComponent(next)}` : `${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * A new browser context and page, with what went wrong on it collected in `problems`:
 * uncaught errors, and console errors unless `consoleErrors` is false (warnings too with
 * `consoleWarnings`). `expected4xx` leaves
 * out the browser's own log line for a 4xx answer (screens that show those on purpose).
 * Other options go to `browser.newContext` (axe-core's injected script needs `bypassCSP`).
 */
const GL_DRIVER_MESSAGE = /^\[\.WebGL-0x[0-9a-f]+\]GL Driver Message \(OpenGL, Performance, /;

export async function openPage(browser, options = {}) {
  const { timeout = 15_000, consoleErrors = true, consoleWarnings = false, expected4xx = false, ...contextOptions } =
    options;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  if (consoleErrors) {
    page.on("console", (message) => {
      const type = message.type();
      if (type !== "error" && !(consoleWarnings && type === "warning")) return;
      if (expected4xx && /status of 4\d\d/.test(message.text())) return;
      // Chromium's software GL (SwiftShader, under --disable-gpu) reports its own stalls when
      // the compositor reads a WebGL canvas back; a browser with a GPU never says this.
      if (type === "warning" && GL_DRIVER_MESSAGE.test(message.text())) return;
      problems.push(type === "warning" ? `warning: ${message.text()}` : message.text());
    });
  }
  return { page, context, problems };
}

/**
 * A test file's seeded server and browser: started before its tests, stopped after them;
 * `ready(server, browser)` hands them over once both run.
 */
export function withServerAndBrowser(ready) {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ready(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}
