#!/usr/bin/env node
/**
 * The dashboard's first load: what a browser fetches for /dashboard/ before the first API call —
 * index.html and the script and stylesheet it links (everything, no lazy chunks) — each gzipped
 * with zlib's defaults (level 6), as a server or CDN would send it. Builds first.
 * Prints a table and the total; with --limit-kib N, exits 1 when the total is over N KiB.
 *
 * usage: node bench/dashboard-size.mjs [--limit-kib 60] [--no-build]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dashboard/dist/dashboard");
const argv = process.argv.slice(2);
const limitAt = argv.indexOf("--limit-kib");
const limitKiB = limitAt >= 0 ? Number(argv[limitAt + 1]) : undefined;

if (!argv.includes("--no-build")) {
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build-dashboard.mjs")], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const html = readFileSync(join(OUT, "index.html"), "utf8");
const linked = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+)"/g)].map((m) => m[1]);
const files = ["index.html", ...linked];
const kib = (bytes) => (bytes / 1024).toFixed(1);
let total = 0;
let rawTotal = 0;
console.log("file                                  raw KiB   gzip KiB");
for (const file of files) {
  const bytes = readFileSync(join(OUT, file));
  const gz = gzipSync(bytes).length;
  total += gz;
  rawTotal += bytes.length;
  console.log(`${file.padEnd(36)} ${kib(bytes.length).padStart(8)} ${kib(gz).padStart(10)}`);
}
console.log(`${"first load".padEnd(36)} ${kib(rawTotal).padStart(8)} ${kib(total).padStart(10)}`);
if (limitKiB !== undefined && total > limitKiB * 1024) {
  console.error(`dashboard first load is ${kib(total)} KiB gzip, over the ${limitKiB} KiB budget`);
  process.exit(1);
}
