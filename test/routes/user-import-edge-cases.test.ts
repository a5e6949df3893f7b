/**
 * Import/export edge cases found by an adversarial review: the first two failed on 80ea50f (a
 * repeated id answered failed within one batch but exists across two; the compromised mark was
 * lost in export → import); the last two are probes that held.
 */
import { applyD1Migrations, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { BASE, call, createUser, SECRET_KEY, unique } from "../helpers";
import { importUsers } from "../import-helpers";

const fresh = { bindings: { DB: env.FRESH_DB } };
beforeAll(async () => {
  await applyD1Migrations(env.FRESH_DB, env.TEST_MIGRATIONS);
});

async function exportRecords(): Promise<any[]> {
  const request = new Request(`${BASE}/v1/users/export?include_credentials=true`, {
    headers: { Authorization: `Bearer ${SECRET_KEY}`, "Clerk-API-Version": "2026-05-12" },
  });
  const response = await worker.fetch(request, { ...env, EXPORT_CREDENTIALS: "true" });
  const text = new TextDecoder().decode(await response.arrayBuffer());
  expect(response.status, text).toBe(200);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));
}

describe("import/export edge cases", () => {
  it("the same id twice answers the same whether the two records are in one batch or two (the CLI's --batch must not change the outcome)", async () => {
    const a = `user_dupA${unique("x").replace(/[^A-Za-z0-9]/g, "")}`;
    const b = `user_dupB${unique("x").replace(/[^A-Za-z0-9]/g, "")}`;
    // Two batches: the second sees a stored id → exists.
    const first = await importUsers([{ id: a, first_name: "one" }]);
    const second = await importUsers([{ id: a, first_name: "two" }]);
    expect([first[0].status, second[0].status]).toEqual(["created", "exists"]);
    // One batch: the second is failed form_identifier_exists (param id) on main, and the CLI then exits 1.
    const together = await importUsers([
      { id: b, first_name: "one" },
      { id: b, first_name: "two" },
    ]);
    expect(together.map((r) => r.status)).toEqual(["created", "exists"]);
  });

  it("a password marked compromised is still marked after export (with credentials) → import into a fresh instance", async () => {
    const user = await createUser({ email_address: [`${unique("pwned")}@example.com`], password: "compromised-Q7v!pass" });
    expect((await call("POST", `/v1/users/${user.id}/password/set_compromised`)).status).toBe(200);
    const source = await env.DB.prepare("select password_compromised_at as at from users where id = ?").bind(user.id).first<{ at: number | null }>();
    expect(source?.at).not.toBeNull();
    const record = (await exportRecords()).find((r) => r.id === user.id);
    expect(record.password_digest).toBeTruthy();
    const results = await importUsers([record], fresh);
    expect(results[0].status).toBe("created");
    const target = await env.FRESH_DB.prepare("select password_compromised_at as at from users where id = ?")
      .bind(user.id)
      .first<{ at: number | null }>();
    // On main the mark is silently dropped: the migrated user's known-compromised password is trusted again.
    expect(target?.at).not.toBeNull();
  });

  it("a first_name with U+0000 reads back as sent, as after create", async () => {
    const name = "a\u0000b";
    const created = await createUser({ first_name: name });
    const id = `user_nul${unique("x").replace(/[^A-Za-z0-9]/g, "")}`;
    expect((await importUsers([{ id, first_name: name }]))[0].status).toBe("created");
    const viaCreate = (await call("GET", `/v1/users/${created.id}`)).body.first_name;
    const viaImport = (await call("GET", `/v1/users/${id}`)).body.first_name;
    expect(viaImport).toBe(viaCreate);
  });

  it("a first_name with a lone surrogate fails that user alone, as create refuses it (422)", async () => {
    const name = "x\ud800y";
    const refused = await call("POST", "/v1/users", { first_name: name });
    expect(refused.status).toBe(422);
    const id = `user_sur${unique("x").replace(/[^A-Za-z0-9]/g, "")}`;
    const results = await importUsers([
      { id, first_name: name },
      { id: `${id}ok`, first_name: "fine" },
    ]);
    expect(results.map((r) => r.status)).toEqual(["failed", "created"]);
  });
});
