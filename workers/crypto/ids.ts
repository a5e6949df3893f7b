/**
 * Clerk-style identifiers: `<prefix>_` + a 27-character base62 KSUID (docs/wire-contract.md,
 * Identifiers).
 * A KSUID is 20 bytes: a 4-byte big-endian timestamp (seconds since 2014-05-13, the KSUID
 * epoch 1400000000) and 16 cryptographically random bytes, so ids sort by creation time.
 */
const KSUID_EPOCH_SECONDS = 1_400_000_000;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KSUID_LENGTH = 27;

export type IdPrefix = "user" | "idn" | "eac" | "img" | "org" | "orgmem" | "orginv" | "bcode" | "wep" | "msg";

function encodeBase62(bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let out = "";
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(KSUID_LENGTH, "0");
}

/** A new KSUID string for the given time (milliseconds since the Unix epoch). */
export function newKsuid(nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(20);
  const seconds = Math.max(0, Math.floor(nowMs / 1000) - KSUID_EPOCH_SECONDS);
  new DataView(bytes.buffer).setUint32(0, seconds >>> 0, false);
  bytes.set(crypto.getRandomValues(new Uint8Array(16)), 4);
  return encodeBase62(bytes);
}

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  return `${prefix}_${newKsuid(nowMs)}`;
}

/**
 * `count` new ids for one moment, sorted, so that rows created together keep the order they
 * were given in when listed by (created_at, id): within one second a KSUID's order is random.
 */
export function newIds(prefix: IdPrefix, count: number, nowMs: number = Date.now()): string[] {
  return Array.from({ length: count }, () => newId(prefix, nowMs)).sort();
}

/**
 * The creation time, in epoch seconds, embedded in a KSUID-based id; null if malformed (not 27
 * base62 characters, or above the largest 20-byte value, which 27 base62 digits can exceed).
 */
export function ksuidTimestamp(id: string): number | null {
  const ksuid = id.slice(id.lastIndexOf("_") + 1);
  if (ksuid.length !== KSUID_LENGTH) return null;
  let value = 0n;
  for (const ch of ksuid) {
    const digit = BASE62.indexOf(ch);
    if (digit < 0) return null;
    value = value * 62n + BigInt(digit);
  }
  if (value >> 160n !== 0n) return null;
  return Number(value >> 128n) + KSUID_EPOCH_SECONDS;
}
