/**
 * Strict decoders for the pieces of imported digests. Each returns null instead of throwing,
 * so a parser can refuse a malformed digest with one check.
 */
import { timingSafeEqualBytes } from "../constant-time";

const encoder = new TextEncoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;

export function isHex(text: string): boolean {
  return HEX_RE.test(text);
}

export function decodeHex(text: string): Uint8Array | null {
  if (!isHex(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64, padded or not (PHC strings omit the padding). */
export function decodeBase64(text: string): Uint8Array | null {
  if (!B64_RE.test(text)) return null;
  const padded = text.padEnd(text.length + ((4 - (text.length % 4)) % 4), "=");
  try {
    const bin = atob(padded);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** A positive decimal integer no larger than `max`, or null. */
export function parseCount(text: string | undefined, max: number): number | null {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return null;
  const n = Number(text);
  return n <= max ? n : null;
}

/** Constant-time equality of a computed digest and the stored one. */
export const equalBytes = timingSafeEqualBytes;
