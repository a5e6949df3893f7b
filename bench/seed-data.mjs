/**
 * Realistic seed users for benchmarks and rows-read tests, written straight into D1 with
 * `INSERT … SELECT … FROM json_each(?)`: one bound parameter carries a whole chunk of rows,
 * because D1 allows at most 100 bound parameters per statement.
 *
 * Runs unchanged in Node (against Miniflare's getD1Database(), see bench/seed.mjs) and inside
 * workerd (against env.DB, see test/perf-helpers.ts): plain JS, no node: imports.
 *
 * The columns written follow what the API writes on create (workers/services/users.ts):
 * `*_normalized` and the `primary_*_sort` copies are folded by the API's own rules
 * (workers/db/identifier-folding.mjs).
 * Search-index rows are NOT written here: the index is kept by triggers on these tables, so
 * plain INSERTs keep it in step.
 */
import { foldEmail, foldUsername } from "../workers/db/identifier-folding.mjs";

/** The plain password of every seeded user that has one (its digest is reused for all). */
export const SEED_PASSWORD = "seed-password-1";

const KSUID_EPOCH_SECONDS = 1_400_000_000;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

let randomPool = new Uint32Array(0);
let randomAt = 0;

/**
 * A Clerk-style id (`prefix_` + 27-char base62 KSUID) embedding the given time: the same
 * format as workers/crypto/ids.ts, but without BigInt and with random words drawn in bulk,
 * because seeding 100k users makes ~400k ids.
 */
export function seedId(prefix, ms) {
  if (randomAt + 4 > randomPool.length) {
    randomPool = crypto.getRandomValues(new Uint32Array(16384));
    randomAt = 0;
  }
  // 160-bit number as five 32-bit words, most significant first: timestamp, then 128 random bits.
  idWords[0] = Math.max(0, Math.floor(ms / 1000) - KSUID_EPOCH_SECONDS) >>> 0;
  for (let i = 1; i < 5; i++) idWords[i] = randomPool[randomAt++];
  for (let digit = 26; digit >= 0; digit--) {
    // Long division of the words by 62; the remainder is the next base62 digit (least significant first).
    let remainder = 0;
    for (let i = 0; i < 5; i++) {
      const value = remainder * 4294967296 + idWords[i];
      idWords[i] = Math.floor(value / 62);
      remainder = value - idWords[i] * 62;
    }
    idDigits[digit] = BASE62_CODES[remainder];
  }
  return `${prefix}_${String.fromCharCode.apply(null, idDigits)}`;
}
const idWords = new Float64Array(5);
const idDigits = new Array(27);
const BASE62_CODES = Array.from(BASE62, (c) => c.charCodeAt(0));

/** ASCII form for email local parts and usernames: "Łukasz Dvořák" → "lukaszdvorak" (memoised: few names). */
const asciiCache = new Map();
export const ascii = (value) => {
  let out = asciiCache.get(value);
  if (out === undefined) {
    out = toAscii(value);
    asciiCache.set(value, out);
  }
  return out;
};
const toAscii = (value) =>
  value
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ł/g, "l")
    .replace(/ø/g, "o")
    .replace(/æ/g, "ae")
    .replace(/ß/g, "ss")
    .replace(/[^a-z0-9]/g, "") ||
  // Names in scripts without a Latin form (山田, Ольга) get a stable ASCII stand-in.
  `n${value.codePointAt(0).toString(36)}`;

export const FIRST_NAMES = [
  "Ada",
  "Alan",
  "Grace",
  "Linus",
  "Margaret",
  "John",
  "Mary",
  "James",
  "Olivia",
  "Noah",
  "Emma",
  "Liam",
  "Élodie",
  "José",
  "Zoë",
  "Søren",
  "Łukasz",
  "Mårten",
  "Björn",
  "Chloé",
  "Renée",
  "François",
  "Ñaño",
  "Jürgen",
  "Ægir",
  "İlkay",
  "Şebnem",
  "Dvořka",
  "Ζωή",
  "Дмитрий",
  "Ольга",
  "美咲",
  "太郎",
  "지민",
  "Nguyễn",
];
export const LAST_NAMES = [
  "Lovelace",
  "Turing",
  "Hopper",
  "Torvalds",
  "Hamilton",
  "Smith",
  "Johnson",
  "Brown",
  "Taylor",
  "Wilson",
  "Müller",
  "Ångström",
  "García",
  "O'Brien",
  "Kowalski",
  "Nakamura",
  "Schrödinger",
  "Dvořák",
  "Gauß",
  "Peña",
  "Łukasiewicz",
  "Øvergård",
  "Ibáñez",
  "Çelik",
  "Παπαδόπουλος",
  "Иванов",
  "山田",
  "김",
  "Trần",
];
export const DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.co.uk", "uni.example.edu"];
const PLANS = ["free", "pro", "team", "enterprise"];

/** Small deterministic PRNG (mulberry32) so runs with the same seed look alike. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Column lists and the INSERTs that read them from one JSON array of arrays.
const COLUMNS = {
  organizations: ["id", "name", "slug", "created_by", "max_allowed_memberships", "public_metadata", "private_metadata", "created_at", "updated_at"],
  users: [
    "id",
    "external_id",
    "username",
    "username_normalized",
    "first_name",
    "last_name",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_email_address_sort",
    "primary_phone_number_sort",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "password_digest",
    "password_hasher",
    "password_last_updated_at",
    "banned",
    "locked_at",
    "locked_until",
    "failed_verification_attempts",
    "last_active_at",
    "last_sign_in_at",
    "created_at",
    "updated_at",
  ],
  email_addresses: [
    "id",
    "user_id",
    "email_address",
    "email_address_normalized",
    "reserved",
    "verification_status",
    "verification_strategy",
    "created_at",
    "updated_at",
  ],
  phone_numbers: ["id", "user_id", "phone_number", "verification_status", "verification_strategy", "created_at", "updated_at"],
  organization_memberships: ["id", "organization_id", "user_id", "role", "created_at", "updated_at"],
};

export const INSERT_SQL = Object.fromEntries(
  Object.entries(COLUMNS).map(([table, columns]) => [
    table,
    `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${columns.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?)`,
  ]),
);

/**
 * Generates the rows for `users` users, `chunkSize` users at a time, as
 * `{ table, rows }[]` per chunk (rows are arrays in COLUMNS order). Organizations come first.
 *
 * @param {object} options
 * @param {number} options.users how many users
 * @param {string|null} options.passwordDigest bcrypt digest stored for ~70% of users (null: none)
 * @param {number} [options.startIndex] index of the first user (keeps identifiers unique when appending)
 * @param {number} [options.now] epoch ms; users are created over the two years before it, oldest first
 * @param {number} [options.organizations] number of organizations (default max(3, users / 500))
 * @param {number} [options.chunkSize]
 * @param {number} [options.seed] PRNG seed
 */
export function* seedChunks(options) {
  const total = options.users;
  const start = options.startIndex ?? 0;
  const now = options.now ?? Date.now();
  const chunkSize = options.chunkSize ?? 1000;
  const random = prng(options.seed ?? 42 + start);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const span = 2 * 365 * 24 * 3600 * 1000;
  const step = Math.max(1, Math.floor(span / Math.max(total, 1)));
  const firstCreated = now - step * total;

  const orgCount = total === 0 ? 0 : (options.organizations ?? Math.max(3, Math.ceil(total / 500)));
  const orgIds = [];
  if (orgCount > 0) {
    const rows = [];
    for (let o = 0; o < orgCount; o++) {
      const created = firstCreated - (orgCount - o) * 60_000;
      const id = seedId("org", created);
      orgIds.push(id);
      const name = `${pick(LAST_NAMES)} ${pick(["Labs", "GmbH", "& Söhne", "Studio", "Coöperatie", "株式会社"])} ${start + o}`;
      rows.push([id, name, `seed-org-${start}-${o}`, null, 0, JSON.stringify({ tier: pick(PLANS) }), "{}", created, created]);
    }
    yield [{ table: "organizations", rows }];
  }

  for (let offset = 0; offset < total; offset += chunkSize) {
    const users = [];
    const emails = [];
    const phones = [];
    const memberships = [];
    for (let k = offset; k < Math.min(total, offset + chunkSize); k++) {
      const n = start + k;
      const created = firstCreated + k * step;
      const userId = seedId("user", created);
      const first = random() < 0.05 ? null : pick(FIRST_NAMES);
      const last = random() < 0.07 ? null : pick(LAST_NAMES);
      const base = `${ascii(first ?? "user")}.${ascii(last ?? "anon")}`;

      const emailCount = 1 + Math.floor(random() * 3);
      const userEmails = [];
      for (let e = 0; e < emailCount; e++) {
        // Some addresses keep capitals, as people type them; the normalised copy is lower-cased.
        let address = `${base}${e === 0 ? "" : `+${e}`}.${n}@${pick(DOMAINS)}`;
        if (random() < 0.1) address = address.replace(/^./, (c) => c.toUpperCase());
        const id = seedId("idn", created);
        userEmails.push({ id, normalized: foldEmail(address) });
        emails.push([id, userId, address, foldEmail(address), 0, "verified", "admin", created, created]);
      }
      let phone = null;
      if (random() < 0.4) {
        phone = { id: seedId("idn", created), number: `+1555${String(n).padStart(7, "0")}` };
        phones.push([phone.id, userId, phone.number, "verified", "admin", created, created]);
      }
      const username = random() < 0.8 ? `${ascii(first ?? "user")}_${ascii(last ?? "x")}${n}` : null;
      const banned = random() < 0.02 ? 1 : 0;
      const locked = random() < 0.01;
      const hasPassword = options.passwordDigest && random() < 0.7;
      const lastSignIn = random() < 0.6 ? created + Math.floor(random() * (now - created)) : null;
      users.push([
        userId,
        random() < 0.3 ? `ext_${n}` : null,
        username,
        username ? foldUsername(username) : null,
        first,
        last,
        userEmails[0].id,
        phone?.id ?? null,
        userEmails[0].normalized,
        phone?.number ?? null,
        JSON.stringify({ plan: pick(PLANS), seats: 1 + Math.floor(random() * 50) }),
        JSON.stringify(random() < 0.5 ? { crm_id: `crm_${n}`, notes: "Grüße aus Zürich" } : {}),
        JSON.stringify(random() < 0.2 ? { theme: pick(["dark", "light"]) } : {}),
        hasPassword ? options.passwordDigest : null,
        hasPassword ? "bcrypt" : null,
        hasPassword ? created : null,
        banned,
        locked ? now - 60_000 : null,
        locked ? now + 3_600_000 : null,
        locked ? 10 : 0,
        lastSignIn,
        lastSignIn,
        created,
        created,
      ]);
      if (orgIds.length > 0 && random() < 0.3) {
        const count = random() < 0.25 ? 2 : 1;
        const chosen = new Set();
        for (let m = 0; m < count; m++) chosen.add(pick(orgIds));
        for (const orgId of chosen) {
          memberships.push([seedId("orgmem", created), orgId, userId, random() < 0.1 ? "org:admin" : "org:member", created, created]);
        }
      }
    }
    const chunk = [
      { table: "users", rows: users },
      { table: "email_addresses", rows: emails },
      { table: "phone_numbers", rows: phones },
      { table: "organization_memberships", rows: memberships },
    ];
    yield chunk.filter((c) => c.rows.length > 0);
  }
}

/**
 * Writes seed users into a D1 database (env.DB in workerd, or Miniflare's getD1Database() in
 * Node), each chunk as one all-or-nothing batch. Resolves to the seeded user ids, oldest first.
 *
 * @param {D1Database} db
 * @param {Parameters<typeof seedChunks>[0] & { onProgress?: (done: number) => void }} options
 */
export async function seedD1(db, options) {
  const userIds = [];
  for (const chunk of seedChunks(options)) {
    const statements = chunk.map(({ table, rows }) => db.prepare(INSERT_SQL[table]).bind(JSON.stringify(rows)));
    await db.batch(statements);
    for (const { table, rows } of chunk) {
      if (table === "users") for (const row of rows) userIds.push(row[0]);
    }
    options.onProgress?.(userIds.length);
  }
  return userIds;
}
