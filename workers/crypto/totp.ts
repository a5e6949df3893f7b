/**
 * RFC 6238 TOTP as Clerk supports it: HMAC-SHA1, 6 digits, 30-second steps, base32 secrets.
 * Accepts the current step and one step either side for clock skew;
 * replay protection (a step accepted once is never accepted again) is the caller's job,
 * because it needs an atomic update of the user's last used step.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { timingSafeEqualStrings } from "./constant-time";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted on either side of the current one. */
export const TOTP_WINDOW = 1;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// 80 bits is the smallest secret authenticator apps issue; RFC 4226 recommends 160.
const MIN_SECRET_BYTES = 10;
const MAX_SECRET_BYTES = 128;

/**
 * Decodes a base32 secret (RFC 4648; case, spaces and `=` padding ignored), or null when it
 * is not base32 or has fewer than 80 bits.
 */
export function decodeBase32Secret(secret: string): Uint8Array | null {
  const clean = normalizeBase32Secret(secret);
  if (clean === "" || !/^[A-Z2-7]+$/.test(clean)) return null;
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const ch of clean) {
    value = (value << 5) | BASE32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if (out.length < MIN_SECRET_BYTES || out.length > MAX_SECRET_BYTES) return null;
  return out;
}

/** The canonical stored form of a valid secret: upper case, no spaces or padding. */
export function normalizeBase32Secret(secret: string): string {
  return secret.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
}

/** The time step (RFC 6238 T) at `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The HOTP code (RFC 4226) for `counter`, zero-padded to 6 digits. */
export function hotp(key: Uint8Array, counter: number): string {
  const message = new Uint8Array(8);
  const view = new DataView(message.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const mac = hmac(sha1, key, message);
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, "0");
}

/** The TOTP code at `nowMs`. */
export function totpAt(key: Uint8Array, nowMs: number): string {
  return hotp(key, totpStep(nowMs));
}

/**
 * The step within ±TOTP_WINDOW of `nowMs` whose code equals `code`, or null. Every step of
 * the window is compared (no early exit) and each comparison is constant-time, so timing
 * does not reveal which step, or how many digits, matched.
 */
export function matchTotpStep(key: Uint8Array, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    if (timingSafeEqualStrings(hotp(key, step), code) && matched === null) matched = step;
  }
  return matched;
}
