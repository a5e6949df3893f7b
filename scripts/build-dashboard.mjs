#!/usr/bin/env node
/**
 * Builds the dashboard (dashboard/src, Preact + plain CSS) into dashboard/dist, the directory
 * wrangler.toml's [assets] serves:
 *   dashboard/dist/dashboard/index.html        the page for every /dashboard route
 *   dashboard/dist/dashboard/assets/*-HASH.js   content-hashed, so they can be cached for a year
 *   dashboard/dist/dashboard/assets/*-HASH.css
 * index.html loads them with <script src> and <link> only: the Content-Security-Policy allows no
 * inline script or style. Run by `npm run build` (and by start, test, CI and deploy before they
 * read the assets directory).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dashboard/dist");
const OUT = join(DIST, "dashboard");

rmSync(DIST, { recursive: true, force: true });
mkdirSync(join(OUT, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(ROOT, "dashboard/src/main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(OUT, "assets"),
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const script = outputs.find((file) => file.endsWith(".js"));
const style = outputs.find((file) => file.endsWith(".css"));
if (!script) throw new Error("esbuild produced no script");

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Users dashboard</title>
<link rel="icon" href="data:,">
${style ? `<link rel="stylesheet" href="/dashboard/assets/${style}">\n` : ""}<script type="module" src="/dashboard/assets/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The dashboard needs JavaScript.</noscript>
</body>
</html>
`;
writeFileSync(join(OUT, "index.html"), html);
console.log(`dashboard built: ${outputs.map((f) => `assets/${f}`).join(", ")}, index.html`);
