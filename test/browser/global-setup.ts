/** Builds the dashboard once before the browser tests, so they never serve a stale bundle. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CHROMIUM } from "./harness";

export function setup(): void {
  const build = spawnSync(process.execPath, ["scripts/build-dashboard.mjs"], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`dashboard build failed:\n${build.stderr}${build.stdout}`);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does this)`);
}
