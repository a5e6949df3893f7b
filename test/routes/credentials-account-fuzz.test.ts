/**
 * Property: bad input to the credential, account-state, identity and image routes is answered
 * with a Clerk error (or success), never a 500, and never echoes a digest or secret sent.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_HASHERS } from "../../workers/crypto/hashers";
import { call, createUser } from "../helpers";
import { DIGEST_VECTORS, RFC6238_SECRET } from "../crypto/vectors";

const RUNS = { numRuns: 40 };
const json = fc.jsonValue({ maxDepth: 2 });
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constantFrom("", " ", "'; drop table users; --", "\u0000", "$", "$$$$"),
);
/** A value of any JSON type, mostly strings. */
const value = fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: json });

/** A real digest with one character replaced, cut short or extended: near-misses exercise the parsers. */
const mutatedDigest = fc
  .tuple(
    fc.constantFrom(...DIGEST_VECTORS),
    fc.nat(),
    fc.constantFrom("$", "=", "0", "z", "/", "-", ":", "é", ""),
    fc.constantFrom("replace", "cut", "append"),
  )
  .map(([v, at, ch, how]) => {
    const i = at % v.password_digest.length;
    const d = v.password_digest;
    const digest = how === "replace" ? d.slice(0, i) + ch + d.slice(i + 1) : how === "cut" ? d.slice(0, i) : d + ch;
    return { hasher: v.password_hasher, digest };
  });

let userId: string;
beforeAll(async () => {
  const user = await createUser({ password: "fuzzing is fun 123", totp_secret: RFC6238_SECRET, backup_codes: ["fuzzcode1"] });
  userId = user.id;
});

const notServerError = (status: number, what: unknown) => expect(status, JSON.stringify(what)).toBeLessThan(500);

describe("never a 500", () => {
  it("POST /v1/users with arbitrary credential fields", async () => {
    const fields = fc.record(
      {
        password: value,
        password_digest: value,
        password_hasher: fc.oneof(fc.constantFrom(...Object.keys(PASSWORD_HASHERS), "awscognito"), value),
        skip_password_checks: value,
        totp_secret: value,
        backup_codes: fc.oneof(fc.array(text, { maxLength: 5 }), value),
        banned: value,
        locked: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fields, async (body) => {
        const result = await call("POST", "/v1/users", body);
        notServerError(result.status, body);
      }),
      RUNS,
    );
  });

  it("digests one edit away from a valid one are refused or accepted at create, never a 500, never echoed", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedDigest, async ({ hasher, digest }) => {
        const result = await call("POST", "/v1/users", { password_hasher: hasher, password_digest: digest });
        notServerError(result.status, { hasher, digest });
        if (result.status >= 400 && digest.length > 8) expect(JSON.stringify(result.body)).not.toContain(digest);
      }),
      { numRuns: 120 },
    );
  });

  it("verify_password, verify_totp and bulk ban with arbitrary bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("verify_password", "verify_totp", "ban"),
        fc.oneof(fc.dictionary(fc.constantFrom("password", "code", "user_ids", "x"), value), json),
        async (route, body) => {
          const path = route === "ban" ? "/v1/users/ban" : `/v1/users/${userId}/${route}`;
          const result = await call("POST", path, body);
          notServerError(result.status, { route, body });
        },
      ),
      RUNS,
    );
    // Only wrong guesses were sent: unlock so the user does not stay locked for other tests.
    await call("POST", `/v1/users/${userId}/unlock`);
  });

  it("identity, image and state routes with arbitrary path ids", async () => {
    const routes = fc.constantFrom(
      ["DELETE", "/v1/users/{u}/passkeys/{x}"],
      ["DELETE", "/v1/users/{u}/web3_wallets/{x}"],
      ["DELETE", "/v1/users/{u}/external_accounts/{x}"],
      ["DELETE", "/v1/users/{x}/profile_image"],
      ["DELETE", "/v1/users/{x}/mfa"],
      ["DELETE", "/v1/users/{x}/totp"],
      ["DELETE", "/v1/users/{x}/backup_code"],
      ["POST", "/v1/users/{x}/ban"],
      ["POST", "/v1/users/{x}/lock"],
      ["POST", "/v1/users/{x}/verify_password"],
      ["GET", "/images/{x}"],
      ["GET", "/images/avatars/{x}.svg"],
    );
    await fc.assert(
      fc.asyncProperty(routes, text, async ([method, template], id) => {
        const path = template.replace("{u}", userId).replace("{x}", encodeURIComponent(id));
        const result = await call(method, path, method === "POST" ? { password: "x" } : undefined);
        notServerError(result.status, { method, path });
      }),
      RUNS,
    );
    await call("POST", `/v1/users/${userId}/unlock`);
  });

  it("profile_image with arbitrary bytes and content types", async () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
    const contentType = fc.oneof(
      fc.constantFrom("multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x", "image/png", ""),
      text,
    );
    await fc.assert(
      fc.asyncProperty(bytes, contentType, fc.boolean(), async (raw, type, asForm) => {
        let result: Awaited<ReturnType<typeof call>>;
        if (asForm) {
          const form = new FormData();
          form.append("file", new File([raw], "f", { type: type.slice(0, 40) }));
          result = await call("POST", `/v1/users/${userId}/profile_image`, undefined, { rawBody: form });
        } else {
          result = await call("POST", `/v1/users/${userId}/profile_image`, undefined, {
            rawBody: raw,
            // biome-ignore lint/suspicious/noControlCharactersInRegex: strips what a header value cannot carry
            headers: { "Content-Type": type.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, "") },
          });
        }
        notServerError(result.status, { type, asForm, length: raw.length });
      }),
      RUNS,
    );
  });
});
