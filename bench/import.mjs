#!/usr/bin/env node
/**
 * The import row of `npm run bench` (also alone: `node bench/import.mjs [--users 100000]
 * [--concurrency 1,4] [--out -]`): generated users (bench/import-data.mjs, Clerk's dashboard
 * CSV) imported with the real CLI (`scripts/import.mjs`, a child process, as a user runs it)
 * into `wrangler dev` on fresh local state, once per CLI concurrency, timed from the CLI's start
 * to its exit. The instance runs with the default import budget (USER_IMPORT_RATE_LIMIT 10,000
 * users per 10 s), which caps a run at about 1,000 users/s after the first 10,000; a second run
 * per concurrency with the budget out of the way shows what the server itself sustains.
 *
 * Rows written per user: one more batch of 500 users of the same mix, sent after the import and
 * read from its Server-Timing header (rows_written / 500).
 *
 * `--webhooks off,on` (default `off`): with `on`, a webhook endpoint subscribed to user.created
 * points at a Node receiver in this process before the import starts, so the import also writes
 * one outbox event and one delivery per created user and the Worker delivers them meanwhile;
 * the run reports when the receiver had every one.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fileChunks, readUserRecords } from "../scripts/migrate/formats.mjs";
import { cliFlag } from "./cli-args.mjs";
import { writeImportCsv } from "./import-data.mjs";
import { parseServerTiming } from "./server-timing.mjs";
import { ROOT, applyMigrations, requestJson, startWrangler } from "./worker-launcher.mjs";

const SECRET_KEY = "sk_test_import_bench";
const BASE_VARS = { CLERK_SECRET_KEY: SECRET_KEY, CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" };
const SAMPLE_USERS = 500;

/** Runs the CLI to its exit; resolves to its exit code, output and wall time. */
function runCli(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, "scripts/import.mjs"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

/**
 * A webhook receiver on a free local port that answers 204 and counts what it got; resolves
 * `waitFor(n)` with the time the n-th request arrived.
 */
async function startReceiver() {
  let count = 0;
  let lastAt = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      count += 1;
      lastAt = performance.now();
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/hook`,
    count: () => count,
    /** The time the receiver had `n` requests (polled every 50 ms, up to `timeoutMs`). */
    async waitFor(n, timeoutMs = 600_000) {
      const deadline = performance.now() + timeoutMs;
      while (count < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (count < n) throw new Error(`webhook receiver got ${count} of ${n} deliveries`);
      return lastAt;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Rows written per user by one import batch of `path`'s users (all new to the instance). */
async function rowsWrittenPerUser(url, path) {
  const users = [];
  for await (const item of readUserRecords(fileChunks(path), "csv")) if (!("error" in item)) users.push(item.record);
  const send = () =>
    requestJson(url, "POST", "/v1/users/import", { users }, { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" });
  let response = await send();
  // Right after an import at the default budget the window is full: wait as the CLI does.
  while (response.status === 429) {
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after")) * 1000));
    response = await send();
  }
  const created = response.body?.results?.filter((r) => r.status === "created").length ?? 0;
  if (response.status !== 200 || created !== users.length) throw new Error(`sample batch: ${response.status}, ${created} of ${users.length} created`);
  const timing = parseServerTiming(response.headers.get("server-timing"));
  return { perUser: timing.rowsWritten / users.length, queries: timing.queries, maxQueryMs: timing.maxQueryMs };
}

/**
 * Imports `users` generated users through the CLI, per concurrency, budget and webhook setting; returns the runs.
 * @param {{ users: number, concurrency: number[], webhooks?: boolean[], log: (line: string) => void }} options
 */
export async function benchImport({ users, concurrency, webhooks = [false], log }) {
  const dir = mkdtempSync(join(tmpdir(), "clerk-users-bench-import-"));
  try {
    const file = join(dir, "users.csv");
    const sample = join(dir, "sample.csv");
    log(`\n# import: generating ${users} users (Clerk dashboard CSV)…`);
    const mix = await writeImportCsv(file, { users });
    await writeImportCsv(sample, { users: SAMPLE_USERS, startIndex: users, seed: 8 });
    const runs = [];
    for (const budget of ["default", "unbounded"]) {
      for (const n of concurrency) {
        for (const webhook of webhooks) {
          const persistTo = join(dir, `state-${budget}-${n}-${webhook}`);
          const vars = budget === "default" ? BASE_VARS : { ...BASE_VARS, USER_IMPORT_RATE_LIMIT: "1000000000" };
          applyMigrations(persistTo);
          const worker = await startWrangler({ persistTo, vars });
          const receiver = webhook ? await startReceiver() : undefined;
          try {
            if (receiver) {
              const endpoint = await requestJson(
                worker.url,
                "POST",
                "/v1/webhook_endpoints",
                { url: receiver.url, events: ["user.created"] },
                { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" },
              );
              if (endpoint.status !== 200) throw new Error(`webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
            }
            const started = performance.now();
            const cli = await runCli(["--file", file, "--url", worker.url, "--key", SECRET_KEY, "--concurrency", String(n)]);
            if (cli.code !== 0) throw new Error(`import CLI exited ${cli.code}:\n${cli.stdout}\n${cli.stderr.slice(-2000)}`);
            const count = (await requestJson(worker.url, "GET", "/v1/users/count", undefined, { authorization: `Bearer ${SECRET_KEY}` })).body
              .total_count;
            if (count !== users) throw new Error(`after the import the instance counts ${count} users, not ${users}`);
            const deliveredSeconds = receiver ? ((await receiver.waitFor(users)) - started) / 1000 : undefined;
            const rows = await rowsWrittenPerUser(worker.url, sample);
            const run = {
              budget,
              concurrency: n,
              webhook,
              seconds: cli.seconds,
              usersPerSecond: users / cli.seconds,
              deliveredSeconds,
              rows,
              summary: cli.stdout.trim(),
            };
            runs.push(run);
            log(
              `  budget ${budget}, concurrency ${n}, webhook ${webhook ? "on" : "off"}: ${run.seconds.toFixed(1)} s, ${run.usersPerSecond.toFixed(0)} users/s; ` +
                `${rows.perUser.toFixed(1)} rows written per user` +
                (receiver ? `; every user.created delivered after ${deliveredSeconds.toFixed(1)} s` : ""),
            );
          } finally {
            await receiver?.close();
            await worker.stop();
            rmSync(persistTo, { recursive: true, force: true });
          }
        }
      }
    }
    return { users, mix, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The import section of the results file. */
export function importTable(result) {
  const { mix } = result;
  const lines = [
    "",
    `### Import: ${result.users.toLocaleString("en-US")} users through \`npm run import\` into \`wrangler dev\` (fresh local state)`,
    "",
    `Generated Clerk dashboard CSV: ${mix.withDigest} users with a bcrypt cost-10 digest, ${mix.withTotp} with a TOTP secret, ` +
      `${mix.emails} email addresses and ${mix.phones} phone numbers in all. Time from the CLI's start to its exit (file read, ` +
      "batches of 500, every user created).",
    "",
    "| import budget | CLI concurrency | webhook endpoint | seconds | users/s | every user.created delivered, s | rows written per user | D1 calls per batch | longest D1 call ms |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const run of result.runs) {
    const budget = run.budget === "default" ? "default (10,000 per 10 s)" : "out of the way";
    lines.push(
      `| ${budget} | ${run.concurrency} | ${run.webhook ? "subscribed" : "none"} | ${run.seconds.toFixed(1)} | ${run.usersPerSecond.toFixed(0)} | ${run.deliveredSeconds?.toFixed(1) ?? "–"} | ${run.rows.perUser.toFixed(1)} | ${run.rows.queries} | ${run.rows.maxQueryMs} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const users = Number(cliFlag("users") ?? 100_000);
  const concurrency = (cliFlag("concurrency") ?? "1,4").split(",").map(Number);
  const webhooks = (cliFlag("webhooks") ?? "off").split(",").map((v) => v === "on");
  const result = await benchImport({ users, concurrency, webhooks, log: (line) => console.log(line) });
  console.log(importTable(result));
}
