/**
 * Times POST /v1/users/import batches against `wrangler dev` with local state (a fresh temporary
 * directory unless --persist-to is given), the way the CLI sends them:
 *
 *   node bench/import-batch.mjs [--batches 20] [--size 500] [--concurrency 1] [--persist-to DIR]
 *
 * Users as a migration brings them: a third with bcrypt cost-10 digests (computed once, never
 * re-hashed by the import), a quarter with 2–3 email addresses and 2 phone numbers, a tenth
 * with a TOTP secret, half with Clerk-style KSUID ids and half with other ids. Prints ms per
 * batch (median, p90, max), users/s over the whole run, and the Server-Timing figures per batch
 * (D1 calls, longest D1 call, rows written per user).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcrypt";
import { cliFlag } from "./cli-args.mjs";
import { parseServerTiming } from "./server-timing.mjs";
import { seedId } from "./seed-data.mjs";
import { applyMigrations, requestJson, startWrangler } from "./worker-launcher.mjs";

const SECRET_KEY = "sk_test_import_bench";
const batches = Number(cliFlag("batches") ?? 20);
const size = Number(cliFlag("size") ?? 500);
const concurrency = Number(cliFlag("concurrency") ?? 1);
const persistTo = cliFlag("persist-to");

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const randomBase32 = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => BASE32[b & 31]).join("");
const digest = bcrypt.hashSync("imported password", 10);
const run = Date.now().toString(36);
// Phone numbers of this run: a random block of 10^7, so runs against the same state do not collide.
const phoneBlock = 2_000_000_000 + Math.floor(Math.random() * 700) * 10_000_000;

/** The users of batch `b`: every identifier unique across the run. */
function batchOf(b) {
  return Array.from({ length: size }, (_, i) => {
    const n = b * size + i;
    const tag = `${run}x${n}`;
    const many = n % 4 === 0;
    const phone = (k) => `+1${phoneBlock + n * 2 + k}`;
    return {
      id: n % 2 ? seedId("user", Date.UTC(2021, 0, 1) + n * 1000) : `user_imp${tag}`,
      email_address: many ? [`${tag}a@example.com`, `${tag}b@example.org`, `${tag}c@example.net`] : [`${tag}@example.com`],
      phone_number: many ? [phone(0), phone(1)] : [],
      first_name: `First${n % 997}`,
      last_name: `Last${n % 991}`,
      username: `u${tag}`,
      ...(n % 3 === 0 ? { password_digest: digest, password_hasher: "bcrypt" } : {}),
      ...(n % 10 === 0 ? { totp_secret: randomBase32(32) } : {}),
      public_metadata: { plan: n % 5 ? "free" : "pro" },
    };
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const state = persistTo ?? mkdtempSync(join(tmpdir(), "clerk-users-import-bench-"));
if (!persistTo) applyMigrations(state);
const worker = await startWrangler({
  persistTo: state,
  vars: {
    CLERK_SECRET_KEY: SECRET_KEY,
    CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    USER_IMPORT_RATE_LIMIT: "100000000",
  },
});
const headers = { Authorization: `Bearer ${SECRET_KEY}`, "Content-Type": "application/json" };
try {
  const bodies = Array.from({ length: batches }, (_, b) => ({ users: batchOf(b) }));
  // One small batch first, so the isolate and the database are warm.
  await requestJson(worker.url, "POST", "/v1/users/import", { users: [{ first_name: "warm-up" }] }, headers);
  const times = [];
  const timings = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t0 = performance.now();
        const res = await requestJson(worker.url, "POST", "/v1/users/import", body, headers);
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`import answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
        const notCreated = res.body.results.filter((r) => r.status !== "created");
        if (notCreated.length) throw new Error(`not created: ${JSON.stringify(notCreated.slice(0, 3))}`);
        timings.push(parseServerTiming(res.headers.get("server-timing")));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...times].sort((a, b) => a - b);
  const perUser = timings.map((t) => t.rowsWritten / size);
  console.log(`${batches} batches of ${size} users, ${concurrency} at a time${persistTo ? ` (state ${persistTo})` : " (fresh state)"}`);
  console.log(
    `ms per batch: median ${quantile(sorted, 0.5).toFixed(0)}, p90 ${quantile(sorted, 0.9).toFixed(0)}, max ${sorted.at(-1).toFixed(0)}; ` +
      `${((batches * size) / seconds).toFixed(0)} users/s (${seconds.toFixed(1)} s)`,
  );
  console.log(
    `per batch: D1 calls ${Math.max(...timings.map((t) => t.queries))}, longest D1 call ${Math.max(...timings.map((t) => t.maxQueryMs)).toFixed(1)} ms, ` +
      `D1 time median ${quantile(
        timings.map((t) => t.durationMs).sort((a, b) => a - b),
        0.5,
      ).toFixed(0)} ms, ` +
      `rows written per user ${Math.min(...perUser).toFixed(1)}–${Math.max(...perUser).toFixed(1)}`,
  );
} finally {
  await worker.stop();
  if (!persistTo) rmSync(state, { recursive: true, force: true });
}
