/**
 * The folded form of an email address or username used for case-insensitive uniqueness and
 * exact matching: NFC-normalised, then lower-cased with full Unicode case mapping
 * (SQLite's NOCASE folds ASCII only, so "ÉLODIE" and "élodie" would otherwise differ).
 */
export function normalizeIdentifier(value: string): string {
  return value.normalize("NFC").toLowerCase();
}
