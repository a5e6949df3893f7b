/**
 * The fact the search plans rest on (workers/db/user-search/terms.ts): for a term made only of
 * ASCII characters, FTS5's trigram match (case_sensitive 0) equals a substring test on the text
 * with ASCII lower-casing plus two folds, K (U+212A) → k and ſ (U+017F) → s. So the plans may
 * find a term either way and still agree.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser, unique } from "../helpers";

describe("FTS5 trigram case folding", () => {
  it("sends exactly two non-ASCII characters to ASCII letters: U+212A to k and U+017F to s", async () => {
    await env.DB.prepare("create virtual table fold_probe using fts5(t, tokenize='trigram case_sensitive 0')").run();
    const points: number[] = [];
    for (let c = 0x80; c <= 0x2ffff; c++) if (c < 0xd800 || c > 0xdfff) points.push(c);
    for (let i = 0; i < points.length; i += 4000) {
      const rows = points.slice(i, i + 4000).map((c) => [c, `q${String.fromCodePoint(c)}q`]);
      await env.DB.prepare("insert into fold_probe(rowid, t) select value ->> 0, value ->> 1 from json_each(?)").bind(JSON.stringify(rows)).run();
    }
    const found: Record<string, number[]> = {};
    for (let a = 0x20; a < 0x7f; a++) {
      const ch = String.fromCharCode(a);
      if (ch === '"') continue;
      const { results } = await env.DB.prepare("select rowid from fold_probe where fold_probe match ?").bind(`"q${ch}q"`).all<{ rowid: number }>();
      if (results.length) found[ch] = results.map((r) => r.rowid);
    }
    expect(found).toEqual({ K: [0x212a], k: [0x212a], S: [0x17f], s: [0x17f] });
    await env.DB.prepare("drop table fold_probe").run();
  }, 60_000);
});

describe("an ASCII term", () => {
  const names = [
    ["\u212aelvin", "\u017ftone"],
    ["KELVIN", "STONE"],
    ["İstanbul", "Straße"],
    ["Kelvın", "stône"],
  ];
  let ids: string[] = [];
  beforeAll(async () => {
    ids = [];
    for (const [first, last] of names) ids.push((await createUser({ first_name: first, last_name: last })).id);
    // Others, so that searches are selective.
    for (let i = 0; i < 5; i++) await createUser({ first_name: `Other${i}`, last_name: "Person" });
  });

  async function found(params: Record<string, string>): Promise<string[]> {
    const got = await call("GET", `/v1/users?${new URLSearchParams({ limit: "100", ...params })}`, undefined, { schema: ["User"] });
    expect(got.status).toBe(200);
    return got.body.map((u: { id: string }) => u.id).sort();
  }

  it("finds the same users through FTS5 and through a substring test, in every plan", async () => {
    const expected = [ids[0], ids[1]].sort();
    // created_at order reads FTS matches of the two longest terms and tests the others by
    // substring; other orders walk the users and test every term by substring.
    for (const query of ["kelvin stone", "KELVIN sTONE", "kelvin elvin stone", "stone ston kelvin", "elvin ton"]) {
      for (const order_by of ["-created_at", "created_at", "first_name", "-last_name"]) {
        expect(await found({ name_query: query, order_by }), `${query} ${order_by}`).toEqual(expected);
      }
      const count = await call("GET", `/v1/users/count?${new URLSearchParams({ name_query: query })}`);
      expect(count.body.total_count, query).toBe(2);
    }
    // Dotted capital I folds to no ASCII letter, and ß is not "ss".
    expect(await found({ name_query: "istanbul" })).toEqual([]);
    expect(await found({ name_query: "strasse" })).toEqual([]);
  });
});

describe("a long ASCII term", () => {
  it("matches whole although FTS5 is given only its first characters", async () => {
    const stem = `${unique("longstem").replace(/[^a-z0-9]/gi, "")}abcdefghij`;
    const one = await createUser({ email_address: [`${stem}-one@long.test`] });
    await createUser({ email_address: [`${stem}-two@long.test`] });
    for (const order_by of ["-created_at", "created_at", "email_address", "-first_name"]) {
      const got = await call("GET", `/v1/users?${new URLSearchParams({ email_address_query: `${stem}-one@long`, order_by })}`, undefined, {
        schema: ["User"],
      });
      expect(
        got.body.map((u: { id: string }) => u.id),
        order_by,
      ).toEqual([one.id]);
    }
    const count = await call("GET", `/v1/users/count?${new URLSearchParams({ email_address_query: `${stem}-one@long` })}`);
    expect(count.body.total_count).toBe(1);
  });
});
