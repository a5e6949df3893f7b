import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { digestAtCost } from "../identifiers";
import { backupCodeDigestsProblem, findMatchingBackupCode, MAX_BACKUP_CODE_BCRYPT_WORK } from "../../workers/crypto/backup-codes";

describe("bcrypt backup-code digests", () => {
  it("are refused outside costs 4..14, and beyond ten digests' worth at cost 12", () => {
    expect(backupCodeDigestsProblem([digestAtCost(4), digestAtCost(14), "plain-code"])).toBeUndefined();
    expect(backupCodeDigestsProblem([digestAtCost(15)])).toContain("cost 15");
    expect(backupCodeDigestsProblem([digestAtCost(31)])).toContain("accepted costs are 4 to 14");
    const ten = Array.from({ length: 10 }, (_, i) => digestAtCost(12, i));
    expect(MAX_BACKUP_CODE_BCRYPT_WORK).toBe(10 * 2 ** 12);
    expect(backupCodeDigestsProblem(ten)).toBeUndefined();
    expect(backupCodeDigestsProblem(Array.from({ length: 40 }, (_, i) => digestAtCost(10, i)))).toBeUndefined();
    expect(backupCodeDigestsProblem([...ten, digestAtCost(4)])).toContain("too costly");
    expect(backupCodeDigestsProblem([digestAtCost(14), digestAtCost(14), digestAtCost(14)])).toContain("too costly");
  });

  it("a verify stops computing digests once their summed work would pass the bound", async () => {
    const rows = [
      { id: "a", kind: "bcrypt", digest: digestAtCost(4, 1) },
      { id: "b", kind: "bcrypt", digest: digestAtCost(4, 2) },
      { id: "c", kind: "bcrypt", digest: bcrypt.hashSync("the-code", 4) },
    ];
    // Three cost-4 digests are 3 × 16 of work: the third is checked only within a bound of 48.
    expect((await findMatchingBackupCode("the-code", null, rows, 48))?.id).toBe("c");
    expect(await findMatchingBackupCode("the-code", null, rows, 47)).toBeUndefined();
  });

  it("a stored digest outside the accepted costs is never computed, and a code over 72 bytes never matches", async () => {
    const code = "c".repeat(72);
    const rows = [{ id: "x", kind: "bcrypt", digest: bcrypt.hashSync(code, 4).replace("$04$", "$20$") }];
    // At cost 20 bcryptjs would take minutes; refused at once instead.
    expect(await findMatchingBackupCode(code, null, rows)).toBeUndefined();
    const real = [{ id: "y", kind: "bcrypt", digest: bcrypt.hashSync(code, 4) }];
    expect((await findMatchingBackupCode(code, null, real))?.id).toBe("y");
    expect(await findMatchingBackupCode(`${code}-and-more`, null, real)).toBeUndefined();
  });
});
