import { describe, expect, it } from "vitest";
import { decodeBase32Secret, hotp, matchTotpStep, totpAt, totpStep } from "../../workers/crypto/totp";
import { RFC6238_SECRET, RFC6238_SHA1, TOTP_VECTORS } from "./vectors";

describe("TOTP", () => {
  const rfcKey = decodeBase32Secret(RFC6238_SECRET)!;

  it("decodes the RFC seed from base32, ignoring case, spaces and padding", () => {
    expect(new TextDecoder().decode(rfcKey)).toBe("12345678901234567890");
    expect(decodeBase32Secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====")).toEqual(rfcKey);
  });

  it("refuses secrets that are not base32 or shorter than 80 bits", () => {
    for (const bad of ["", "GEZDGNBVGY3TQOJ1", "GEZDGNBVGY3TQOJ", "!!!!!!!!!!!!!!!!", "GEZDGNBVGY3TQOJQ8"]) {
      expect(decodeBase32Secret(bad)).toBeNull();
    }
  });

  it.each(RFC6238_SHA1)("matches RFC 6238 at T=%i", (time, code) => {
    expect(totpAt(rfcKey, time * 1000)).toBe(code);
  });

  it.each(TOTP_VECTORS.map((v) => [v.secret, v.unix_time, v.code] as const))("matches the shared vector %s at %i", (secret, time, code) => {
    expect(totpAt(decodeBase32Secret(secret)!, time * 1000)).toBe(code);
  });

  it("matches RFC 4226's HOTP values", () => {
    const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
    for (const [counter, code] of expected.entries()) expect(hotp(rfcKey, counter)).toBe(code);
  });

  it("accepts exactly the current step and one on either side", () => {
    const now = 1_700_000_015_000;
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) expect(matchTotpStep(rfcKey, hotp(rfcKey, step + offset), now)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(matchTotpStep(rfcKey, hotp(rfcKey, step + offset), now)).toBeNull();
    // The first and last millisecond of a step.
    expect(totpStep(59_999)).toBe(1);
    expect(totpStep(60_000)).toBe(2);
  });

  it("refuses anything that is not six digits", () => {
    const now = 59_000;
    for (const bad of ["28708", "2870820", "28708a", " 287082", "２８７０８２"]) expect(matchTotpStep(rfcKey, bad, now)).toBeNull();
  });
});
