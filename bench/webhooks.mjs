#!/usr/bin/env node
/**
 * The webhooks row of `npm run bench` (`-- --only webhooks`; also alone: `node bench/webhooks.mjs
 * [--sizes 1000,100000] [--duration 10] [--connections 10] [--seeded 100000=DIR]
 * [--writes create,metadata,ban] [--modes none,queued,delivered] [--config wrangler.toml] [--out FILE|-]`;
 * `--config` runs the Worker with another wrangler config, e.g. to compare the queue consumer's
 * settings; `--writes` and `--modes` pick rows).
 *
 * Per size, on a seeded instance under `wrangler dev` (local D1, local Queues), three writes —
 * create user (no password), PATCH …/metadata, POST …/ban — each driven by autocannon for the
 * duration three times: with no webhook endpoint; with one endpoint subscribed to every event
 * type, pointing at a local receiver (bench/webhook-receiver.mjs, its own process), delivered
 * meanwhile; and (a second `wrangler dev` on the same state, its config without the queue
 * consumer) with the endpoint but nothing delivering, so the outbox's own cost is seen apart
 * from the delivery work that competes with the writes for the CPU and D1.
 *
 * 1. The outbox's cost to a write: req/s, p50/p99, and per request (from every response's
 *    Server-Timing) rows written, rows read and D1 calls, in each of the three ways.
 * 2. Delivery latency, with the endpoint: per event, the receiver's arrival time minus the
 *    envelope's `timestamp`. That timestamp is the Worker's `Date.now()` when the write planned
 *    its batch (workers/webhooks/outbox.ts eventInsert: `ctx.now()`; workerd's clock stands still
 *    between I/O, so it is the time of the write's last I/O before the batch was sent), so the
 *    figure runs from just before the batch reached D1 to the receiver having the whole body: D1's
 *    queue and the batch itself, the queue send after the commit, the consumer's batching, its
 *    claim, the event read and the POST. The commit lies between that timestamp and the moment
 *    the client had the response, so for creates (whose event names the new user, matched to
 *    its response) arrival minus response time is also given: the true commit → receipt
 *    latency is between the two. After the load, the bench waits until the receiver has every
 *    delivery D1 holds for the endpoint (its attempts list), then 2 s more, and checks that
 *    every message id arrived exactly once (duplicates, which at-least-once allows, and missing
 *    ones are counted).
 *
 * `--seeded SIZE=DIR` (or BENCH_SEEDED, comma-separated): use a copy of a state directory seeded
 * before (`npm run seed -- --users SIZE --persist-to DIR`) instead of seeding; the copy gets the
 * migrations it lacks, DIR is never written.
 */
import { fork } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { cliFlag } from "./cli-args.mjs";
import { HEADERS, WORKER_VARS, createUserBody, load } from "./load.mjs";
import { seed } from "./seed.mjs";
import { parseServerTiming } from "./server-timing.mjs";
import { ROOT, applyMigrations, requestJson, startWrangler } from "./worker-launcher.mjs";

/** How long the bench waits for the receiver to have every delivery after a load. */
const DRAIN_TIMEOUT_MS = 900_000;
/** How long it keeps listening after that, for duplicates. */
const DUPLICATE_GRACE_MS = 2_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const load1 = () => loadavg()[0];

/** One request to the Worker; its JSON body, or an error unless it answered 2xx. */
async function api(url, method, path, body) {
  const response = await requestJson(url, method, path, body, HEADERS);
  if (response.status < 200 || response.status > 299)
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The receiver process; resolves once it listens. */
async function startReceiver() {
  const child = fork(join(ROOT, "bench/webhook-receiver.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m.port));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`webhook receiver exited ${code}`)));
  });
  // One IPC question at a time: answers come back in order.
  let chain = Promise.resolve();
  const ask = (message) => {
    const answer = chain.then(
      () =>
        new Promise((resolve) => {
          child.once("message", resolve);
          child.send(message);
        }),
    );
    chain = answer.catch(() => {});
    return answer;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    count: async (path) => (await ask({ cmd: "count", path })).count,
    take: async (path) => (await ask({ cmd: "take", path })).records,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.send({ cmd: "stop" });
      }),
  };
}

/** Every delivery D1 holds for the endpoint (its attempts list, paged): message ids and statuses. */
async function endpointDeliveries(url, endpointId) {
  const all = [];
  for (let offset = 0; ; offset += 500) {
    const page = await api(url, "GET", `/v1/webhook_endpoints/${endpointId}/attempts?limit=500&offset=${offset}`);
    all.push(...page.data);
    if (page.data.length < 500 || all.length >= page.total_count) return all;
  }
}

/** Nearest-rank percentile of sorted numbers. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
};

/**
 * The batches the local queue handed to the consumer, from wrangler's log lines
 * (`QUEUE clerk-users-webhooks 10/10 (460ms)`: acknowledged/size, the consumer's time), each
 * with the time the line arrived.
 */
function queueLog() {
  const batches = [];
  let pending = "";
  return {
    onOutput(chunk) {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      const at = Date.now();
      for (const line of lines) {
        const match = /QUEUE \S+ (\d+)\/(\d+) \((\d+)ms\)/.exec(line);
        if (match) batches.push({ at, acked: Number(match[1]), size: Number(match[2]), ms: Number(match[3]) });
      }
    },
    /** The batches logged from `since` on. */
    since: (since) => batches.filter((b) => b.at >= since),
    /** Resolves once no batch has been logged for `quietMs` (the queue holds nothing more to hand over). */
    async quiet(quietMs, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() - (batches[batches.length - 1]?.at ?? 0) < quietMs && Date.now() < deadline) await sleep(250);
    },
  };
}

/** The state directory of a size: a copy of a seeded one (with any missing migrations), or freshly seeded. */
async function prepareState(size, seededDir, log) {
  const persistTo = mkdtempSync(join(tmpdir(), `clerk-users-bench-webhooks-${size}-`));
  const started = performance.now();
  if (seededDir) {
    log(`\n# webhooks, ${size} users: copying ${seededDir}…`);
    cpSync(seededDir, persistTo, { recursive: true });
    applyMigrations(persistTo);
    return { persistTo, how: `copy of a seeded state (${((performance.now() - started) / 1000).toFixed(1)} s with migrations)` };
  }
  log(`\n# webhooks, ${size} users: seeding…`);
  const { seconds } = await seed({ users: size, persistTo, log });
  return { persistTo, how: `seeded in ${seconds.toFixed(1)} s` };
}

/** Up to 200 existing users spread over the list, the targets of the update scenarios. */
async function targetUsers(url, size) {
  const ids = new Set();
  for (const offset of [0, Math.floor(size / 2)]) for (const user of await api(url, "GET", `/v1/users?limit=100&offset=${offset}`)) ids.add(user.id);
  return [...ids];
}

/** The three writes; `path()`/`body()` build each request (targets rotate). */
function writes(targets) {
  let n = 0;
  const target = () => targets[n++ % targets.length];
  const list = [
    {
      key: "create",
      label: "create user (no password)",
      event: "user.created",
      method: "POST",
      path: () => "/v1/users",
      body: () => createUserBody(++n),
    },
    {
      key: "metadata",
      label: "PATCH …/metadata",
      event: "user.updated",
      method: "PATCH",
      path: () => `/v1/users/${target()}/metadata`,
      body: () => ({ public_metadata: { bench: n } }),
    },
    { key: "ban", label: "POST …/ban", event: "user.updated", method: "POST", path: () => `/v1/users/${target()}/ban` },
  ];
  return list.map((write, index) => ({ ...write, index }));
}

/** How a write runs: no endpoint; one endpoint with nobody consuming the queue; one endpoint, delivered meanwhile. */
const MODES = {
  none: "none",
  queued: "1, all events; not delivered (no queue consumer)",
  delivered: "1, all events; delivered meanwhile",
};

/**
 * A copy of the Worker's wrangler config without its queue consumer, beside it (wrangler resolves
 * paths from the config's folder): the outbox writes and queues, nothing delivers. Returns its path.
 */
function configWithoutConsumer(config) {
  const source = config ?? join(ROOT, "wrangler.toml");
  const text = readFileSync(source, "utf8");
  // The [[queues.consumers]] table runs to the next table header.
  const stripped = text.replace(/^\[\[queues\.consumers\]\][^[]*/m, "");
  if (stripped === text) throw new Error(`${source} declares no [[queues.consumers]]`);
  const path = join(dirname(source), ".bench-no-consumer.wrangler.toml");
  writeFileSync(path, stripped);
  return path;
}

/** One write under load in a mode (MODES); delivered, its deliveries checked and timed. */
async function runWrite(url, receiver, queue, write, mode, size, opts, log) {
  const hookPath = `/hook/${size}/${write.key}/${mode}`;
  const endpoint = mode === "none" ? undefined : await api(url, "POST", "/v1/webhook_endpoints", { url: `${receiver.url}${hookPath}` });
  const timing = { n: 0, rowsWritten: 0, rowsRead: 0, queries: 0, maxQueryMs: 0, unmetered: 0 };
  /** Creates: when the client had the response naming each new user. */
  const respondedAt = new Map();
  const loadBefore = load1();
  const loadStart = Date.now();
  const measured = await load(
    url,
    {
      ...write,
      onResponse: (status, body, headers) => {
        if (status < 200 || status > 299) return;
        const at = Date.now();
        const t = parseServerTiming(headers["server-timing"]);
        if (t) {
          timing.n += 1;
          timing.rowsWritten += t.rowsWritten;
          timing.rowsRead += t.rowsRead;
          timing.queries += t.queries;
          timing.maxQueryMs += t.maxQueryMs;
          timing.unmetered += t.unmetered;
        }
        if (write.key === "create") {
          const id = /"id":"(user_[^"]+)"/.exec(body)?.[1];
          if (id) respondedAt.set(id, at);
        }
      },
    },
    opts,
  );
  const loadEnd = Date.now();
  const result = {
    key: write.key,
    writeIndex: write.index,
    label: write.label,
    mode,
    ...measured,
    perRequest: {
      rowsWritten: timing.rowsWritten / timing.n,
      rowsRead: timing.rowsRead / timing.n,
      queries: timing.queries / timing.n,
      maxQueryMs: timing.maxQueryMs / timing.n,
      unmetered: timing.unmetered / timing.n,
    },
    loadAvg: [loadBefore, load1()],
  };
  log(
    `  ${write.label}, ${MODES[mode]}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ` +
      `${result.perRequest.rowsWritten.toFixed(1)} rows written, ${result.perRequest.queries.toFixed(1)} D1 calls per request` +
      (measured.non2xx ? `, ${measured.non2xx} failed` : "") +
      ` (load ${loadBefore.toFixed(2)} → ${load1().toFixed(2)})`,
  );
  if (!endpoint) return result;
  if (mode === "queued") {
    // Nothing consumes the queue: drop the endpoint and its pending deliveries (cascade).
    await api(url, "DELETE", `/v1/webhook_endpoints/${endpoint.id}`);
    return result;
  }

  // Requests still in flight when autocannon stopped may commit after it: let them land, then
  // take D1's list of this endpoint's deliveries as the truth to check the receiver against.
  await sleep(1_000);
  let expected = (await api(url, "GET", `/v1/webhook_endpoints/${endpoint.id}/attempts?limit=1`)).total_count;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let lastLog = Date.now();
  while ((await receiver.count(hookPath)) < expected && Date.now() < deadline) {
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`    receiver has ${await receiver.count(hookPath)} of ${expected} deliveries…`);
    }
    await sleep(250);
  }
  await sleep(DUPLICATE_GRACE_MS);
  const deliveries = await endpointDeliveries(url, endpoint.id);
  expected = deliveries.length;
  const records = await receiver.take(hookPath);
  await api(url, "DELETE", `/v1/webhook_endpoints/${endpoint.id}`);
  // Copies the sweep queued may still be waiting (each now a no-op): let the consumer finish them
  // so that they do not load the next run. The queue hands over a batch at most 1 s after a message.
  await queue.quiet(3_000, DRAIN_TIMEOUT_MS);
  const batches = queue.since(loadStart);

  const firstArrival = new Map();
  let duplicates = 0;
  for (const record of records) {
    if (firstArrival.has(record.id)) duplicates += 1;
    else firstArrival.set(record.id, record);
  }
  const inD1 = new Set(deliveries.map((d) => d.message_id));
  const missing = [...inD1].filter((id) => !firstArrival.has(id)).length;
  const unexpected = [...firstArrival.keys()].filter((id) => !inD1.has(id)).length;
  const notSucceeded = deliveries.filter((d) => d.status !== "succeeded").length;
  const unique = [...firstArrival.values()];
  const wrongType = unique.filter((r) => r.type !== write.event).length;
  const arrivals = unique.map((r) => r.at).sort((a, b) => a - b);
  const latency = summary(unique.map((r) => r.at - r.timestamp));
  const afterResponse = summary(unique.filter((r) => respondedAt.has(r.dataId)).map((r) => r.at - respondedAt.get(r.dataId)));
  const duringLoad = arrivals.filter((at) => at <= loadEnd).length;
  // Arrivals in each second since the load began: how the consumer keeps up over time.
  const perSecond = [];
  for (const at of arrivals) {
    const second = Math.floor((at - loadStart) / 1000);
    while (perSecond.length <= second) perSecond.push(0);
    perSecond[second] += 1;
  }
  result.delivery = {
    events: expected,
    received: records.length,
    duplicates,
    missing,
    unexpected,
    notSucceeded,
    wrongType,
    latency,
    afterResponse: write.key === "create" ? afterResponse : undefined,
    writesPerSecond: expected / ((loadEnd - loadStart) / 1000),
    deliveredPerSecondDuringLoad: duringLoad / ((loadEnd - loadStart) / 1000),
    backlogAtLoadEnd: expected - duringLoad,
    lastAfterLoadEndSeconds: arrivals.length ? (arrivals[arrivals.length - 1] - loadEnd) / 1000 : Number.NaN,
    perSecond,
    firstAfterLoadStartSeconds: arrivals.length ? (arrivals[0] - loadStart) / 1000 : Number.NaN,
    // Messages beyond one per event: sent again by the scheduler's sweep (overdue by > 5 s).
    queue: {
      batches: batches.length,
      messages: batches.reduce((n, b) => n + b.size, 0),
      notAcked: batches.reduce((n, b) => n + b.size - b.acked, 0),
      // The consumer's time per batch while the writes ran, and after (D1 is shared with the writes).
      batchMsDuringLoad: summary(batches.filter((b) => b.at <= loadEnd).map((b) => b.ms)),
      batchMsAfterLoad: summary(batches.filter((b) => b.at > loadEnd).map((b) => b.ms)),
      // When the consumer finished its last batch for this run (copies included), s after the load.
      lastBatchAfterLoadEndSeconds: batches.length ? (batches[batches.length - 1].at - loadEnd) / 1000 : Number.NaN,
      // When each batch's consumer finished (s after the load began) and its size.
      timeline: batches.map((b) => `${((b.at - loadStart) / 1000).toFixed(1)}:${b.size}`),
    },
    deliveredPerSecond: arrivals.length > 1 ? (arrivals.length - 1) / ((arrivals[arrivals.length - 1] - arrivals[0]) / 1000) : Number.NaN,
  };
  const d = result.delivery;
  log(
    `    ${d.events} events; delivery latency p50 ${d.latency.p50} ms, p99 ${d.latency.p99} ms, max ${d.latency.max} ms` +
      (d.afterResponse ? ` (after the client's response: p50 ${d.afterResponse.p50}, p99 ${d.afterResponse.p99})` : "") +
      `; ${d.deliveredPerSecondDuringLoad.toFixed(1)}/s delivered during the load (${d.writesPerSecond.toFixed(1)}/s written), ` +
      `${d.deliveredPerSecond.toFixed(1)}/s first to last; last ${d.lastAfterLoadEndSeconds.toFixed(1)} s after the load; ` +
      `${d.duplicates} duplicates, ${d.missing} missing, ${d.unexpected} unexpected, ${d.notSucceeded} not succeeded in D1, ${d.wrongType} of another type`,
  );
  log(
    `    queue: ${d.queue.batches} batches, ${d.queue.messages} messages, consumer time per batch ` +
      `p50 ${d.queue.batchMsDuringLoad.p50} ms during the load, ${d.queue.batchMsAfterLoad.p50} ms after, the last ${fmt(d.queue.lastBatchAfterLoadEndSeconds, 1)} s after the load, ${d.queue.notAcked} not acked; first arrival ${d.firstAfterLoadStartSeconds.toFixed(1)} s after the load began; ` +
      `arrivals per second since then: ${perSecond.join(" ")}`,
  );
  return result;
}

/**
 * Runs every write with and without an endpoint at each size; returns the measurements.
 * @param {{ sizes: number[], duration: number, connections: number, seeded?: Map<number, string>, only?: string[], modes?: string[], config?: string, log: (line: string) => void }} options
 */
export async function benchWebhooks({ sizes, duration, connections, seeded = new Map(), only = [], modes = Object.keys(MODES), config, log }) {
  const results = [];
  const receiver = await startReceiver();
  try {
    for (const size of sizes) {
      const state = await prepareState(size, seeded.get(size), log);
      let noConsumer;
      try {
        noConsumer = configWithoutConsumer(config);
        const runs = [];
        // First the Worker as configured (no endpoint, then one delivered meanwhile), then on the
        // same state without a queue consumer (the outbox's own cost, nothing delivered).
        const passes = [
          { config, modes: ["none", "delivered"].filter((m) => modes.includes(m)) },
          { config: noConsumer, modes: ["queued"].filter((m) => modes.includes(m)) },
        ];
        for (const pass of passes.filter((p) => p.modes.length > 0)) {
          const queue = queueLog();
          const worker = await startWrangler({ config: pass.config, persistTo: state.persistTo, vars: WORKER_VARS, onOutput: queue.onOutput });
          try {
            const users = (await api(worker.url, "GET", "/v1/users/count")).total_count;
            if (pass === passes[0] && users !== size) throw new Error(`the ${size}-user state holds ${users} users`);
            for (const write of writes(await targetUsers(worker.url, size)).filter((w) => only.length === 0 || only.includes(w.key))) {
              for (const mode of pass.modes)
                runs.push(await runWrite(worker.url, receiver, queue, write, mode, size, { duration, connections }, log));
            }
          } finally {
            await worker.stop();
          }
        }
        const order = Object.keys(MODES);
        runs.sort((a, b) => a.writeIndex - b.writeIndex || order.indexOf(a.mode) - order.indexOf(b.mode));
        results.push({ size, state: state.how, runs });
      } finally {
        rmSync(state.persistTo, { recursive: true, force: true });
        if (noConsumer) rmSync(noConsumer, { force: true });
      }
    }
  } finally {
    await receiver.stop();
  }
  return { duration, connections, results };
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const sizeName = (n) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

/** The webhooks section of the results file. */
export function webhooksTable(result) {
  const lines = [
    "",
    `### Webhooks: the outbox's cost to a write, and delivery latency (${new Date().toISOString()})`,
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}. autocannon ${result.connections} connections × ` +
      `${result.duration} s per row, against \`wrangler dev\` (local D1, local Queues). ` +
      `${result.results.map((r) => `${sizeName(r.size)} users: ${r.state}`).join("; ")}. ` +
      "Load average (1 min) before → after each row in the last column: the machine was shared.",
    "",
    "**Cost to the write** (per request, means over every 2xx response's Server-Timing; rows written and D1 calls do not depend on the load, " +
      "req/s and latency do. Delivered meanwhile: the queue consumer's work competes with the writes for the CPU and D1. Not delivered: " +
      "a second `wrangler dev` on the same state without the queue consumer; there the scheduler's sweep still reads the overdue " +
      "deliveries (≤ 500 rows) about once a second once they are 5 s overdue):",
    "",
    "| users | write | webhook endpoint | req/s | p50 ms | p99 ms | rows written | rows read | D1 calls | load avg |",
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of result.results) {
    for (const run of r.runs) {
      const p = run.perRequest;
      const failed = run.non2xx ? ` (${run.non2xx} failed)` : "";
      lines.push(
        `| ${sizeName(r.size)} | ${run.label} | ${MODES[run.mode]} | ${fmt(run.rps)}${failed} | ${fmt(run.p50, 1)} | ${fmt(run.p99, 1)} | ` +
          `${fmt(p.rowsWritten, 1)} | ${fmt(p.rowsRead, 1)} | ${fmt(p.queries, 2)} | ${run.loadAvg.map((l) => l.toFixed(2)).join(" → ")} |`,
      );
    }
  }
  lines.push(
    "",
    "**Delivery** (endpoint subscribed to every event type; latency = receiver's arrival − envelope `timestamp`, the Worker's clock " +
      "when the write planned its batch, so D1's queue and the batch are included; for creates also arrival − the client's receipt of " +
      "the response, a lower bound, as the commit precedes the response):",
    "",
    "| users | write | events | written/s | delivered/s during load | delivered/s first→last | latency p50 ms | p99 ms | max ms | after response p50 / p99 ms | last event after load end, s | duplicates | missing | queue messages / batches | consumer ms per batch, p50 during / after load |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
  );
  const series = [];
  for (const r of result.results) {
    for (const run of r.runs) {
      const d = run.delivery;
      if (!d) continue;
      const extra = [
        d.unexpected && `${d.unexpected} unexpected`,
        d.notSucceeded && `${d.notSucceeded} not succeeded`,
        d.wrongType && `${d.wrongType} wrong type`,
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `| ${sizeName(r.size)} | ${run.label} | ${d.events} | ${fmt(d.writesPerSecond, 1)} | ${fmt(d.deliveredPerSecondDuringLoad, 1)} | ${fmt(d.deliveredPerSecond, 1)} | ` +
          `${fmt(d.latency.p50)} | ${fmt(d.latency.p99)} | ${fmt(d.latency.max)} | ${d.afterResponse ? `${fmt(d.afterResponse.p50)} / ${fmt(d.afterResponse.p99)}` : "–"} | ` +
          `${fmt(d.lastAfterLoadEndSeconds, 1)} | ${d.duplicates} | ${d.missing}${extra ? ` (${extra})` : ""} | ${d.queue.messages} / ${d.queue.batches} | ` +
          `${fmt(d.queue.batchMsDuringLoad.p50)} / ${fmt(d.queue.batchMsAfterLoad.p50)} |`,
      );
      series.push(
        `- ${sizeName(r.size)}, ${run.label}: events received per second: ${d.perSecond.join(" ")}; queue batches (s when the consumer finished: messages; the last ${fmt(d.queue.lastBatchAfterLoadEndSeconds, 1)} s after the load): ${d.queue.timeline.join(" ")}`,
      );
    }
  }
  lines.push(
    "",
    "Queue messages beyond one per event were sent again by the scheduler's sweep (pending deliveries overdue by more than 5 s); " +
      "consumer ms per batch is wrangler's own log of each batch handed to the consumer (`QUEUE … 10/10 (460ms)`), timed as its line arrived. " +
      "Seconds counted from the load's start:",
    "",
    ...series,
  );
  return lines.join("\n");
}

/** `--seeded 100000=DIR,…` (or BENCH_SEEDED): seeded state directories by size. */
export function seededDirs(value) {
  const map = new Map();
  for (const item of (value ?? "").split(",").filter(Boolean)) {
    const [size, dir] = item.split("=", 2);
    if (!Number.isInteger(Number(size)) || !dir) throw new Error(`--seeded takes SIZE=DIR, not ${item}`);
    map.set(Number(size), dir);
  }
  return map;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const value = (name, env, fallback) => cliFlag(name) ?? process.env[env] ?? fallback;
  const sizes = value("sizes", "BENCH_SIZES", "1000,100000").split(",").map(Number);
  const date = new Date().toISOString().slice(0, 10);
  const out = value("out", "BENCH_OUT", join(ROOT, "bench/results", `${date}-webhooks.md`));
  const result = await benchWebhooks({
    sizes,
    duration: Number(value("duration", "BENCH_DURATION", "10")),
    connections: Number(value("connections", "BENCH_CONNECTIONS", "10")),
    seeded: seededDirs(value("seeded", "BENCH_SEEDED", "")),
    only: value("writes", "BENCH_WRITES", "").split(",").filter(Boolean),
    config: cliFlag("config"),
    modes: value("modes", "BENCH_MODES", Object.keys(MODES).join(",")).split(","),
    log: (line) => console.log(line),
  });
  const markdown = webhooksTable(result);
  console.log(`\n${markdown}\n`);
  if (out !== "-") {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${markdown}\n`);
    console.log(`written to ${relative(process.cwd(), out)}`);
  }
}
