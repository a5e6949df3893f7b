/**
 * `npm run import` for real: the CLI as a child process, as a user runs it, imports the dashboard
 * CSV fixture into the Worker under `wrangler dev`, then runs again over the same file. The users
 * are read back through the official client (every response checked against the spec).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ksuidTimestamp } from "../../workers/crypto/ids";
import { clerk } from "./client";

const ROOT = resolve(__dirname, "../..");
const CSV = join(ROOT, "test/fixtures/migrate/clerk-users.csv");
const work = mkdtempSync(join(tmpdir(), "migrate-worker-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runImportCli(args: string[]) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [join(ROOT, "scripts/import.mjs"), ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      done({ status: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

describe("npm run import against the Worker", () => {
  it("imports the dashboard CSV with ids, statuses and passwords kept, and a second run finds every user there", async () => {
    const report = join(work, "report.csv");
    const args = ["--file", CSV, "--url", inject("apiUrl"), "--key", inject("secretKey"), "--report", report];

    const first = await runImportCli(args);
    expect(first.stdout).toContain("clerk-users.csv: 4 created, 0 already there, 0 failed (4 of 4 users");
    expect(first.status).toBe(0);
    expect(readFileSync(report, "utf8")).toBe("line,id,code,message\r\n");

    const client = clerk();
    const zoe = await client.users.getUser("user_2ZoeAngstrom000000000000001");
    expect([zoe.firstName, zoe.lastName, zoe.username]).toEqual(["Zoë", "Ångström", "zoe_angstrom"]);
    // Created at the id's KSUID time; the primary first; the unverified address stored so.
    expect(zoe.createdAt).toBe(ksuidTimestamp(zoe.id)! * 1000);
    expect(zoe.emailAddresses.map((e) => [e.emailAddress, e.verification?.status ?? null])).toEqual([
      ["zoe@example.com", "verified"],
      ["zoe.work@example.com", "verified"],
      ["zoe.old@example.com", null],
    ]);
    expect(zoe.primaryEmailAddress?.emailAddress).toBe("zoe@example.com");
    expect(zoe.phoneNumbers.map((p) => p.phoneNumber)).toEqual(["+14155550101"]);
    expect(zoe.totpEnabled).toBe(true);
    // The imported bcrypt digest verifies its password (test/fixtures/vectors/credentials.json).
    expect(await client.users.verifyPassword({ userId: zoe.id, password: "correct horse battery staple-s" })).toEqual({ verified: true });

    const ana = await client.users.getUser("user_2AnaSilvaSantos000000000002");
    expect([ana.firstName, ana.lastName]).toEqual(['Ana, "Nana"', "Silva\r\nSantos"]);
    expect(ana.phoneNumbers.map((p) => [p.phoneNumber, p.verification?.status ?? null])).toEqual([
      ["+351912345678", "verified"],
      ["+351912345679", "verified"],
      ["+351912345670", null],
    ]);
    const li = await client.users.getUser("user_2LiXiaolong0000000000000003");
    expect([li.firstName, li.lastName, li.primaryEmailAddress?.emailAddress]).toEqual(["小龙", "李", "li@example.com"]);

    const second = await runImportCli(args);
    expect(second.stdout).toContain("clerk-users.csv: 0 created, 4 already there, 0 failed (4 of 4 users");
    expect(second.status).toBe(0);
    expect(readFileSync(report, "utf8")).toBe("line,id,code,message\r\n");
  });

  it("imports Clerk's JSON export and NDJSON records as the server takes them", async () => {
    const key = inject("secretKey");
    for (const [name, count] of [
      ["clerk-users.json", 3],
      ["users.ndjson", 2],
    ] as const) {
      const result = await runImportCli(["--file", join(ROOT, "test/fixtures/migrate", name), "--url", inject("apiUrl"), "--key", key]);
      expect(result.stdout, result.stderr).toContain(`${name}: ${count} created, 0 already there, 0 failed`);
      expect(result.status).toBe(0);
    }
    const client = clerk();
    const bjork = await client.users.getUser("user_2BjorkGudmundsdottir0000001");
    expect(bjork.emailAddresses.map((e) => e.emailAddress)).toEqual(["bjork@example.is", "bjork@example.com"]);
    expect(bjork.publicMetadata).toEqual({ plan: "pro", tags: ["a,b", "c]"] });
    expect(await client.users.verifyPassword({ userId: bjork.id, password: "correct horse battery staple-s" })).toEqual({ verified: true });
    const ngozi = await client.users.getUser("user_2NdjsonFirst000000000000001");
    // NDJSON records pass unchanged: identification ids and created_at are kept.
    expect(ngozi.emailAddresses.map((e) => e.id)).toEqual(["idn_2NdjsonEmail000000000000001", "idn_2NdjsonEmail000000000000002"]);
    expect(ngozi.createdAt).toBe(Date.parse("2023-11-14T22:13:20.000Z"));
  });
});
