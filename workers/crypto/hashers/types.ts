/**
 * The one interface every password hasher family implements. `parse` checks a digest's shape
 * once, at import time (so a malformed digest is refused at create/update, never at verify);
 * `verify` recomputes the digest from a candidate password and compares in constant time.
 */
export interface PasswordHasher<P = unknown> {
  /** The parsed digest, or null when `digest` is not in this hasher's format. */
  parse(digest: string): P | null;
  /** Whether `password` produces the parsed digest. */
  verify(password: string, parsed: P): Promise<boolean>;
}

/** Builds a hasher with its parsed type checked by the compiler, erased for the table. */
export function defineHasher<P>(hasher: PasswordHasher<P>): PasswordHasher<unknown> {
  return hasher as PasswordHasher<unknown>;
}
