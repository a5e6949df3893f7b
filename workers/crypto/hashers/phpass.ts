/**
 * Portable PHP password hashes (phpass): `$P$` (WordPress) and `$H$` (phpBB), the same
 * algorithm — MD5 iterated 2^n times over hash‖password, encoded in phpass's own base64.
 * Layout: prefix, one rounds character, 8 salt characters, 22 checksum characters.
 */
import { md5 } from "@noble/hashes/legacy.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { turnEventLoop } from "./event-loop";
import { defineHasher } from "./types";
import { equalBytes, utf8 } from "./encoding";

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PHPASS_RE = /^\$[PH]\$[./0-9A-Za-z]{31}$/;

/** phpass's little-endian base64 of the 16-byte MD5 (22 characters). */
function encode64(input: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    let value = input[i++];
    out += ITOA64[value & 0x3f];
    if (i < input.length) value |= input[i] << 8;
    out += ITOA64[(value >> 6) & 0x3f];
    if (i++ >= input.length) break;
    if (i < input.length) value |= input[i] << 16;
    out += ITOA64[(value >> 12) & 0x3f];
    if (i++ >= input.length) break;
    out += ITOA64[(value >> 18) & 0x3f];
  }
  return out;
}

/** Rounds between two turns of the event loop (a few tens of milliseconds of MD5). */
const YIELD_EVERY_ROUNDS = 2 ** 15;

// phpass accepts 2^7..2^30 rounds; real digests use 2^8..2^13 ($P$B is WordPress's 2^13).
// 2^20 bounds the CPU one verify can cost.
const MIN_LOG2_ROUNDS = 7;
const MAX_LOG2_ROUNDS = 20;

/** Both prefixes name the same algorithm, so either is accepted for phpass and md5_phpass. */
export const phpassHasher = defineHasher<{ rounds: number; salt: string; checksum: string }>({
  parse(digest) {
    if (!PHPASS_RE.test(digest)) return null;
    const log2 = ITOA64.indexOf(digest[3]);
    if (log2 < MIN_LOG2_ROUNDS || log2 > MAX_LOG2_ROUNDS) return null;
    return { rounds: 2 ** log2, salt: digest.slice(4, 12), checksum: digest.slice(12) };
  },
  async verify(password, { rounds, salt, checksum }) {
    const secret = utf8(password);
    let hash = md5(concatBytes(utf8(salt), secret));
    for (let i = 1; i <= rounds; i++) {
      hash = md5(concatBytes(hash, secret));
      // 2^20 rounds are seconds of pure JS: let the event loop turn between slices (event-loop.ts).
      if (i % YIELD_EVERY_ROUNDS === 0) await turnEventLoop();
    }
    return equalBytes(utf8(encode64(hash)), utf8(checksum));
  },
});
