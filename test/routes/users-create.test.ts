/**
 * POST /v1/users: every create field, validation with Clerk's codes, identifier uniqueness
 * (including concurrent creates), ids, and that a refused create writes nothing.
 */
import { describe, expect, it } from "vitest";
import { ksuidTimestamp } from "../../workers/crypto/ids";
import { tableCounts } from "../db";
import { call, createUser, expectError, unique } from "../helpers";
import { newPhone, newWallet } from "../identifiers";

describe("POST /v1/users: fields", () => {
  it("stores every create field and returns it in the spec's User shape", async () => {
    const [email1, email2] = [`${unique("a")}@example.com`, `${unique("b")}@example.com`];
    const [phone1, phone2] = [newPhone(), newPhone()];
    const wallet = newWallet();
    const name = unique("full");
    const user = await createUser({
      external_id: `ext-${name}`,
      first_name: "Ada",
      last_name: "Lovelace",
      locale: "en-GB",
      email_address: [email1, email2],
      email_address_identification_status: ["verified", "reserved"],
      phone_number: [phone1, phone2],
      phone_number_identification_status: ["verified", "reserved"],
      web3_wallet: [wallet],
      username: name,
      password: "correct horse battery",
      skip_password_requirement: true,
      public_metadata: { plan: "pro" },
      private_metadata: { stripe: "cus_1" },
      unsafe_metadata: { theme: "dark" },
      delete_self_enabled: false,
      create_organization_enabled: false,
      create_organizations_limit: 3,
      legal_accepted_at: "2024-05-01T10:00:00.250Z",
      skip_legal_checks: true,
      skip_user_requirement: true,
      bypass_client_trust: true,
      created_at: "2023-01-02T03:04:05Z",
      banned: true,
    });
    expect(user).toMatchObject({
      object: "user",
      external_id: `ext-${name}`,
      first_name: "Ada",
      last_name: "Lovelace",
      locale: "en-GB",
      username: name,
      public_metadata: { plan: "pro" },
      private_metadata: { stripe: "cus_1" },
      unsafe_metadata: { theme: "dark" },
      password_enabled: true,
      totp_enabled: false,
      backup_code_enabled: false,
      two_factor_enabled: false,
      delete_self_enabled: false,
      create_organization_enabled: false,
      create_organizations_limit: 3,
      legal_accepted_at: Date.parse("2024-05-01T10:00:00.250Z"),
      bypass_client_trust: true,
      created_at: Date.parse("2023-01-02T03:04:05Z"),
      banned: true,
      last_sign_in_at: null,
      last_active_at: null,
      has_image: false,
    });
    expect(user.password_last_updated_at).toEqual(expect.any(Number));
    expect(user.image_url).toMatch(/^https?:\/\//);
    expect(user.email_addresses.map((e: any) => [e.email_address, e.reserved, e.verification?.strategy ?? null])).toEqual([
      [email1, false, "admin"],
      [email2, true, null],
    ]);
    expect(user.email_addresses[0].verification).toEqual({
      object: "verification_admin",
      status: "verified",
      strategy: "admin",
      attempts: null,
      expire_at: null,
    });
    expect(user.email_addresses.every((e: any) => Array.isArray(e.linked_to))).toBe(true);
    expect(user.phone_numbers.map((p: any) => [p.phone_number, p.reserved, p.verification?.strategy ?? null])).toEqual([
      [phone1, false, "admin"],
      [phone2, true, null],
    ]);
    expect(user.web3_wallets.map((w: any) => [w.web3_wallet, w.verification?.strategy])).toEqual([[wallet, "admin"]]);
    // The first of each becomes primary.
    expect(user.primary_email_address_id).toBe(user.email_addresses[0].id);
    expect(user.primary_phone_number_id).toBe(user.phone_numbers[0].id);
    expect(user.primary_web3_wallet_id).toBe(user.web3_wallets[0].id);
  });

  it("creates a bare user with defaults when the body is empty", async () => {
    const user = await createUser({});
    expect(user).toMatchObject({
      external_id: null,
      username: null,
      first_name: null,
      last_name: null,
      primary_email_address_id: null,
      email_addresses: [],
      phone_numbers: [],
      web3_wallets: [],
      public_metadata: {},
      private_metadata: {},
      unsafe_metadata: {},
      password_enabled: false,
      delete_self_enabled: true,
      create_organization_enabled: true,
      bypass_client_trust: false,
      banned: false,
      legal_accepted_at: null,
    });
    expect(user.created_at).toBe(user.updated_at);
  });

  it("issues ids as prefix + 27 base62 characters whose KSUID time matches created_at", async () => {
    const before = Date.now();
    const user = await createUser({ email_address: [`${unique()}@example.com`], phone_number: [newPhone()], web3_wallet: [newWallet()] });
    const after = Date.now();
    expect(user.id).toMatch(/^user_[0-9A-Za-z]{27}$/);
    for (const item of [...user.email_addresses, ...user.phone_numbers, ...user.web3_wallets]) expect(item.id).toMatch(/^idn_[0-9A-Za-z]{27}$/);
    expect(user.created_at).toBeGreaterThanOrEqual(before);
    expect(user.created_at).toBeLessThanOrEqual(after);
    for (const id of [user.id, user.email_addresses[0].id]) expect(ksuidTimestamp(id)).toBe(Math.floor(user.created_at / 1000));
  });

  it("issues distinct ids that sort by creation time", async () => {
    const imported = await createUser({ created_at: "2020-06-01T00:00:00Z" });
    const fresh = await createUser({});
    expect(ksuidTimestamp(imported.id)).toBe(Date.parse("2020-06-01T00:00:00Z") / 1000);
    expect(imported.id.slice(5) < fresh.id.slice(5)).toBe(true);
    const ids = new Set((await Promise.all(Array.from({ length: 5 }, () => createUser({})))).map((u) => u.id));
    expect(ids.size).toBe(5);
  });

  it("hashes a plain password and never returns it", async () => {
    const password = "s3cret-Passw0rd";
    const result = await call("POST", "/v1/users", { password }, { schema: "User" });
    expect(result.status).toBe(200);
    expect(result.body.password_enabled).toBe(true);
    expect(JSON.stringify(result.body)).not.toContain(password);
    expect(JSON.stringify(result.body)).not.toMatch(/\$2[aby]\$/);
  });

  it("refuses a password shorter than 8 characters unless skip_password_checks", async () => {
    const error = expectError(await call("POST", "/v1/users", { password: "short12" }), 422, "form_password_length_too_short", "password");
    expect(error.message).toBe("Passwords must be 8 characters or more.");
    const user = await createUser({ password: "short12", skip_password_checks: true });
    expect(user.password_enabled).toBe(true);
  });
});

describe("POST /v1/users: validation", () => {
  it("refuses a malformed email address with form_param_format_invalid naming email_address", async () => {
    for (const bad of ["plain", "a@b", "a b@example.com", "@example.com", "a@@example.com", "a@example..com", ""]) {
      const error = expectError(
        await call("POST", "/v1/users", { email_address: [`ok${unique()}@example.com`, bad] }),
        422,
        "form_param_format_invalid",
        "email_address",
      );
      expect(error.long_message).toBe("email_address must be a valid email address.");
    }
  });

  it("refuses a phone number that is not E.164", async () => {
    for (const bad of ["4155550100", "+0415555010", "+1 415 555 0100", "+1-415-555-0100", "+12", "+1234567890123456"]) {
      const error = expectError(await call("POST", "/v1/users", { phone_number: [bad] }), 422, "form_param_format_invalid", "phone_number");
      expect(error.long_message).toBe("phone_number must be a valid phone number according to E.164 international standard.");
    }
  });

  it("refuses a malformed web3 wallet", async () => {
    for (const bad of ["0x123", "0xZZ00000000000000000000000000000000000000", "wallet"]) {
      expectError(await call("POST", "/v1/users", { web3_wallet: [bad] }), 422, "form_param_format_invalid", "web3_wallet");
    }
  });

  it("enforces the username rules: 4–64 letters, digits, '_', '-', '.'", async () => {
    for (const bad of ["abc", "", "x".repeat(65)]) {
      expectError(await call("POST", "/v1/users", { username: bad }), 422, "form_username_invalid_length", "username");
    }
    for (const bad of ["has space", "semi;colon", "quote'd", "percent%", "emoji😀x", "at@sign"]) {
      expectError(await call("POST", "/v1/users", { username: bad }), 422, "form_username_invalid_character", "username");
    }
    for (const good of [`a.b-${unique()}`.slice(0, 64), "x".repeat(64), "abcd", `Ünïcødé_${unique("")}`]) {
      expect((await call("POST", "/v1/users", { username: good }, { schema: "User" })).status).toBe(200);
    }
  });

  it("answers form_param_invalid_time for timestamps that are not RFC3339", async () => {
    for (const param of ["created_at", "legal_accepted_at"]) {
      for (const bad of [
        "yesterday",
        "2024-01-01",
        "2024-02-30T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00",
        "1700000000",
      ]) {
        const error = expectError(await call("POST", "/v1/users", { [param]: bad }), 422, "form_param_invalid_time", param);
        expect(error.long_message).toBe(`${param} must contain a datetime specified in RFC3339 format (e.g. \`2022-10-20T10:00:27.645Z\`).`);
      }
    }
  });

  it("accepts RFC3339 with offsets, fractions and leap days", async () => {
    const user = await createUser({ created_at: "2024-02-29T23:30:00.5+02:00", legal_accepted_at: "2000-01-01t00:00:00z" });
    expect(user.created_at).toBe(Date.parse("2024-02-29T21:30:00.500Z"));
    expect(user.legal_accepted_at).toBe(Date.parse("2000-01-01T00:00:00Z"));
  });

  it("answers form_param_type_invalid for wrong JSON types", async () => {
    const cases: [string, unknown][] = [
      ["first_name", 5],
      ["email_address", "a@example.com"],
      ["banned", "yes"],
      ["create_organizations_limit", "3"],
      ["username", ["name"]],
    ];
    for (const [param, value] of cases) expectError(await call("POST", "/v1/users", { [param]: value }), 422, "form_param_type_invalid", param);
  });

  it("answers form_param_value_invalid for out-of-range values", async () => {
    expectError(await call("POST", "/v1/users", { create_organizations_limit: -1 }), 422, "form_param_value_invalid", "create_organizations_limit");
    expectError(
      await call("POST", "/v1/users", { email_address: [`${unique()}@example.com`], email_address_identification_status: ["pending"] }),
      422,
      "form_param_value_invalid",
      "email_address_identification_status",
    );
  });

  it("answers form_param_array_length_mismatch when statuses and identifiers differ in number", async () => {
    expectError(
      await call("POST", "/v1/users", { phone_number: [newPhone()], phone_number_identification_status: ["verified", "reserved"] }),
      422,
      "form_param_array_length_mismatch",
      "phone_number_identification_status",
    );
  });

  it("refuses metadata that is not a JSON object", async () => {
    for (const param of ["public_metadata", "private_metadata", "unsafe_metadata"]) {
      for (const bad of [[1, 2], "text", 3, true, null]) {
        expectError(await call("POST", "/v1/users", { [param]: bad }), 422, "form_param_value_invalid", param);
      }
    }
  });

  it("limits the three metadata objects together to 8 KB", async () => {
    const third = "m".repeat(2800);
    const error = expectError(
      await call("POST", "/v1/users", { public_metadata: { a: third }, private_metadata: { b: third }, unsafe_metadata: { c: third } }),
      422,
      "form_param_exceeds_allowed_size",
    );
    expect(error.meta?.param_name).toMatch(/_metadata$/);
    // Just under the limit together is fine.
    const fits = "m".repeat(2700);
    const user = await createUser({ public_metadata: { a: fits }, private_metadata: { b: fits }, unsafe_metadata: { c: fits } });
    expect(user.public_metadata.a).toBe(fits);
  });

  it("refuses a string with a lone UTF-16 surrogate instead of silently altering it", async () => {
    const raw = '{"first_name":"bad \\ud800 half"}';
    const error = expectError(await call("POST", "/v1/users", undefined, { rawBody: raw }), 422, "form_param_value_invalid", "first_name");
    expect(error.long_message).toBe("first_name contains invalid UTF-8 characters");
    expectError(
      await call("POST", "/v1/users", undefined, { rawBody: '{"public_metadata":{"\\udfff":1}}' }),
      422,
      "form_param_value_invalid",
      "public_metadata",
    );
  });

  it("refuses over-long text fields with form_param_max_length_exceeded", async () => {
    expectError(await call("POST", "/v1/users", { first_name: "n".repeat(257) }), 422, "form_param_max_length_exceeded", "first_name");
  });
});

describe("POST /v1/users: identifiers are unique", () => {
  it("answers form_identifier_exists naming the parameter, case-insensitively", async () => {
    const email = `${unique("Taken")}@Example.com`;
    const phone = newPhone();
    const wallet = newWallet();
    const username = unique("Owner");
    const externalId = unique("ext");
    await createUser({ email_address: [email], phone_number: [phone], web3_wallet: [wallet], username, external_id: externalId });

    const emailError = expectError(
      await call("POST", "/v1/users", { email_address: [email.toUpperCase()] }),
      422,
      "form_identifier_exists",
      "email_address",
    );
    expect(emailError.message).toBe("That email address is taken. Please try another.");
    expectError(await call("POST", "/v1/users", { phone_number: [phone] }), 422, "form_identifier_exists", "phone_number");
    expectError(await call("POST", "/v1/users", { web3_wallet: [wallet] }), 422, "form_identifier_exists", "web3_wallet");
    const usernameError = expectError(
      await call("POST", "/v1/users", { username: username.toLowerCase() }),
      422,
      "form_identifier_exists",
      "username",
    );
    expect(usernameError.message).toBe("That username is taken. Please try another.");
    expectError(await call("POST", "/v1/users", { external_id: externalId }), 422, "form_identifier_exists", "external_id");
  });

  it("folds non-ASCII case and Unicode normalisation", async () => {
    const suffix = unique("x");
    await createUser({ username: `ÉLODIE${suffix}`, email_address: [`ÉLODIE${suffix}@exämple.com`] });
    expectError(await call("POST", "/v1/users", { username: `élodie${suffix}` }), 422, "form_identifier_exists", "username");
    // "e" + combining acute accent (NFD) is the same name as the precomposed "é" (NFC).
    expectError(await call("POST", "/v1/users", { username: `e\u0301lodie${suffix}` }), 422, "form_identifier_exists", "username");
    expectError(await call("POST", "/v1/users", { email_address: [`élodie${suffix}@EXÄMPLE.com`] }), 422, "form_identifier_exists", "email_address");
  });

  it("refuses the same identifier twice in one request", async () => {
    const email = `${unique()}@example.com`;
    expectError(await call("POST", "/v1/users", { email_address: [email, email.toUpperCase()] }), 422, "form_identifier_exists", "email_address");
    const phone = newPhone();
    expectError(await call("POST", "/v1/users", { phone_number: [phone, phone] }), 422, "form_identifier_exists", "phone_number");
  });

  it("writes nothing when a create is refused", async () => {
    const taken = newPhone();
    await createUser({ phone_number: [taken] });
    const before = await tableCounts();
    const refusals = [
      // Taken identifier after valid ones.
      { email_address: [`${unique()}@example.com`], web3_wallet: [newWallet()], phone_number: [newPhone(), taken], password: "long enough" },
      // Invalid second email.
      { email_address: [`${unique()}@example.com`, "broken"], username: unique("never") },
      // Metadata too large.
      { email_address: [`${unique()}@example.com`], unsafe_metadata: { x: "z".repeat(9000) } },
      // Password too short.
      { email_address: [`${unique()}@example.com`], password: "short" },
    ];
    for (const body of refusals) expect((await call("POST", "/v1/users", body)).status).toBe(422);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("POST /v1/users: concurrent creates", () => {
  /** Sends both bodies at once; exactly one wins and the other is refused naming `param`. */
  async function race(a: Record<string, unknown>, b: Record<string, unknown>, param: string) {
    const before = await tableCounts();
    const results = await Promise.all([call("POST", "/v1/users", a, { schema: "User" }), call("POST", "/v1/users", b, { schema: "User" })]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([200, 422]);
    expectError(results.find((r) => r.status === 422)!, 422, "form_identifier_exists", param);
    const winner = results.find((r) => r.status === 200)!.body;
    const after = await tableCounts();
    // Only the winner's rows were written; the loser left nothing behind.
    expect(after.users - before.users).toBe(1);
    expect(after.email_addresses - before.email_addresses).toBe(winner.email_addresses.length);
    expect(after.phone_numbers - before.phone_numbers).toBe(winner.phone_numbers.length);
    expect(after.web3_wallets - before.web3_wallets).toBe(winner.web3_wallets.length);
    return winner;
  }

  it("lets exactly one of two creates with the same email (differently cased) win", async () => {
    const email = `${unique("race")}@example.com`;
    // Each also carries its own phone, which the loser must not leave behind.
    await race(
      { email_address: [email], phone_number: [newPhone()] },
      { email_address: [email.toUpperCase()], phone_number: [newPhone()] },
      "email_address",
    );
  });

  it("lets exactly one of two creates with the same username (differently cased) win", async () => {
    const name = unique("Racer");
    await race({ username: name, web3_wallet: [newWallet()] }, { username: name.toUpperCase(), web3_wallet: [newWallet()] }, "username");
  });

  it("lets exactly one of ÉLODIE and élodie win, as username and as email", async () => {
    const suffix = unique("r");
    await race({ username: `ÉLODIE${suffix}` }, { username: `élodie${suffix}` }, "username");
    await race({ email_address: [`ÉLODIE${suffix}@example.com`] }, { email_address: [`élodie${suffix}@example.com`] }, "email_address");
  });

  it("lets exactly one of two creates with the same phone, wallet or external_id win", async () => {
    const phone = newPhone();
    await race({ phone_number: [phone] }, { phone_number: [phone] }, "phone_number");
    const wallet = newWallet();
    await race({ web3_wallet: [wallet] }, { web3_wallet: [wallet] }, "web3_wallet");
    const ext = unique("ext");
    await race({ external_id: ext }, { external_id: ext }, "external_id");
  });
});

describe("POST /v1/users: Unicode and SQL metacharacters round-trip", () => {
  const NASTY = [
    "O'Brien",
    'say "hi"',
    "100%_off",
    "x; DROP TABLE users;--",
    "😀👩‍💻",
    "مرحبا بالعالم",
    "שלום",
    "e\u0301 (NFD)",
    "tab\tnew\nline",
    "back\\slash",
  ];

  it("returns every string field exactly as sent", async () => {
    for (const [i, text] of NASTY.entries()) {
      const tag = unique(`n${i}`);
      const body = {
        first_name: text,
        last_name: `${text} ${tag}`,
        locale: text,
        external_id: `${text}${tag}`,
        username: `Ñandú_${tag}.名前-مرحبا`,
        email_address: [`o'brien%_${tag}+é😀@exämple.com`],
        public_metadata: { [text]: text, nested: { [`${text}'k`]: [text, { v: text }] } },
        private_metadata: { "%": "_", ";--": "'" },
        unsafe_metadata: { rtl: "مرحبا", emoji: "😀" },
      };
      const created = await createUser(body);
      const got = await call("GET", `/v1/users/${created.id}`, undefined, { schema: "User" });
      for (const user of [created, got.body]) {
        expect(user.first_name).toBe(body.first_name);
        expect(user.last_name).toBe(body.last_name);
        expect(user.locale).toBe(body.locale);
        expect(user.external_id).toBe(body.external_id);
        expect(user.username).toBe(body.username);
        expect(user.email_addresses[0].email_address).toBe(body.email_address[0]);
        expect(user.public_metadata).toEqual(body.public_metadata);
        expect(user.private_metadata).toEqual(body.private_metadata);
        expect(user.unsafe_metadata).toEqual(body.unsafe_metadata);
      }
      // An identifier made of LIKE wildcards matches only itself.
      expectError(await call("POST", "/v1/users", { external_id: `${text}${tag}` }), 422, "form_identifier_exists", "external_id");
    }
  });

  it("keeps an NFD username as sent while treating it as equal to its NFC form", async () => {
    const tag = unique("nfd");
    const user = await createUser({ username: `Cafe\u0301${tag}` });
    expect(user.username).toBe(`Cafe\u0301${tag}`);
    expectError(await call("POST", "/v1/users", { username: `CAFÉ${tag}` }), 422, "form_identifier_exists", "username");
  });
});
