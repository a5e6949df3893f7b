/**
 * Usernames are unique and looked up under NFKC + case folding (docs/wire-contract.md); email
 * addresses deliberately only under NFC + case folding. And the one-off re-normalisation of rows
 * folded by the old rule (scripts/username-renormalization.mjs), run against this D1.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldEmail, foldUsername } from "../../workers/db/identifier-folding.mjs";
import { CANDIDATES_SQL, planUsernameRenormalization } from "../../scripts/username-renormalization.mjs";
import { call, createUser, expectError, unique } from "../helpers";

/** The fullwidth form of ASCII letters and digits ("ab1" → "ａｂ１"), which NFKC maps back. */
const fullwidth = (ascii: string) => ascii.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const findByUsername = async (username: string) =>
  (await call("GET", `/v1/users?username=${encodeURIComponent(username)}`, undefined, { schema: ["User"] })).body as any[];

describe("username uniqueness under compatibility forms", () => {
  it("refuses a username equal to a taken one under NFKC and case, on create and on update", async () => {
    const base = unique("fold");
    const holder = await createUser({ username: fullwidth(base) });
    // Stored and returned as sent.
    expect(holder.username).toBe(fullwidth(base));
    expectError(await call("POST", "/v1/users", { username: base }), 422, "form_identifier_exists", "username");
    expectError(await call("POST", "/v1/users", { username: base.toUpperCase() }), 422, "form_identifier_exists", "username");
    const other = await createUser({ username: unique("other") });
    expectError(await call("PATCH", `/v1/users/${other.id}`, { username: base }), 422, "form_identifier_exists", "username");

    // Ligatures and superscripts are compatibility forms too: "ﬁ" is "fi", "²" is "2".
    const ligature = await createUser({ username: `ﬁ${unique("x")}²` });
    expectError(await call("POST", "/v1/users", { username: `FI${ligature.username.slice(1, -1)}2` }), 422, "form_identifier_exists", "username");
  });

  it("finds a user by any compatibility form of its username", async () => {
    const base = unique("look");
    const user = await createUser({ username: base });
    for (const form of [base, fullwidth(base), fullwidth(base.toUpperCase())]) {
      expect((await findByUsername(form)).map((u) => u.id)).toEqual([user.id]);
    }
  });

  it("finds a username by a compatibility form of a part of it in username_query and query", async () => {
    const base = unique("wide");
    const user = await createUser({ username: fullwidth(base) });
    const part = base.slice(0, 6);
    for (const [param, value] of [
      ["username_query", part],
      ["username_query", fullwidth(part)],
      ["query", fullwidth(part.toUpperCase())],
      ["username_query", fullwidth(part.slice(0, 2))],
    ]) {
      const got = await call("GET", `/v1/users?${new URLSearchParams({ [param]: value, user_id: user.id })}`, undefined, { schema: ["User"] });
      expect(
        got.body.map((u: { id: string }) => u.id),
        `${param}=${value}`,
      ).toEqual([user.id]);
    }
  });

  it("keeps email addresses apart from their compatibility forms (they name different mailboxes)", async () => {
    const local = unique("mail");
    const ascii = await createUser({ email_address: [`${local}@example.com`] });
    const wide = await createUser({ email_address: [`${fullwidth(local)}@example.com`] });
    expect(wide.id).not.toBe(ascii.id);
    // Case still folds.
    expectError(
      await call("POST", "/v1/users", { email_address: [`${local.toUpperCase()}@EXAMPLE.COM`] }),
      422,
      "form_identifier_exists",
      "email_address",
    );
  });

  it("folds idempotently, and equally for every normalisation form of a string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", maxLength: 12 }), (value) => {
        const folded = foldUsername(value);
        expect(foldUsername(folded)).toBe(folded);
        for (const form of ["NFC", "NFD", "NFKC", "NFKD"] as const) expect(foldUsername(value.normalize(form))).toBe(folded);
      }),
      { numRuns: 2000 },
    );
    // Lower-casing can make a letter compose with the mark after it: the fold normalises again.
    expect(foldUsername("H\u0331")).toBe("\u1e96");
  });
});

describe("re-folding usernames stored under the old rule (scripts/username-renormalization.mjs)", () => {
  it("re-folds stale rows (search index included), leaves current ones, and skips a row whose new fold is taken", async () => {
    const [a, b, c] = [unique("old"), unique("old"), unique("old")];
    const stale = await createUser({ username: fullwidth(a) });
    const ligature = await createUser({ username: `ﬁ${b}` });
    const conflicting = await createUser({ username: fullwidth(c) });
    const current = await createUser({ username: `Jos\u00e9${unique("x")}` });
    // Rows written before this rule: their fold was NFC + lower case (the email fold).
    const oldFolded = [stale, ligature, conflicting];
    for (const user of oldFolded) {
      await env.DB.prepare("UPDATE users SET username_normalized = ? WHERE id = ?").bind(foldEmail(user.username), user.id).run();
    }
    // Meanwhile someone took what the conflicting row now folds to.
    const holder = await createUser({ username: c });
    expect(await findByUsername(fullwidth(a))).toEqual([]);

    const readCandidates = async () =>
      (await env.DB.prepare(CANDIDATES_SQL).all<{ id: string; username: string; username_normalized: string }>()).results;
    const plan = planUsernameRenormalization(await readCandidates());
    expect(plan.stale.map((row) => row.id).sort()).toEqual(oldFolded.map((u) => u.id).sort());
    expect(plan.stale.find((row) => row.id === current.id)).toBeUndefined();
    for (const statement of plan.statements) await env.DB.prepare(statement).run();

    // Only the row whose new fold is held by another user is left, for the operator to resolve.
    expect(planUsernameRenormalization(await readCandidates()).stale.map((row) => row.id)).toEqual([conflicting.id]);
    expect((await findByUsername(a)).map((u) => u.id)).toEqual([stale.id]);
    expect((await findByUsername(`fi${b}`)).map((u) => u.id)).toEqual([ligature.id]);
    expect((await findByUsername(c)).map((u) => u.id)).toEqual([holder.id]);
    const doc = await env.DB.prepare("SELECT username FROM user_search_documents WHERE user_id = ?").bind(stale.id).first();
    expect(doc).toEqual({ username: a.toLowerCase() });
    // Running it again changes nothing more.
    for (const statement of planUsernameRenormalization(await readCandidates()).statements) {
      expect((await env.DB.prepare(statement).run()).meta.changes).toBe(0);
    }
  });
});
