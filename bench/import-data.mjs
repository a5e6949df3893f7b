/**
 * Generated users for the import benchmark, written as Clerk's dashboard CSV export (the file a
 * team moving from Clerk starts with), streamed to disk so 100k users are never held at once.
 *
 * Mix (deterministic for a seed): a third of the users have a bcrypt cost-10 password digest
 * (a few distinct digests, computed once: importing never re-hashes, so which digest does not
 * matter), about one in six a second or third email address, one in four a phone number (some
 * two), one in ten a TOTP secret, one in twenty an unverified address; half have a username.
 * Names come from the seed's lists (non-ASCII included) and one in fifty carries a comma, so
 * cells are quoted. Ids are Clerk-style KSUIDs spread over the two years before `now`.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import bcrypt from "bcryptjs";
import { csvRecord } from "../scripts/migrate/csv.mjs";
import { CLERK_CSV_COLUMNS } from "../scripts/migrate/records.mjs";
import { DOMAINS, FIRST_NAMES, LAST_NAMES, ascii, prng, seedId } from "./seed-data.mjs";

/** The password every generated digest is of. */
export const IMPORT_PASSWORD = "import-password-1";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * Writes `users` generated users to `path` as Clerk dashboard CSV and resolves to a summary of
 * what it wrote.
 * @param {string} path
 * @param {{ users: number, seed?: number, now?: number, startIndex?: number }} options
 *   startIndex: number of the first user (identifiers stay unique across files with distinct ranges)
 */
export async function writeImportCsv(path, options) {
  const random = prng(options.seed ?? 7);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const now = options.now ?? Date.now();
  const spanMs = 2 * 365 * 24 * 3600 * 1000;
  const digests = Array.from({ length: 4 }, () => bcrypt.hashSync(IMPORT_PASSWORD, 10));
  const out = createWriteStream(path);
  const counts = { users: 0, withDigest: 0, withTotp: 0, emails: 0, phones: 0 };
  let buffer = csvRecord(CLERK_CSV_COLUMNS);
  const first = options.startIndex ?? 0;
  for (let i = first; i < first + options.users; i++) {
    const given = pick(FIRST_NAMES);
    const last = random() < 0.02 ? `${pick(LAST_NAMES)}, Jr.` : pick(LAST_NAMES);
    const local = `${ascii(given)}.${ascii(last)}.${i}`;
    const emails = [`${local}@${pick(DOMAINS)}`];
    if (random() < 0.17) emails.push(`${local}+work@${pick(DOMAINS)}`);
    if (random() < 0.05) emails.push(`${local}+old@${pick(DOMAINS)}`);
    const unverified = random() < 0.05 ? [`${local}+new@${pick(DOMAINS)}`] : [];
    const phones = [];
    if (random() < 0.25) phones.push(`+1555${String(1_000_000 + i).padStart(7, "0")}`);
    if (phones.length && random() < 0.2) phones.push(`+4420${String(10_000_000 + i).padStart(8, "0")}`);
    const digest = random() < 1 / 3 ? pick(digests) : "";
    const totp = random() < 0.1 ? Array.from({ length: 32 }, () => BASE32[Math.floor(random() * 32)]).join("") : "";
    const row = [
      seedId("user", now - spanMs + Math.floor((spanMs * (i - first)) / options.users)),
      given,
      last,
      random() < 0.5 ? `${ascii(given)}_${i}` : "",
      emails[0],
      phones[0] ?? "",
      emails.join("|"),
      unverified.join("|"),
      phones.join("|"),
      "",
      totp,
      digest,
      digest ? "bcrypt" : "",
    ];
    buffer += csvRecord(row);
    counts.users++;
    counts.withDigest += digest ? 1 : 0;
    counts.withTotp += totp ? 1 : 0;
    counts.emails += emails.length + unverified.length;
    counts.phones += phones.length;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, "drain");
      buffer = "";
    }
  }
  out.end(buffer);
  await once(out, "finish");
  return counts;
}
