/**
 * Hostile requests (docs/search.md, Bounds): searches built to make one D1 statement run long — many terms,
 * case variants, deep offsets in other orders, 1–2 character terms, broad counts, terms that
 * rarely occur together. D1 runs one statement at a time per database, so what matters is the
 * longest single D1 call a request makes (Server-Timing max_query_ms, timed by the Worker around
 * its await) and how long an unrelated request waits meanwhile: a get-by-id sent in a loop while
 * the hostile request runs, its p99 compared with the same loop on an idle Worker.
 */

const REPEAT = 5;

/** The scenarios: [label, path]. */
export function hostileScenarios() {
  const q = encodeURIComponent;
  const use64 = Array(64).fill("use").join(" ");
  const variants = Array.from({ length: 40 }, (_, i) => [..."usee"].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join("")).join(" ");
  const domains = "example.com example.org example.net example.edu example.co.uk";
  const fragments = "xample.com xample.org xample.net xample.co. xample.edu ample.com ample.org ample.net";
  const ten = "exa mpl e.c use ser _2 @ex ple .co le.";
  return [
    ["64 × the same term, order_by=first_name, offset=10000", `/v1/users?query=${q(use64)}&order_by=first_name&offset=10000`],
    ["40 case variants of one term, order_by=first_name, offset=10000", `/v1/users?query=${q(variants)}&order_by=first_name&offset=10000`],
    ["10 distinct terms (the most), order_by=last_name", `/v1/users?query=${q(ten)}&order_by=last_name`],
    ["5 common terms that never occur together, order_by=first_name", `/v1/users?query=${q(domains)}&order_by=first_name`],
    ["5 common terms that never occur together (created_at)", `/v1/users?query=${q(domains)}`],
    ["count of 8 common terms that never occur together", `/v1/users/count?query=${q(fragments)}`],
    ["broad search, order_by=first_name, offset=10000", `/v1/users?query=example.com&order_by=first_name&offset=10000`],
    ["broad search, order_by=-updated_at, limit=100", `/v1/users?query=example.com&order_by=-updated_at&limit=100`],
    ["count of a broad search (query=example.com)", `/v1/users/count?query=example.com`],
    ["short term: name_query=Li", `/v1/users?name_query=Li`],
    ["short term: count name_query=Li", `/v1/users/count?name_query=Li`],
    ["short term, order_by=last_name, offset=5000", `/v1/users?name_query=Li&order_by=last_name&offset=5000`],
    ["1-character term, order_by=username, offset=50000", `/v1/users?query=a&order_by=username&offset=50000`],
    ["256-character term", `/v1/users?query=${q("example.com".repeat(24).slice(0, 256))}`],
    ["no search, order_by=first_name, offset=90000", `/v1/users?order_by=first_name&offset=90000`],
    ["all organization memberships, order_by=first_name", `/v1/organization_memberships?order_by=first_name`],
    ["all organization memberships, order_by=-first_name, offset=30000", `/v1/organization_memberships?order_by=-first_name&offset=30000`],
    ["all organization memberships, order_by=-created_at, offset=30000", `/v1/organization_memberships?order_by=-created_at&offset=30000`],
  ];
}

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** get-by-id in a loop until `stop()`; resolves with the latencies (ms). */
function probeLoop(request, ids) {
  let running = true;
  const latencies = [];
  const done = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      await request("GET", `/v1/users/${ids[i % ids.length]}`);
      latencies.push(performance.now() - started);
    }
    return latencies;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

/**
 * Runs every hostile scenario REPEAT times in a row while a get-by-id loop runs beside it.
 * `request(method, path)` → { status, body, timing } (timing parsed from Server-Timing).
 */
export async function benchHostile(request, ids, log) {
  const idle = probeLoop(request, ids);
  await new Promise((r) => setTimeout(r, 2000));
  const idleLatencies = await idle.stop();
  const idleP99 = percentile(idleLatencies, 99);
  log(`  hostile: get-by-id alone p99 ${idleP99.toFixed(1)} ms (${idleLatencies.length} requests)`);
  const rows = [];
  for (const [label, path] of hostileScenarios()) {
    await request("GET", path); // warm
    const probe = probeLoop(request, ids);
    const runs = [];
    for (let i = 0; i < REPEAT; i++) {
      const started = performance.now();
      const r = await request("GET", path);
      runs.push({ ms: performance.now() - started, status: r.status, timing: r.timing });
    }
    const latencies = await probe.stop();
    const row = {
      label,
      status: runs[0].status,
      ms: percentile(
        runs.map((r) => r.ms),
        50,
      ),
      queries: Math.max(...runs.map((r) => r.timing?.queries ?? NaN)),
      maxQueryMs: Math.max(...runs.map((r) => r.timing?.maxQueryMs ?? NaN)),
      rowsRead: runs[0].timing?.rowsRead ?? NaN,
      probeP99: percentile(latencies, 99),
      probes: latencies.length,
    };
    rows.push(row);
    log(
      `  hostile: ${label}: ${row.status}, ${row.ms.toFixed(0)} ms, ${row.queries} queries, max_query_ms ${row.maxQueryMs}, get-by-id p99 ${row.probeP99.toFixed(1)} ms`,
    );
  }
  return { idleP99, rows };
}

/** The markdown table of one size's hostile results. */
export function hostileTable(sizeName, result) {
  const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");
  const lines = [
    "",
    `### Hostile requests at ${sizeName} users (each run ${REPEAT}× in a row, with a get-by-id loop beside it)`,
    "",
    `get-by-id alone: p99 ${fmt(result.idleP99)} ms.`,
    "",
    "| request | status | ms (median) | D1 calls | max_query_ms | rows read | get-by-id p99 meanwhile (ms) |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of result.rows) {
    lines.push(`| ${r.label} | ${r.status} | ${fmt(r.ms, 0)} | ${r.queries} | ${fmt(r.maxQueryMs)} | ${fmt(r.rowsRead, 0)} | ${fmt(r.probeP99)} |`);
  }
  return lines.join("\n");
}
