/**
 * The shapes of identifiers the API accepts, as regular expressions. Plain JS, so the Worker's
 * schemas (common.ts) and the import CLI's local checks (scripts/migrate/validate.mjs, which Node
 * runs without a TS loader) share one rule.
 */

// Pragmatic address syntax: one @, a dot-separated domain with a 2+ letter TLD, no spaces or
// control characters. Unicode local parts and IDN domains are allowed.
export const EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@(?:[^\s@.,;:"<>()[\]\\]+\.)+[^\s@.,;:"<>()[\]\\0-9]{2,}$/u;
export const EMAIL_MAX_LENGTH = 320;
// E.164: a + and up to 15 digits, the first not 0.
export const E164_RE = /^\+[1-9]\d{6,14}$/;
// EVM (0x + 40 hex) or a base58 Solana address.
export const EVM_WALLET_RE = /^0x[0-9a-fA-F]{40}$/;
export const SOLANA_WALLET_RE = /^[1-9A-HJ-NP-Za-km-z]{32,44}$/;
// Letters (any script, with their combining marks), digits, '_', '-', '.'.
export const USERNAME_CHARS_RE = /^[\p{L}\p{M}\p{N}_.-]+$/u;
export const USERNAME_MIN = 4;
export const USERNAME_MAX = 64;
// Ids a bulk import keeps verbatim (issue 15: Clerk's are `user_`/`idn_` + a 27-character KSUID,
// other systems' may be shorter).
export const IMPORTED_USER_ID_RE = /^user_[A-Za-z0-9]{1,64}$/;
export const IMPORTED_IDENTIFICATION_ID_RE = /^idn_[A-Za-z0-9]{1,64}$/;
