#!/usr/bin/env node
/**
 * One-off: re-fold the usernames of users created before usernames were compared under NFKC
 * (README, "Upgrading"). Safe to run again: it changes only rows whose stored fold differs from
 * the current rule, and reports (exit code 1) users whose usernames have become equal under it.
 *
 *   node scripts/renormalize-usernames.mjs [--remote | --persist-to DIR] [--database NAME] [--dry-run]
 *
 * Without --remote it works on the local D1 state (`npm start`'s, or the one under --persist-to).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliFlag } from "../bench/cli-args.mjs";
import { CANDIDATES_SQL, holdersSql, planUsernameRenormalization } from "./username-renormalization.mjs";

const argv = process.argv.slice(2);
const remote = argv.includes("--remote");
const dryRun = argv.includes("--dry-run");
const database = cliFlag("database", argv) ?? "DB";
const persistTo = cliFlag("persist-to", argv);
const target = remote ? ["--remote"] : ["--local", ...(persistTo ? ["--persist-to", persistTo] : [])];

/** Runs `wrangler d1 execute` and returns the rows of its last statement (--json output). */
function d1(args) {
  const out = execFileSync("npx", ["wrangler", "d1", "execute", database, ...target, "--json", "--yes", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1024 * 1024 * 1024,
  });
  const results = JSON.parse(out);
  return results.at(-1)?.results ?? [];
}

function staleRows() {
  return planUsernameRenormalization(d1(["--command", CANDIDATES_SQL]));
}

const plan = staleRows();
console.log(`${plan.stale.length} username(s) to re-fold.`);
for (const row of plan.stale) console.log(`  ${row.id}  ${JSON.stringify(row.username)}: ${JSON.stringify(row.from)} → ${JSON.stringify(row.to)}`);
if (dryRun || plan.stale.length === 0) process.exit(0);

const dir = mkdtempSync(join(tmpdir(), "renormalize-usernames-"));
try {
  const file = join(dir, "updates.sql");
  writeFileSync(file, `${plan.statements.join("\n")}\n`);
  d1(["--file", file]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// What is still stale could not be re-folded: another user holds the new fold.
const left = staleRows().stale;
console.log(`${plan.stale.length - left.length} re-folded.`);
if (left.length === 0) process.exit(0);
const holders = [];
for (let i = 0; i < left.length; i += 100) holders.push(...d1(["--command", holdersSql(left.slice(i, i + 100).map((row) => row.to))]));
console.log(
  `${left.length} username(s) equal to another user's under the new rule; rename one of each pair (PATCH /v1/users/{id}), then run this again:`,
);
for (const row of left) {
  const holder = holders.find((h) => h.username_normalized === row.to);
  console.log(
    `  ${row.id} ${JSON.stringify(row.username)} and ${holder?.id} ${JSON.stringify(holder?.username)} both fold to ${JSON.stringify(row.to)}`,
  );
}
process.exit(1);
