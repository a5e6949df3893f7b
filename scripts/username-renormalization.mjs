/**
 * The SQL of the one-off username re-normalisation (scripts/renormalize-usernames.mjs runs it
 * with wrangler; test/routes/username-folding.test.ts runs it against the test D1). Plain JS, no
 * node: imports, so it runs in Node and in workerd alike.
 *
 * Rows written before usernames were folded with NFKC keep `username_normalized` in the old fold
 * (NFC, lower-cased). SQLite cannot compute NFKC, so a migration cannot fix them; this reads the
 * rows whose fold can have changed, computes the new fold in JS and writes it back with one
 * guarded UPDATE per row.
 */
import { foldUsername } from "../workers/db/identifier-folding.mjs";

/**
 * Users whose username has a non-ASCII character (its UTF-8 byte length exceeds its character
 * count): the only ones whose fold can differ, since both folds leave ASCII as plain lower case.
 */
export const CANDIDATES_SQL =
  "SELECT id, username, username_normalized FROM users WHERE username IS NOT NULL AND length(CAST(username AS BLOB)) <> length(username) ORDER BY id";

/** A SQL string literal (no bound parameters through `wrangler d1 execute --command/--file`). */
function literal(value) {
  if (value.includes("\u0000")) throw new Error("a value with a NUL character cannot be written as a SQL literal");
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The candidate rows whose stored fold is not the current one, and for each the statement that
 * updates it. Each UPDATE changes its row only if the username and the stored fold are still
 * those read (a concurrent rename wins) and no user holds the new fold yet (two users whose
 * usernames are equal under the new rule keep their old folds, and the caller reports them).
 * Updating the column fires the search index triggers, so searches follow.
 *
 * @param {{ id: string, username: string, username_normalized: string | null }[]} rows from CANDIDATES_SQL
 * @returns {{ stale: { id: string, username: string, from: string | null, to: string }[], statements: string[] }}
 */
export function planUsernameRenormalization(rows) {
  const stale = rows
    .map((row) => ({ id: row.id, username: row.username, from: row.username_normalized, to: foldUsername(row.username) }))
    .filter((row) => row.from !== row.to);
  const statements = stale.map(
    (row) =>
      `UPDATE users SET username_normalized = ${literal(row.to)} WHERE id = ${literal(row.id)} AND username = ${literal(row.username)}` +
      ` AND username_normalized ${row.from === null ? "IS NULL" : `= ${literal(row.from)}`}` +
      ` AND NOT EXISTS (SELECT 1 FROM users AS holder WHERE holder.username_normalized = ${literal(row.to)});`,
  );
  return { stale, statements };
}

/** SQL: the users that hold any of these folds (who stand in the way of a stale row). */
export function holdersSql(folds) {
  return `SELECT id, username, username_normalized FROM users WHERE username_normalized IN (${folds.map(literal).join(", ")}) ORDER BY id`;
}
