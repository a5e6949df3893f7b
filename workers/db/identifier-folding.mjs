/**
 * How email addresses and usernames are folded for uniqueness and exact lookups (the
 * `*_normalized` columns). Plain JS, so the Worker (through normalize.ts), the seed data and the
 * one-off scripts/renormalize-usernames.mjs, which Node runs without a TS loader, share one rule.
 *
 * Both ignore case with full Unicode case mapping (SQLite's NOCASE folds ASCII only, so "ÉLODIE"
 * and "élodie" would otherwise differ) and Unicode's canonical equivalence (é precomposed or as
 * e + U+0301). They differ on compatibility equivalence (UAX #15: fullwidth "ｅｘａｍｐｌｅ", the
 * ligature "ﬁ", superscript "²", …):
 * - a username is a name people read and type, so its compatibility forms are the same name
 *   (UAX #31 §5 treats identifiers as equal under NFKC with case folding); "ｅｘａｍｐｌｅ" would
 *   otherwise pass for "example".
 * - an email address is kept apart from its compatibility forms: it names a mailbox that only the
 *   receiving server resolves, it is verified by delivery rather than by how it looks, and
 *   invitations are handed to whoever owns the exact (case-folded) address. Folding more would
 *   refuse a different person's address as taken, or give one person's invitations to another.
 */

/** The folded form of an email address: NFC, then lower-cased. */
export function foldEmail(value) {
  return value.normalize("NFC").toLowerCase();
}

/**
 * The folded form of a username: NFKC, lower-cased, and NFKC again, because lower-casing can
 * make a character compose with the mark after it ("H" + U+0331 has no precomposed form, but
 * "h" + U+0331 is "ẖ"), and the fold must be idempotent.
 */
export function foldUsername(value) {
  return value.normalize("NFKC").toLowerCase().normalize("NFKC");
}
