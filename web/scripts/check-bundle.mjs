#!/usr/bin/env node
// The initial-JavaScript budget: the gzip size of every script index.html loads before the
// first screen (its module scripts, their modulepreloads and everything they import
// statically) must stay ≤ BUDGET_KB. Lazy routes (dynamic import()) don't count.
// Usage: node scripts/check-bundle.mjs [distDir]; exits 1 over budget, 2 without a build.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const BUDGET_KB = 200;

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = resolve(process.argv[2] ?? join(web, "dist"));

/** URLs of the scripts index.html loads at once. */
export function htmlScripts(html) {
  const found = new Set();
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const isModule = /^<script/i.test(tag) && /type=["']?module/i.test(tag);
    const isPreload = /^<link/i.test(tag) && /rel=["']?modulepreload/i.test(tag);
    const url = /(?:src|href)=["']([^"']+)["']/i.exec(tag)?.[1];
    if ((isModule || isPreload) && url) found.add(url);
  }
  return [...found];
}

/** Relative specifiers a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`). */
export function staticImports(code) {
  const found = new Set();
  const pattern = /\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  for (const match of code.matchAll(pattern)) found.add(match[1]);
  for (const match of code.matchAll(/\bexport\s*[*{][^;]*?from\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    found.add(match[1]);
  }
  return [...found];
}

/** Every file (relative to dist) loaded initially, following static imports. */
export function initialFiles(distDir) {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const queue = htmlScripts(html).map((url) => posix.normalize(url.replace(/^\//, "")));
  const seen = new Set();
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file) || /^[a-z]+:/i.test(file)) continue;
    seen.add(file);
    const code = readFileSync(join(distDir, file), "utf8");
    for (const spec of staticImports(code)) queue.push(posix.join(posix.dirname(file), spec));
  }
  return [...seen];
}

function main() {
  if (!existsSync(join(dist, "index.html"))) {
    console.error(`no build at ${dist}: run npm run build first`);
    process.exit(2);
  }
  let total = 0;
  for (const file of initialFiles(dist)) {
    const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
    total += size;
    console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${file}`);
  }
  const verdict = total <= BUDGET_KB * 1024 ? "within" : "OVER";
  console.log(`${(total / 1024).toFixed(1).padStart(8)} KB  initial JavaScript, gzip (${verdict} the ${BUDGET_KB} KB budget)`);
  if (verdict === "OVER") process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
