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

const BASE62_CODES = Array.from(BASE62, (c) => c.charCodeAt(0));

/**
 * A KSUID's 20 bytes (big-endian) in base62, 27 characters with leading zeros. Long division of
 * five 32-bit words by 62, one digit per pass from the last; every intermediate
 * (remainder * 2^32 + word) stays below 2^38, exact in a double. Several times cheaper than
 * BigInt, and the import makes an id per user, identification and event.
 */
export function encodeBase62(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 20);
  const words = [0, 4, 8, 12, 16].map((offset) => view.getUint32(offset, false));
  const digits = new Array<number>(KSUID_LENGTH);
  for (let d = KSUID_LENGTH - 1; d >= 0; d--) {
    let remainder = 0;
    for (let i = 0; i < words.length; i++) {
      const acc = remainder * 0x1_0000_0000 + words[i];
      words[i] = Math.floor(acc / 62);
      remainder = acc - words[i] * 62;
    }
    digits[d] = BASE62_CODES[remainder];
  }
  return String.fromCharCode(...digits);
}

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: one getRandomValues call per 256
 * ids instead of one each (a call is costly next to encoding one id).
 */
const randomPool = new Uint8Array(4096);
let randomOffset = randomPool.length;

function randomBytes16(): Uint8Array {
  if (randomOffset + 16 > randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomOffset = 0;
  }
  // A copy: the pool's bytes are never handed out twice, nor kept by the caller's id.
  const bytes = randomPool.slice(randomOffset, randomOffset + 16);
  randomOffset += 16;
  return bytes;
}

/** A new KSUID string for the given time (milliseconds since the Unix epoch). */
export function newKsuid(nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(20);
  const seconds = Math.max(0, Math.floor(nowMs / 1000) - KSUID_EPOCH_SECONDS);
  new DataView(bytes.buffer).setUint32(0, seconds >>> 0, false);
  bytes.set(randomBytes16(), 4);
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
