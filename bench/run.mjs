#!/usr/bin/env node
/**
 * `npm run bench [-- --sizes 1000,100000 --duration 10 --connections 10 --only get,list]`
 *
 * For each size: seeds fresh local D1 state with that many users (bench/seed.mjs), starts the
 * Worker on it with `wrangler dev`, and drives it over HTTP with autocannon at fixed
 * concurrency and duration, one scenario at a time. Before that, the same load against a
 * constant-JSON Worker (bench/floor-worker.ts) gives the runtime's floor on this machine.
 *
 * Rows read per request come from the Server-Timing header of a few sample requests sent
 * before each load. A scenario whose endpoint or parameter is missing (the API answers 404
 * resource_not_found for the route, or ignores the filter) is reported as n/a, not measured.
 *
 * Options (flag or environment variable): --sizes / BENCH_SIZES (default 1000,100000),
 * --duration / BENCH_DURATION seconds per scenario (10), --connections / BENCH_CONNECTIONS (10),
 * --only / BENCH_ONLY comma-separated scenario keys (`hostile` for the hostile requests,
 * bench/hostile.mjs; `import` for the import of as many users as the largest size through the
 * CLI, bench/import.mjs; `webhooks` for the outbox's cost to writes and event delivery latency
 * at each size, bench/webhooks.mjs), --seeded / BENCH_SEEDED `SIZE=DIR,…` (webhooks only: copy a
 * state seeded before instead of seeding), --out / BENCH_OUT results file (default
 * bench/results/<date>.md, or <date>-import.md / <date>-webhooks.md when `--only` is that key
 * alone; "-" prints only). A smoke run:
 * `npm run bench -- --sizes 500,2000 --duration 2`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { SEED_PASSWORD } from "./seed-data.mjs";
import { seed } from "./seed.mjs";
import { parseServerTiming } from "./server-timing.mjs";
import { cliFlag } from "./cli-args.mjs";
import { ROOT, requestJson, startWrangler } from "./worker-launcher.mjs";
import { benchHostile, hostileTable } from "./hostile.mjs";
import { benchImport, importTable } from "./import.mjs";
import { HEADERS, WORKER_VARS, createUserBody, load } from "./load.mjs";
import { benchWebhooks, seededDirs, webhooksTable } from "./webhooks.mjs";

/** Keys of `--only` that are sections of their own, run apart from the per-size scenarios. */
const SECTIONS = ["import", "webhooks"];

function options() {
  const value = (name, env, fallback) => cliFlag(name) ?? process.env[env] ?? fallback;
  const sizes = value("sizes", "BENCH_SIZES", "1000,100000").split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes must be whole numbers ≥ 1");
  const date = new Date().toISOString().slice(0, 10);
  const only = value("only", "BENCH_ONLY", "").split(",").filter(Boolean);
  // A section run alone gets a file of its own, so that it never replaces the day's full results.
  const suffix = only.length === 1 && SECTIONS.includes(only[0]) ? `-${only[0]}` : "";
  return {
    sizes,
    duration: Number(value("duration", "BENCH_DURATION", "10")),
    connections: Number(value("connections", "BENCH_CONNECTIONS", "10")),
    only,
    seeded: seededDirs(value("seeded", "BENCH_SEEDED", "")),
    out: value("out", "BENCH_OUT", join(ROOT, "bench/results", `${date}${suffix}.md`)),
  };
}

/** One request over plain fetch: status, parsed JSON body and the D1 totals. */
async function request(url, method, path, body) {
  const { status, body: json, headers } = await requestJson(url, method, path, body, HEADERS);
  return { status, body: json, timing: parseServerTiming(headers.get("server-timing")) };
}

const routeMissing = (r) => r.status === 404 && r.body?.errors?.[0]?.code === "resource_not_found";
const lower = (v) => JSON.stringify(v).toLowerCase();

/** Facts about the seeded data the scenarios need: ids, an email, search terms. */
async function sample(url, userIds) {
  const picks = [];
  for (let i = 0; i < 20; i++) picks.push(userIds[Math.floor(((i + 0.5) / 20) * userIds.length)]);
  const users = [];
  for (const id of picks) {
    const r = await request(url, "GET", `/v1/users/${id}`);
    if (r.status !== 200) throw new Error(`GET /v1/users/${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
    users.push(r.body);
  }
  const withLastName = users.find((u) => u.last_name && Array.from(u.last_name).length >= 4) ?? users[0];
  const withPassword = users.filter((u) => u.password_enabled && !u.banned && !u.locked);
  return {
    ids: picks,
    emails: users.map((u) => u.email_addresses[0]?.email_address).filter(Boolean),
    // A part of an email address's local part (≥ 3 characters) and of a last name.
    queryTerm: users[0].email_addresses[0].email_address.split(/[.@+]/)[1]?.slice(0, 5) || "example",
    nameTerm: Array.from(withLastName.last_name ?? "Smith")
      .slice(1, 4)
      .join(""),
    passwordUserIds: withPassword.map((u) => u.id),
    // A user about halfway down the newest-first list, for keyset paging.
    midId: userIds[Math.floor(userIds.length / 2)],
    size: userIds.length,
  };
}

const rotate = (list) => {
  let i = 0;
  return () => list[i++ % list.length];
};

/**
 * The scenarios. `check(response, defaultList)` answers whether the API really served the
 * request (not a missing route, not an ignored parameter); false → reported as n/a.
 */
function scenarios(data) {
  let created = 0;
  const nextId = rotate(data.ids);
  const nextEmail = rotate(data.emails);
  const nextPasswordUser = rotate(data.passwordUserIds);
  const q = encodeURIComponent;
  return [
    { key: "floor", label: "floor (constant JSON Worker)", floor: true, method: "GET", path: () => "/" },
    { key: "get", label: "get user by id", method: "GET", path: () => `/v1/users/${nextId()}`, check: (r) => r.status === 200 },
    { key: "list", label: "list (default)", method: "GET", path: () => "/v1/users", check: (r) => r.status === 200 && r.body.length > 0 },
    {
      key: "email",
      label: "list by email_address",
      method: "GET",
      path: () => `/v1/users?email_address=${q(nextEmail())}`,
      check: (r) => r.status === 200 && r.body.length === 1,
    },
    {
      key: "query",
      label: `list query=${data.queryTerm}`,
      method: "GET",
      path: () => `/v1/users?query=${q(data.queryTerm)}`,
      check: (r) => r.status === 200 && r.body.length > 0 && r.body.every((u) => lower(u).includes(data.queryTerm.toLowerCase())),
    },
    {
      key: "name",
      label: `list name_query=${data.nameTerm}`,
      method: "GET",
      path: () => `/v1/users?name_query=${q(data.nameTerm)}`,
      check: (r) =>
        r.status === 200 &&
        r.body.length > 0 &&
        r.body.every((u) => `${u.first_name ?? ""} ${u.last_name ?? ""}`.toLowerCase().includes(data.nameTerm.toLowerCase())),
    },
    {
      key: "order",
      label: "list order_by=last_name",
      method: "GET",
      path: () => "/v1/users?order_by=last_name",
      check: (r, first) => r.status === 200 && r.body.length > 1 && lower(r.body) !== lower(first) && isSortedByLastName(r.body),
    },
    {
      key: "broad",
      label: "list query=example.com order_by=last_name",
      method: "GET",
      // A broad search (about a third of the users) in an order other than created_at.
      path: () => `/v1/users?query=example.com&order_by=last_name`,
      check: (r) => r.status === 200 && r.body.length > 1 && isSortedByLastName(r.body) && r.body.every((u) => lower(u).includes("example.com")),
    },
    {
      key: "bunched",
      label: `list name_query=${data.nameTerm} order_by=last_name`,
      method: "GET",
      // A search whose matches bunch in the order (a last-name fragment, sorted by last name):
      // no walk helps; FTS5 sorts the matches by their stored sort keys.
      path: () => `/v1/users?name_query=${q(data.nameTerm)}&order_by=last_name`,
      check: (r) => r.status === 200 && r.body.length > 0 && isSortedByLastName(r.body),
    },
    {
      key: "page100",
      label: "list limit=100",
      method: "GET",
      path: () => "/v1/users?limit=100",
      check: (r) => r.status === 200 && r.body.length === Math.min(100, data.size),
    },
    {
      key: "after",
      label: "list starting_after (newest first, deep)",
      method: "GET",
      path: () => `/v1/users?starting_after=${data.midId}`,
      check: (r, first) => r.status === 200 && r.body.length > 0 && r.body[0].id !== first[0]?.id,
    },
    {
      key: "offset",
      label: "list order_by=last_name offset=5000",
      method: "GET",
      // Below 10k users the offset is half the users, so that the page is not empty.
      path: () => `/v1/users?order_by=last_name&offset=${Math.min(5000, Math.floor(data.size / 2))}`,
      check: (r, first) => r.status === 200 && r.body.length > 1 && lower(r.body) !== lower(first) && isSortedByLastName(r.body),
    },
    {
      key: "count",
      label: `count query=${data.queryTerm}`,
      method: "GET",
      path: () => `/v1/users/count?query=${q(data.queryTerm)}`,
      check: (r, _first, total) => r.status === 200 && r.body.total_count > 0 && r.body.total_count < total,
    },
    {
      key: "create",
      label: "create (no password)",
      method: "POST",
      path: () => "/v1/users",
      body: () => createUserBody(++created),
      check: (r) => r.status === 200,
    },
    {
      key: "verify",
      label: "verify_password (bcrypt 10)",
      method: "POST",
      path: () => `/v1/users/${nextPasswordUser()}/verify_password`,
      body: () => ({ password: SEED_PASSWORD }),
      check: (r) => r.status === 200 && r.body.verified === true,
      skip: () => (data.passwordUserIds.length === 0 ? "n/a (no seeded user with a password in the sample)" : undefined),
    },
  ];
}

function isSortedByLastName(users) {
  // Nulls may come first or last; the rest must not decrease.
  const names = users.map((u) => u.last_name).filter((n) => n !== null);
  return names.every((n, i) => i === 0 || names[i - 1].localeCompare(n, "en", { sensitivity: "base" }) <= 0 || names[i - 1] <= n);
}

/** Rows read per request (Server-Timing), averaged over a few sample requests. */
async function rowsPerRequest(url, scenario, count = 5) {
  let rows = 0;
  for (let i = 0; i < count; i++) {
    const r = await request(url, scenario.method, scenario.path(), scenario.body?.());
    rows += r.timing?.rowsRead ?? NaN;
  }
  return rows / count;
}

async function benchSize(size, opts, log) {
  const persistTo = mkdtempSync(join(tmpdir(), `clerk-users-bench-${size}-`));
  try {
    log(`\n# ${size} users: seeding…`);
    const { userIds, seconds } = await seed({ users: size, persistTo, log });
    const worker = await startWrangler({ persistTo, vars: WORKER_VARS });
    try {
      const data = await sample(worker.url, userIds);
      const defaultList = (await request(worker.url, "GET", "/v1/users")).body;
      const total = (await request(worker.url, "GET", "/v1/users/count")).body.total_count;
      const rows = {};
      for (const scenario of scenarios(data)) {
        if (scenario.floor || (opts.only.length && !opts.only.includes(scenario.key))) continue;
        const skipped = scenario.skip?.();
        if (skipped) {
          rows[scenario.key] = { label: scenario.label, na: skipped };
          continue;
        }
        const probe = await request(worker.url, scenario.method, scenario.path(), scenario.body?.());
        if (routeMissing(probe) || !scenario.check(probe, defaultList, total)) {
          const why = routeMissing(probe) ? "n/a (endpoint missing)" : "n/a (not served)";
          rows[scenario.key] = { label: scenario.label, na: why };
          log(`  ${scenario.label}: ${why}: ${probe.status} ${JSON.stringify(probe.body).slice(0, 200)}`);
          continue;
        }
        const rowsRead = await rowsPerRequest(worker.url, scenario);
        const measured = await load(worker.url, scenario, opts);
        rows[scenario.key] = { label: scenario.label, rowsRead, ...measured };
        log(`  ${scenario.label}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${rowsRead} rows/req`);
      }
      const hostile =
        opts.only.length === 0 || opts.only.includes("hostile")
          ? await benchHostile((method, path) => request(worker.url, method, path), data.ids, log)
          : undefined;
      return { size, seedSeconds: seconds, rows, hostile };
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** The constant-JSON floor, and the same Worker after one trivial D1 query (`d1`). */
async function benchFloor(opts, log) {
  const persistTo = mkdtempSync(join(tmpdir(), "clerk-users-bench-floor-"));
  const worker = await startWrangler({ config: join(ROOT, "bench/floor-wrangler.toml"), readyPath: "/", persistTo });
  try {
    const floor = scenarios({ ids: [], emails: [], passwordUserIds: [] }).find((s) => s.floor);
    const measured = await load(worker.url, floor, opts);
    log(`floor: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms`);
    const d1 = await load(worker.url, { ...floor, path: () => "/d1" }, opts);
    log(`floor + one D1 query: ${d1.rps.toFixed(0)} req/s, p50 ${d1.p50} ms, p99 ${d1.p99} ms`);
    return { ...measured, d1 };
  } finally {
    await worker.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

function table(floor, results, opts, startedLoad) {
  const small = results[0];
  const large = results[results.length - 1];
  const sizeName = (n) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
  const lines = [
    `## API benchmark — ${new Date().toISOString()}`,
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average at start ${startedLoad}. ` +
      `autocannon ${opts.connections} connections × ${opts.duration} s per scenario, against \`wrangler dev\` (local D1).`,
    `Floor (constant-JSON Worker): **${fmt(floor.rps)} req/s**, p50 ${floor.p50} ms, p99 ${floor.p99} ms. ` +
      `The same Worker after one \`SELECT 1\` on local D1: **${fmt(floor.d1.rps)} req/s** (${fmt(floor.d1.rps / floor.rps, 2)} × floor), ` +
      `p50 ${floor.d1.p50} ms — the ceiling of any route that queries D1 once.`,
    `Seeding: ${results.map((r) => `${sizeName(r.size)} users in ${r.seedSeconds.toFixed(1)} s`).join(", ")}.`,
    "",
  ];
  const header = ["scenario"];
  for (const r of results) header.push(`req/s @${sizeName(r.size)}`, `p50 ms`, `p99 ms`, `rows/req`, `× floor`);
  if (results.length > 1) header.push(`p50 ${sizeName(large.size)}÷${sizeName(small.size)}`, `rows ${sizeName(large.size)}÷${sizeName(small.size)}`);
  lines.push(`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const key of Object.keys(small.rows).length ? Object.keys(small.rows) : []) {
    const cells = [small.rows[key].label];
    for (const r of results) {
      const row = r.rows[key];
      if (!row || row.na) cells.push(row?.na ?? "n/a", "", "", "", "");
      else {
        const flag = row.non2xx > 0 ? ` (${row.non2xx} failed)` : "";
        cells.push(`${fmt(row.rps)}${flag}`, fmt(row.p50, 1), fmt(row.p99, 1), fmt(row.rowsRead, 1), fmt(row.rps / floor.rps, 2));
      }
    }
    if (results.length > 1) {
      // Growth of the same request from the smallest to the largest instance.
      const a = small.rows[key];
      const b = large.rows[key];
      const ok = a && b && !a.na && !b.na;
      cells.push(ok ? fmt(b.p50 / a.p50, 2) : "", ok ? fmt(b.rowsRead / a.rowsRead, 2) : "");
    }
    lines.push(`| ${cells.join(" | ")} |`);
  }
  for (const r of results) if (r.hostile) lines.push(hostileTable(sizeName(r.size), r.hostile));
  lines.push(
    "",
    "rows/req: D1 rows read per request from the Server-Timing header (mean of 5 sample requests). " +
      "n/a (endpoint missing): the route answered 404 resource_not_found; n/a (not served): the API ignored " +
      "the parameter or failed the scenario's sanity check (e.g. results not filtered or not sorted). " +
      "× floor: requests/s relative to the constant-JSON Worker. starting_after pages by the newest-first " +
      "(created_at) order only; order_by=last_name is paged with offset (offset=5000, or half the users below 10k users).",
  );
  return lines.join("\n");
}

async function main() {
  const opts = options();
  const log = (line) => console.log(line);
  const startedLoad = loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
  log(`bench: sizes ${opts.sizes.join(", ")}; ${opts.connections} connections × ${opts.duration} s per scenario`);
  const runs = (key) => opts.only.length === 0 || opts.only.includes(key);
  const results = [];
  // `--only import` or `--only webhooks` alone measures no floor and runs no per-size scenario.
  const scenarioRun = opts.only.length === 0 || opts.only.some((key) => !SECTIONS.includes(key));
  const floor = scenarioRun ? await benchFloor(opts, log) : undefined;
  if (scenarioRun) for (const size of opts.sizes) results.push(await benchSize(size, opts, log));
  const imported = runs("import") ? await benchImport({ users: Math.max(...opts.sizes), concurrency: [1, 4], log }) : undefined;
  const webhooks = runs("webhooks")
    ? await benchWebhooks({ sizes: opts.sizes, duration: opts.duration, connections: opts.connections, seeded: opts.seeded, log })
    : undefined;
  const markdown =
    (results.length ? table(floor, results, opts, startedLoad) : "") +
    (imported ? `\n${importTable(imported)}` : "") +
    (webhooks ? `\n${webhooksTable(webhooks)}` : "");
  console.log(`\n${markdown}\n`);
  if (opts.out !== "-") {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${markdown}\n`);
    console.log(`written to ${relative(process.cwd(), opts.out)}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
