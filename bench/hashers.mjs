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
 * Then the worst case each hasher accepts (the largest parameters its parser takes, hash bytes
 * random: a wrong password is timed, which costs what a right one does and never triggers the
 * re-hash to bcrypt), the worst verify_totp (a wrong code against the largest accepted set of
 * bcrypt backup codes), and the peak memory of one memory-hard verification at the largest
 * accepted parameters, measured in Node child processes (process.memoryUsage() sampled while
 * @noble's argon2/scrypt — the Worker's code — and node:crypto's scrypt run).
 *
 * Needs the verify_password endpoint and password_digest import (the credentials work); fails
 * with a clear message when the endpoint is missing. Options: --calls / BENCH_HASHER_CALLS
 * (default 20), --worst-calls / BENCH_WORST_CALLS (default 3, for the worst cases),
 * --only / BENCH_ONLY hasher names (backup_codes and memory name those parts), --out / BENCH_OUT (default
 * bench/results/<date>-hashers.md; "-" prints only), --native-only (Node baselines alone, no Worker).
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pbkdf2Sync, randomBytes, scrypt, scryptSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { argon2id, argon2idAsync } from "@noble/hashes/argon2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
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
    worstCalls: Number(cliFlag("worst-calls") ?? process.env.BENCH_WORST_CALLS ?? 3),
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
    {
      label: "scrypt N=2^15 r=8 p=1",
      hasher: "scrypt_werkzeug",
      digest: `scrypt:32768:8:1$${scryptSalt}$${scrypt.toString("hex")}`,
      password: PASSWORD,
    },
    {
      label: "argon2id m=19 MiB t=2 p=1",
      hasher: "argon2id",
      digest: `$argon2id$v=19$m=19456,t=2,p=1$${b64NoPad(argonSalt)}$${b64NoPad(argon)}`,
      password: PASSWORD,
    },
  ];
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomBcryptTail = () => Array.from(randomBytes(53), (b) => BCRYPT_ALPHABET[b % 64]).join("");
/** A digest in bcrypt's layout at `cost` with random salt and hash: verifying costs 2^cost rounds. */
const bcryptAt = (cost) => `$2b$${String(cost).padStart(2, "0")}$${randomBcryptTail()}`;
const hex = (n) => randomBytes(n).toString("hex");

/**
 * The largest parameters each hasher accepts (workers/crypto/hashers/*: bcrypt cost 14, PBKDF2
 * 2,000,000 iterations × output blocks, phpass 2^20 rounds, Symfony 1,000,000 iterations,
 * scrypt and argon2 64 MiB with the most passes/lanes allowed), hash bytes random. Timed with a
 * wrong password.
 */
function worstDigests() {
  const phpassSalt = Array.from(randomBytes(8), (b) => BCRYPT_ALPHABET[b % 64]).join("");
  const phpassTail = Array.from(randomBytes(22), (b) => BCRYPT_ALPHABET[b % 64]).join("");
  const b64Bytes = (n) => b64NoPad(randomBytes(n));
  return [
    { label: "bcrypt cost 14", hasher: "bcrypt", digest: bcryptAt(14) },
    { label: "bcrypt_peppered cost 14", hasher: "bcrypt_peppered", digest: `${bcryptAt(14)}$${hex(64)}` },
    { label: "bcrypt_sha256_django cost 14", hasher: "bcrypt_sha256_django", digest: `bcrypt_sha256$${bcryptAt(14)}` },
    { label: "md5", hasher: "md5", digest: hex(16) },
    { label: "sha256", hasher: "sha256", digest: hex(32) },
    { label: "ldap_ssha, 700-byte salt", hasher: "ldap_ssha", digest: `{SSHA}${b64(randomBytes(720))}` },
    { label: "sha512_symfony 1,000,000 iterations", hasher: "sha512_symfony", digest: `sha512_symfony$1000000$${hex(10)}$${b64(randomBytes(64))}` },
    // 2^20 rounds: the rounds character is ITOA64[20].
    { label: "phpass 2^20 rounds", hasher: "phpass", digest: `$P$I${phpassSalt}${phpassTail}` },
    // PBKDF2's bound is iterations × output blocks: 2,000,000 iterations of one block.
    { label: "pbkdf2_sha1 2M, one block", hasher: "pbkdf2_sha1", digest: `pbkdf2_sha1$2000000$${hex(16)}$${hex(20)}$20` },
    {
      label: "pbkdf2_sha256 2M, one block",
      hasher: "pbkdf2_sha256",
      digest: `pbkdf2_sha256$2000000$${b64(randomBytes(16))}$${b64(randomBytes(32))}`,
    },
    {
      label: "pbkdf2_sha256_django 2M, one block",
      hasher: "pbkdf2_sha256_django",
      digest: `pbkdf2_sha256$2000000$${hex(11)}$${b64(randomBytes(32))}`,
    },
    { label: "pbkdf2_sha512 2M, one block", hasher: "pbkdf2_sha512", digest: `pbkdf2_sha512$2000000$${hex(8)}$${hex(64)}` },
    { label: "pbkdf2_sha512_hex 2M, one block", hasher: "pbkdf2_sha512_hex", digest: `pbkdf2_sha512_hex$2000000$${hex(16)}$${hex(64)}` },
    { label: "scrypt_werkzeug N=2^16 r=8 p=16 (64 MiB)", hasher: "scrypt_werkzeug", digest: `scrypt:65536:8:16$${hex(8)}$${hex(64)}` },
    {
      label: "scrypt_firebase 2^16·8 (64 MiB)",
      hasher: "scrypt_firebase",
      digest: `${b64(randomBytes(64))}$${b64(randomBytes(16))}$${b64(randomBytes(64))}$${b64(randomBytes(2))}$8$16`,
    },
    { label: "argon2i m=64 MiB t=16 p=16", hasher: "argon2i", digest: `$argon2i$v=19$m=65536,t=16,p=16$${b64Bytes(16)}$${b64Bytes(32)}` },
    { label: "argon2id m=64 MiB t=16 p=16", hasher: "argon2id", digest: `$argon2id$v=19$m=65536,t=16,p=16$${b64Bytes(16)}$${b64Bytes(32)}` },
  ].map((item) => ({ ...item, password: PASSWORD, worst: true }));
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

/** A worst case: the median time of a wrong password (422, no re-hash), minus a GET of the user. */
async function measureWorst(url, item, calls) {
  const created = await api(url, "POST", "/v1/users", { password_digest: item.digest, password_hasher: item.hasher });
  if (created.status !== 200) return { ...item, na: `n/a (create: ${created.status} ${created.body?.errors?.[0]?.code ?? ""})` };
  const userId = created.body.id;
  const verifyMs = await time(async () => {
    const r = await api(url, "POST", `/v1/users/${userId}/verify_password`, { password: "not the password" });
    if (r.status !== 422) throw new Error(`verify_password for ${item.label} answered ${r.status}`);
  }, calls);
  const requestMs = await time(() => api(url, "GET", `/v1/users/${userId}`), calls);
  return { ...item, verifyMs, workerMs: Math.max(0, verifyMs - requestMs) };
}

/** The worst verify_totp: a wrong code against ten bcrypt backup codes at cost 12 (the accepted bound). */
async function measureBackupCodes(url, calls) {
  const item = { label: "verify_totp, wrong code, 10 bcrypt backup codes at cost 12", hasher: "backup_codes", digest: "10 × $2b$12$…", worst: true };
  const created = await api(url, "POST", "/v1/users", { backup_codes: Array.from({ length: 10 }, () => bcryptAt(12)) });
  if (created.status !== 200) return { ...item, na: `n/a (create: ${created.status} ${created.body?.errors?.[0]?.code ?? ""})` };
  const userId = created.body.id;
  const verifyMs = await time(async () => {
    const r = await api(url, "POST", `/v1/users/${userId}/verify_totp`, { code: "wrongcode" });
    if (r.status !== 422) throw new Error(`verify_totp answered ${r.status}`);
  }, calls);
  const requestMs = await time(() => api(url, "GET", `/v1/users/${userId}`), calls);
  return { ...item, verifyMs, workerMs: Math.max(0, verifyMs - requestMs) };
}

const MIB = 1024 * 1024;
/** Memory-hard computations at the largest accepted memory (64 MiB), as the Worker runs them. */
const MEMORY_CASES = {
  "argon2id m=64 MiB (@noble, the Worker's argon2)": () =>
    argon2idAsync(new TextEncoder().encode(PASSWORD), randomBytes(16), { m: 65536, t: 1, p: 1, dkLen: 32, onProgress: sampleMemory }),
  "scrypt N=2^16 r=8 p=1 (node:crypto, the Worker's scrypt)": () =>
    new Promise((resolve, reject) =>
      scrypt(PASSWORD, "salt", 32, { N: 65536, r: 8, p: 1, maxmem: 256 * MIB }, (e, k) => (e ? reject(e) : resolve(k))),
    ),
  "scrypt N=2^16 r=8 p=16 (node:crypto)": () =>
    new Promise((resolve, reject) =>
      scrypt(PASSWORD, "salt", 32, { N: 65536, r: 8, p: 16, maxmem: 256 * MIB }, (e, k) => (e ? reject(e) : resolve(k))),
    ),
  "scrypt N=2^16 r=8 p=1 (@noble, the Worker's fallback)": () =>
    scryptAsync(new TextEncoder().encode(PASSWORD), "salt", { N: 65536, r: 8, p: 1, dkLen: 32, onProgress: sampleMemory }),
};

let memoryPeak;
function sampleMemory() {
  const now = process.memoryUsage();
  for (const key of Object.keys(now)) memoryPeak[key] = Math.max(memoryPeak[key], now[key]);
}

/** In a child process (a fresh heap): the peak growth of rss and ArrayBuffers while one case runs. */
async function memoryProbe(name) {
  globalThis.gc?.();
  const base = process.memoryUsage();
  memoryPeak = { ...base };
  const timer = setInterval(sampleMemory, 2);
  await MEMORY_CASES[name]();
  sampleMemory();
  clearInterval(timer);
  console.log(JSON.stringify({ rss: memoryPeak.rss - base.rss, arrayBuffers: memoryPeak.arrayBuffers - base.arrayBuffers }));
}

function measureMemory() {
  const self = new URL(import.meta.url).pathname;
  return Object.keys(MEMORY_CASES).map((name) => {
    const out = execFileSync(process.execPath, ["--expose-gc", self, "--memory-probe", name], { encoding: "utf8" });
    return { name, ...JSON.parse(out.trim().split("\n").at(-1)) };
  });
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

function worstTable(results, memory, opts) {
  const lines = [
    "### Worst accepted cases",
    "",
    `Median of ${opts.worstCalls} sequential wrong-password verifies each (a wrong one costs what a right one does and is never re-hashed).`,
    "",
    "| case | parameters | verify request ms | worker hashing ms |",
    "|---|---|---:|---:|",
  ];
  for (const r of results) {
    const params = r.digest.length > 48 ? `${r.digest.slice(0, 45)}…` : r.digest;
    lines.push(r.na ? `| ${r.label} | \`${params}\` | ${r.na} | |` : `| ${r.label} | \`${params}\` | ${fmt(r.verifyMs)} | ${fmt(r.workerMs)} |`);
  }
  if (memory.length) {
    lines.push(
      "",
      "### Peak memory of one memory-hard verification (Node, fresh process each)",
      "",
      "| computation | peak rss growth MiB | peak ArrayBuffer growth MiB |",
      "|---|---:|---:|",
    );
    for (const m of memory) lines.push(`| ${m.name} | ${fmt(m.rss / MIB)} | ${fmt(m.arrayBuffers / MIB)} |`);
  }
  return lines.join("\n");
}

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
  const wanted = (name) => !opts.only.length || opts.only.includes(name);
  const items = [...productionDigests(), ...vectorDigests()].filter((i) => wanted(i.hasher));
  const worst = worstDigests().filter((i) => wanted(i.hasher));
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
      const worstResults = [];
      for (const item of worst) {
        const result = await measureWorst(worker.url, item, opts.worstCalls);
        console.log(`worst ${item.label}: ${result.na ?? `${fmt(result.workerMs)} ms in the Worker`}`);
        worstResults.push(result);
      }
      if (wanted("backup_codes")) {
        const result = await measureBackupCodes(worker.url, opts.worstCalls);
        console.log(`worst ${result.label}: ${result.na ?? `${fmt(result.workerMs)} ms in the Worker`}`);
        worstResults.push(result);
      }
      const memory = wanted("memory") ? measureMemory() : [];
      const markdown = `${table(results, opts, startedLoad)}\n\n${worstTable(worstResults, memory, opts)}`;
      console.log(`\n${markdown}\n`);
      if (opts.out !== "-") {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, `${markdown}\n`);
        console.log(`written to ${relative(process.cwd(), opts.out)}`);
      }
    } catch (error) {
      // A dropped connection is the dev server's doing: show what it printed.
      console.error(`wrangler dev output (last 3000 characters):\n${worker.output().slice(-3000)}`);
      throw error;
    } finally {
      await worker.stop();
    }
  } finally {
    rmSync(persistTo, { recursive: true, force: true });
  }
}

const probe = process.argv.indexOf("--memory-probe");
(probe >= 0 ? memoryProbe(process.argv[probe + 1]) : main()).catch((error) => {
  console.error(`bench:hashers: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
