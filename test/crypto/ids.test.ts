import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBase62, ksuidTimestamp, newIds, newKsuid } from "../../workers/crypto/ids";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The textbook encoding, with BigInt, as the reference. */
function referenceBase62(bytes: Uint8Array): string {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  let out = "";
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(27, "0");
}

describe("KSUID ids", () => {
  it("encode 20 bytes in base62 exactly as the BigInt reference does", () => {
    const edges = [new Uint8Array(20), new Uint8Array(20).fill(255), Uint8Array.from({ length: 20 }, (_, i) => (i === 19 ? 1 : 0))];
    for (const bytes of edges) expect(encodeBase62(bytes)).toBe(referenceBase62(bytes));
    expect(encodeBase62(new Uint8Array(20).fill(255))).toBe("aWgEPTl1tmebfsQzFP4bxwgy80V");
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => encodeBase62(bytes) === referenceBase62(bytes)),
      { numRuns: 2000 },
    );
  });

  it("carry their second in the first 4 bytes, and a batch sorts in base62 order", () => {
    const now = Date.UTC(2026, 11, 3, 12, 0, 0, 999);
    expect(ksuidTimestamp(`user_${newKsuid(now)}`)).toBe(Math.floor(now / 1000));
    const ids = newIds("msg", 5000, now);
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) {
      expect(id).toMatch(/^msg_[0-9A-Za-z]{27}$/);
      expect(ksuidTimestamp(id)).toBe(Math.floor(now / 1000));
    }
    expect([...ids].sort()).toEqual(ids);
  });
});
