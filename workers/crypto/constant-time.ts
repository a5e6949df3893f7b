/**
 * Constant-time comparison so that response timing does not reveal how many leading
 * bytes of a secret (an API key, a digest, a code) an attacker has guessed right.
 */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  // The length of a digest or key is not secret; contents are compared without early exit.
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const encoder = new TextEncoder();

export function timingSafeEqualStrings(a: string, b: string): boolean {
  return timingSafeEqualBytes(encoder.encode(a), encoder.encode(b));
}
