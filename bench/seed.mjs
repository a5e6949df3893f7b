#!/usr/bin/env node
/**
 * `npm run seed -- --users N [--persist-to DIR] [--reset]`
 *
 * Fills the local D1 state that `npm start` (wrangler dev) uses — by default .wrangler/state —
 * with N realistic users (bench/seed-data.mjs). Applies the migrations first, then writes
 * through Miniflare's getD1Database() on the same persist path, in json_each batches.
 * Users with a password have the password "seed-password-1" (one bcrypt cost-10 digest, reused).
 *
 * Without --reset, users are appended (identifiers continue after the existing user count).
 * --reset deletes the local D1 state under DIR first (R2 and Durable Object state are kept).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import bcrypt from "bcryptjs";
import { Miniflare } from "miniflare";
import { SEED_PASSWORD, seedD1 } from "./seed-data.mjs";
import { ROOT, applyMigrations } from "./worker-launcher.mjs";

export const DEFAULT_PERSIST = join(ROOT, ".wrangler/state");

/** The local database id wrangler uses for the DB binding (preview_database_id wins, as in wrangler). */
function localDatabaseId() {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const id = /^\s*preview_database_id\s*=\s*"([^"]+)"/m.exec(toml) ?? /^\s*database_id\s*=\s*"([^"]+)"/m.exec(toml);
  if (!id) throw new Error("wrangler.toml has no d1 database_id");
  return id[1];
}

/**
 * Seeds `users` users into the local D1 state under `persistTo` and returns what was written.
 * @param {{ users: number, persistTo?: string, reset?: boolean, organizations?: number, log?: (line: string) => void }} options
 */
export async function seed(options) {
  const persistTo = resolve(options.persistTo ?? DEFAULT_PERSIST);
  const log = options.log ?? (() => {});
  const d1Persist = join(persistTo, "v3", "d1");
  if (options.reset && existsSync(d1Persist)) rmSync(d1Persist, { recursive: true, force: true });

  const started = performance.now();
  applyMigrations(persistTo);
  const migratedAt = performance.now();

  const mf = new Miniflare({ modules: true, script: "", d1Persist, d1Databases: { DB: localDatabaseId() } });
  try {
    const db = await mf.getD1Database("DB");
    const existing = Number((await db.prepare("select count(*) as n from users").first())?.n ?? 0);
    const passwordDigest = bcrypt.hashSync(SEED_PASSWORD, 10);
    let lastLog = 0;
    const userIds = await seedD1(db, {
      users: options.users,
      passwordDigest,
      startIndex: existing,
      organizations: options.organizations,
      chunkSize: 4000,
      onProgress: (done) => {
        if (done > 0 && performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          log(`  ${done} / ${options.users} users`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    log(
      `Seeded ${userIds.length} users (${existing} existed) into ${d1Persist} in ${seconds.toFixed(1)} s ` +
        `(migrations ${((migratedAt - started) / 1000).toFixed(1)} s). Password of users with one: ${SEED_PASSWORD}`,
    );
    return { userIds, persistTo, seconds, existing };
  } finally {
    await mf.dispose();
  }
}

function parseArgs(argv) {
  const options = { users: 1000, persistTo: undefined, reset: false, organizations: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    if (flag === "--users") options.users = Number(value());
    else if (flag === "--persist-to") options.persistTo = value();
    else if (flag === "--organizations") options.organizations = Number(value());
    else if (flag === "--reset") options.reset = true;
    else if (flag === "--help" || flag === "-h") {
      console.log("usage: npm run seed -- --users N [--persist-to DIR] [--organizations N] [--reset]");
      process.exit(0);
    } else throw new Error(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isInteger(options.users) || options.users < 0) throw new Error("--users must be a whole number ≥ 0");
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  seed({ ...parseArgs(process.argv.slice(2)), log: (line) => console.log(line) }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
