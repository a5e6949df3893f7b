#!/usr/bin/env node
/**
 * `npm run bench:hashers [-- --calls 20 --only bcrypt,argon2id --out FILE]`
 *
 * For each password hasher, the time POST /v1/users/:id/verify_password takes in the Worker,
 * measured from outside over HTTP (workerd's clocks do not advance during pure computation),
 * next to Node's native implementation of the same parameters, as a ratio:
 *   - at the parameters of the shared test vectors (test/fixtures/vectors/credentials.json, the
 *     first vector of each hasher), and
 *   - at production-like parameters, digests generated here at bench time: bcrypt cost 10,
 *     PBKDF2-SHA256 600 000 iterations, scrypt N=2^15 r=8 p=1, argon2id m=19 MiB t=2 p=1.
 * "worker ms" is the median verify request minus the median of a cheap request (GET the same
 * user), i.e. roughly the hashing time. Native baselines: node:crypto for PBKDF2 and scrypt,
 * the `bcrypt` and `argon2` addons for bcrypt and argon2 (n/a if they do not load).
 *
 * Needs the verify_password endpoint and password_digest import (the credentials work); fails
 * with a clear message when the endpoint is missing. Options: --calls / BENCH_HASHER_CALLS
 * (default 20), --only / BENCH_ONLY hasher names, --out / BENCH_OUT (default
 * bench/results/<date>-hashers.md; "-" prints only), --native-only (Node baselines alone, no Worker).
 */
import { createRequire } from "node:module";
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { argon2id } from "@noble/hashes/argon2.js";
import bcryptjs from "bcryptjs";
import { cliFlag } from "./cli-args.mjs";
import { ROOT, applyMigrations, requestJson, startWrangler } from "./worker-launcher.mjs";

const SECRET_KEY = "sk_test_bench_hashers";
const HEADERS = { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" };
const VECTORS = join(ROOT, "test/fixtures/vectors/credentials.json");
const PASSWORD = "correct horse battery staple";
const require = createRequire(import.meta.url);

function options() {
  const date = new Date().toISOString().slice(0, 10);
  return {
    calls: Number(cliFlag("calls") ?? process.env.BENCH_HASHER_CALLS ?? 20),
    only: (cliFlag("only") ?? process.env.BENCH_ONLY ?? "").split(",").filter(Boolean),
    out: cliFlag("out") ?? process.env.BENCH_OUT ?? join(ROOT, "bench/results", `${date}-hashers.md`),
    // Only the Node baselines (no Worker): checks the digests and addons without the endpoint.
    nativeOnly: process.argv.slice(2).includes("--native-only"),
  };
}

/** Native addons for the baseline only; undefined when they are not installed or do not load. */
function optionalAddon(name) {
  try {
    return require(name);
  } catch {
    return undefined;
  }
}
const nativeBcrypt = optionalAddon("bcrypt");
const nativeArgon2 = optionalAddon("argon2");

const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const b64NoPad = (bytes) => b64(bytes).replace(/=+$/, "");

/** The addons verify for real: a false answer means the digest (or the baseline) is wrong. */
function mustVerify(ok, hasher) {
  if (!ok) throw new Error(`native ${hasher} baseline did not verify the digest`);
}

/**
 * Node's native implementation of a digest's parameters: a function that does the same work
 * as one verify, or undefined when there is no native baseline for that hasher.
 */
function nativeVerifier(hasher, digest, password) {
  if (hasher === "bcrypt" && /^\$2[aby]\$/.test(digest)) {
    if (!nativeBcrypt) return undefined;
    // The addon knows $2a$/$2b$; $2y$ is the same algorithm.
    const normalized = digest.replace(/^\$2y\$/, "$2b$");
    return async () => mustVerify(await nativeBcrypt.compare(password, normalized), hasher);
  }
  if (hasher === "pbkdf2_sha256" || hasher === "pbkdf2_sha256_django" || hasher.startsWith("pbkdf2_sha1") || hasher.startsWith("pbkdf2_sha512")) {
    const parts = digest.split("$");
    const iterations = Number(parts[1]);
    const algorithm = hasher.startsWith("pbkdf2_sha1") ? "sha1" : hasher.startsWith("pbkdf2_sha512") ? "sha512" : "sha256";
    // Key length decides the number of PBKDF2 blocks: explicit (pbkdf2_sha1 …$keylen), else the stored hash's.
    const hash = parts[3];
    const keyLength = parts[4] ? Number(parts[4]) : /^(?:[0-9a-f]{2})+$/i.test(hash) ? hash.length / 2 : Buffer.from(hash, "base64").length;
    // Same iteration count, digest and key length as the stored one: the cost of a verify.
    return async () => pbkdf2Sync(password, parts[2], iterations, keyLength, algorithm);
  }
  if (hasher === "scrypt_werkzeug") {
    const [params, salt, hash] = digest.split("$");
    const [, N, r, p] = params.split(":").map(Number);
    return async () => scryptSync(password, salt, hash.length / 2, { N, r, p, maxmem: 256 * 1024 * 1024 });
  }
  if (hasher === "scrypt_firebase") {
    // Firebase's modified scrypt: N = 2^memcost, r = rounds, p = 1 (key derivation cost only).
    const parts = digest.split("$");
    const rounds = Number(parts[4]);
    const memCost = Number(parts[5]);
    return async () => scryptSync(password, Buffer.from(parts[1], "base64"), 32, { N: 2 ** memCost, r: rounds, p: 1, maxmem: 256 * 1024 * 1024 });
  }
  if ((hasher === "argon2id" || hasher === "argon2i") && nativeArgon2) {
    return async () => mustVerify(await nativeArgon2.verify(digest, password), hasher);
  }
  return undefined;
}

/** Digests at production-like parameters, made now (never checked in). */
function productionDigests() {
  const salt = randomBytes(16);
  const pbkdf2 = pbkdf2Sync(PASSWORD, salt, 600_000, 32, "sha256");
  const scryptSalt = randomBytes(12).toString("base64url");
  const scrypt = scryptSync(PASSWORD, scryptSalt, 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 256 * 1024 * 1024 });
  const argonSalt = randomBytes(16);
  const argon = argon2id(new TextEncoder().encode(PASSWORD), argonSalt, { t: 2, m: 19 * 1024, p: 1, dkLen: 32 });
  return [
    { label: "bcrypt cost 10", hasher: "bcrypt", digest: bcryptjs.hashSync(PASSWORD, 10), password: PASSWORD },
    { label: "PBKDF2-SHA256 600k", hasher: "pbkdf2_sha256", digest: `pbkdf2_sha256$600000$${b64(salt)}$${b64(pbkdf2)}`, password: PASSWORD },
    { label: "scrypt N=2^15 r=8 p=1", hasher: "scrypt_werkzeug", digest: `scrypt:32768:8:1$${scryptSalt}$${scrypt.toString("hex")}`, password: PASSWORD },
    {
      label: "argon2id m=19 MiB t=2 p=1",
      hasher: "argon2id",
      digest: `$argon2id$v=19$m=19456,t=2,p=1$${b64NoPad(argonSalt)}$${b64NoPad(argon)}`,
      password: PASSWORD,
    },
  ];
}

/** The first vector of each hasher in the shared test vectors. */
function vectorDigests() {
  const vectors = JSON.parse(readFileSync(VECTORS, "utf8")).password_digests;
  const seen = new Set();
  const out = [];
  for (const v of vectors) {
    if (seen.has(v.password_hasher)) continue;
    seen.add(v.password_hasher);
    out.push({ label: `${v.password_hasher} (vector)`, hasher: v.password_hasher, digest: v.password_digest, password: v.password });
  }
  return out;
}

async function api(url, method, path, body) {
  const { status, body: json } = await requestJson(url, method, path, body, HEADERS);
  return { status, body: json };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median wall time of `calls` sequential runs of `fn` (after one warm-up run). */
async function time(fn, calls) {
  await fn();
  const samples = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

async function measure(url, item, calls) {
  const created = await api(url, "POST", "/v1/users", {
    password_digest: item.digest,
    password_hasher: item.hasher,
    skip_password_checks: true,
  });
  if (created.status !== 200) return { ...item, na: `n/a (create: ${created.status} ${created.body?.errors?.[0]?.code ?? ""})` };
  const userId = created.body.id;
  const first = await api(url, "POST", `/v1/users/${userId}/verify_password`, { password: item.password });
  if (first.status !== 200 || first.body?.verified !== true) {
    return { ...item, na: `n/a (verify: ${first.status} ${first.body?.errors?.[0]?.code ?? ""})` };
  }
  const verifyMs = await time(async () => {
    const r = await api(url, "POST", `/v1/users/${userId}/verify_password`, { password: item.password });
    if (r.status !== 200) throw new Error(`verify_password for ${item.label} answered ${r.status}`);
  }, calls);
  const requestMs = await time(() => api(url, "GET", `/v1/users/${userId}`), calls);
  const native = nativeVerifier(item.hasher, item.digest, item.password);
  const nativeMs = native ? await time(native, calls) : undefined;
  return { ...item, verifyMs, workerMs: Math.max(0, verifyMs - requestMs), nativeMs };
}

/** Fails clearly when the Worker has no verify_password route (it arrives with the credentials work). */
async function assertVerifyEndpoint(url) {
  const user = await api(url, "POST", "/v1/users", { password: PASSWORD, skip_password_checks: true });
  if (user.status !== 200) throw new Error(`cannot create a user with a password: ${user.status} ${JSON.stringify(user.body)}`);
  const probe = await api(url, "POST", `/v1/users/${user.body.id}/verify_password`, { password: PASSWORD });
  if (probe.status === 404 && probe.body?.errors?.[0]?.code === "resource_not_found") {
    throw new Error("POST /v1/users/{user_id}/verify_password is missing in this build (it arrives with the credentials work): nothing to measure.");
  }
}

const fmt = (n, digits = 1) => (n === undefined || !Number.isFinite(n) ? "n/a" : n.toFixed(digits));

function table(results, opts, startedLoad) {
  const lines = [
    `## Password hashers — ${new Date().toISOString()}`,
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average at start ${startedLoad}. ` +
      `Median of ${opts.calls} sequential calls each. Native: node:crypto (PBKDF2, scrypt), ` +
      `bcrypt addon ${nativeBcrypt ? "loaded" : "n/a"}, argon2 addon ${nativeArgon2 ? "loaded" : "n/a"}.`,
    "",
    "| hasher | parameters | verify request ms | worker hashing ms | native ms | worker ÷ native |",
    "|---|---|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    const params = r.digest.length > 48 ? `${r.digest.slice(0, 45)}…` : r.digest;
    if (r.na) lines.push(`| ${r.label} | \`${params}\` | ${r.na} | | | |`);
    else {
      const ratio = r.nativeMs ? r.workerMs / r.nativeMs : undefined;
      lines.push(`| ${r.label} | \`${params}\` | ${fmt(r.verifyMs)} | ${fmt(r.workerMs)} | ${fmt(r.nativeMs)} | ${fmt(ratio, 2)} |`);
    }
  }
  lines.push(
    "",
    "worker hashing ms = median verify_password request − median GET of the same user (HTTP and D1 overhead). " +
      "Production-like digests are generated at bench time; vector rows use the first vector of each hasher.",
  );
  return lines.join("\n");
}

async function main() {
  const opts = options();
  const startedLoad = loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
  const items = [...productionDigests(), ...vectorDigests()].filter((i) => !opts.only.length || opts.only.includes(i.hasher));
  if (opts.nativeOnly) {
    for (const item of items) {
      const native = nativeVerifier(item.hasher, item.digest, item.password);
      console.log(`${item.label}: native ${native ? `${fmt(await time(native, opts.calls))} ms` : "n/a"}`);
    }
    return;
  }
  const persistTo = mkdtempSync(join(tmpdir(), "clerk-users-bench-hashers-"));
  try {
    applyMigrations(persistTo);
    const worker = await startWrangler({
      persistTo,
      vars: {
        CLERK_SECRET_KEY: SECRET_KEY,
        CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        BCRYPT_COST: "10",
        USER_CREATE_RATE_LIMIT: "1000000",
        // Repeated verifies must never trip a lockout (they all succeed, but be explicit).
        LOCKOUT_MAX_ATTEMPTS: "0",
      },
    });
    try {
      await assertVerifyEndpoint(worker.url);
      const results = [];
      for (const item of items) {
        const result = await measure(worker.url, item, opts.calls);
        console.log(`${item.label}: ${result.na ?? `${fmt(result.workerMs)} ms in the Worker, native ${fmt(result.nativeMs)} ms`}`);
        results.push(result);
      }
      const markdown = table(results, opts, startedLoad);
      console.log(`\n${markdown}\n`);
      if (opts.out !== "-") {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, `${markdown}\n`);
        console.log(`written to ${relative(process.cwd(), opts.out)}`);
      }
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:hashers: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
