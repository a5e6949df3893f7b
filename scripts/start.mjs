#!/usr/bin/env node
/**
 * `npm start`: make sure .dev.vars has the secrets local development needs (appending fresh
 * values, never changing existing ones), apply local D1 migrations, then run `wrangler dev`
 * on http://127.0.0.1:8787 with state persisted under .wrangler/. Extra arguments pass through:
 * `npm start -- --port 9000`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/.bin/wrangler");
const devVars = join(root, ".dev.vars");

const GENERATED = {
  CLERK_SECRET_KEY: () => `sk_test_${randomBytes(24).toString("base64url")}`,
  CREDENTIALS_ENCRYPTION_KEY: () => randomBytes(32).toString("base64"),
};

let existing = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
const defined = new Set(
  existing
    .split(/\r?\n/)
    .map((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
    .filter(Boolean),
);
for (const [name, make] of Object.entries(GENERATED)) {
  if (defined.has(name)) continue;
  const value = make();
  const prefix = existing && !existing.endsWith("\n") ? "\n" : "";
  const line = `${prefix}${name}=${value}\n`;
  appendFileSync(devVars, line);
  existing += line;
  console.log(`Added ${name} to .dev.vars: ${value}`);
}

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CI: "true" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const args = process.argv.slice(2);
const hasPort = args.some((a) => a === "--port" || a.startsWith("--port="));
const hasIp = args.some((a) => a === "--ip" || a.startsWith("--ip="));
const devArgs = ["dev", ...(hasPort ? [] : ["--port", "8787"]), ...(hasIp ? [] : ["--ip", "127.0.0.1"]), ...args];
const child = spawn(wrangler, devArgs, { cwd: root, stdio: "inherit" });
const stop = (signal) => child.kill(signal);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
child.on("exit", (code) => process.exit(code ?? 0));
