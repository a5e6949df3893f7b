#!/usr/bin/env node
/**
 * Fails when the Worker bundle is over budget: gzip size ≤ 150 KiB.
 * Run after `wrangler deploy --dry-run --outdir dist` (.ci/run does). Measures like wrangler's
 * "Total Upload … / gzip: …" line: every module written to the directory (source maps excluded),
 * concatenated and gzipped with zlib's defaults.
 *
 * usage: node bench/check-bundle-size.mjs [--dir dist] [--limit-kib 150]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const dir = arg("dir", "dist");
const limitKiB = Number(arg("limit-kib", "150"));

function modules(path) {
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (statSync(full).isDirectory()) return modules(full);
      return name.endsWith(".map") || name === "README.md" ? [] : [full];
    });
}

let files;
try {
  files = modules(dir);
} catch {
  console.error(`check-bundle-size: no ${dir}/ — run \`wrangler deploy --dry-run --outdir ${dir}\` first`);
  process.exit(2);
}
if (files.length === 0) {
  console.error(`check-bundle-size: ${dir}/ holds no modules`);
  process.exit(2);
}
const contents = files.map((f) => readFileSync(f));
const size = contents.reduce((n, c) => n + c.length, 0);
const gzip = gzipSync(Buffer.concat(contents)).length;
const kib = (n) => (n / 1024).toFixed(2);
console.log(`Bundle: ${files.map((f) => relative(dir, f)).join(", ")} — ${kib(size)} KiB / gzip: ${kib(gzip)} KiB (limit ${limitKiB} KiB gzip)`);
if (gzip > limitKiB * 1024) {
  console.error(`check-bundle-size: the gzipped bundle is ${kib(gzip - limitKiB * 1024)} KiB over the ${limitKiB} KiB budget`);
  process.exit(1);
}
