/**
 * Fuzz: no input to the organization, membership, invitation and OAuth token routes reaches a
 * 500. Every response is exactly application/json, and errors are ClerkErrors (checked by call()).
 */
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import { call, createUser, unique } from "../helpers";

interface Fixture {
  orgId: string;
  slug: string;
  userId: string;
  invitationId: string;
}
let fx: Fixture;

beforeAll(async () => {
  const user = await createUser({ email_address: [`${unique("fuzz")}@example.com`] });
  const org = await call("POST", "/v1/organizations", { name: "Fuzz Co", created_by: user.id });
  const invitation = await call("POST", `/v1/organizations/${org.body.id}/invitations`, {
    email_address: `${unique("fuzzinv")}@example.com`,
    role: "org:member",
  });
  await call("POST", `/v1/users/${user.id}/external_accounts`, {
    provider: "oauth_google",
    provider_user_id: unique("g"),
    access_token: "fresh",
    refresh_token: "fail400-fuzz",
    expires_at: Date.now() + 3_600_000,
  });
  fx = { orgId: org.body.id, slug: org.body.slug, userId: user.id, invitationId: invitation.body.id };
});

const ROUTES: [string, string][] = [
  ["POST", "/v1/organizations"],
  ["GET", "/v1/organizations"],
  ["GET", "/v1/organizations/:org"],
  ["PATCH", "/v1/organizations/:org"],
  ["PATCH", "/v1/organizations/:org/metadata"],
  ["PUT", "/v1/organizations/:org/metadata"],
  ["POST", "/v1/organizations/:org/memberships"],
  ["GET", "/v1/organizations/:org/memberships"],
  ["PATCH", "/v1/organizations/:org/memberships/:user"],
  ["PATCH", "/v1/organizations/:org/memberships/:user/metadata"],
  ["GET", "/v1/organization_memberships"],
  ["POST", "/v1/organizations/:org/invitations"],
  ["GET", "/v1/organizations/:org/invitations"],
  ["GET", "/v1/organizations/:org/invitations/pending"],
  ["GET", "/v1/organizations/:org/invitations/:inv"],
  ["POST", "/v1/organizations/:org/invitations/:inv/revoke"],
  ["POST", "/v1/organizations/:org/invitations/:inv/accept"],
  ["GET", "/v1/users/:user/organization_memberships"],
  ["GET", "/v1/users/:user/organization_invitations"],
  ["GET", "/v1/users/:user/oauth_access_tokens/:provider"],
  ["GET", "/v1/users"],
  ["GET", "/v1/users/count"],
  ["DELETE", "/v1/organizations/:org/memberships/:user"],
  ["POST", "/v1/organizations/:org/invitations/bulk"],
];

const nasty = fc.oneof(
  fc.string(),
  fc.fullUnicodeString({ maxLength: 8 }),
  fc.constantFrom("", " ", "'", '"', "%", "_", "\\", "\u0000", "a'; drop table organizations;--", "é", "👩‍👩‍👧", "x".repeat(300), "null", "[]", "{}"),
);
const idLike = (real: () => string) =>
  fc.oneof(
    fc.constant(null).map(() => real()),
    nasty,
    fc.constantFrom("org_missing", "user_missing", "orginv_missing"),
  );
const scalar = fc.oneof(
  nasty,
  fc.integer(),
  fc.constantFrom(0, -1, 1, 500, 501, 2 ** 31, 2 ** 53 + 1, 1e300, -0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(nasty, scalar, { maxKeys: 3 }));
const BODY_KEYS = [
  "name",
  "slug",
  "created_by",
  "public_metadata",
  "private_metadata",
  "max_allowed_memberships",
  "created_at",
  "role_set_key",
  "admin_delete_enabled",
  "user_id",
  "role",
  "email_address",
  "inviter_user_id",
  "expires_in_days",
  "redirect_url",
  "notify",
  "requesting_user_id",
];
const body = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...BODY_KEYS), nasty), value, { maxKeys: 5 }),
  fc.dictionary(fc.constantFrom(...BODY_KEYS), value, { minKeys: 1, maxKeys: 6 }),
  fc.constantFrom("{", "[]", "null", "123", '"x"', '{"name":', "\u0000").map((raw) => ({ __raw: raw })),
);
const QUERY_KEYS = [
  "limit",
  "offset",
  "order_by",
  "status",
  "user_id",
  "role",
  "organization_id",
  "query",
  "include_members_count",
  "paginated",
  "email_address",
  "created_at_before",
  "phone_number",
  "username",
  "web3_wallet",
  "email_address_query",
  "name_query",
  "last_active_at_after",
];
const queryValue = fc.oneof(
  nasty,
  fc.constantFrom(
    "-1",
    "0",
    "1",
    "10",
    "500",
    "501",
    "1e3",
    "+created_at",
    "-phone_number",
    " username",
    "-members_count",
    "pending",
    "expired",
    "true",
    "false",
    "-org_x",
    "+user_x",
    "9007199254740993",
    "99999999999999999999",
    "-0",
  ),
);
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), nasty), queryValue), { maxLength: 4 });

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  org: idLike(() => (Math.random() < 0.5 ? fx.orgId : fx.slug)),
  user: idLike(() => fx.userId),
  inv: idLike(() => fx.invitationId),
  provider: fc.oneof(fc.constantFrom("google", "oauth_google", "oauth_github", "github", "oauth_", "facebook"), nasty),
  query,
  body,
});

it("never answers 500, and always with exactly application/json", async () => {
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const [method, template] = r.route;
      const path = template.replace(/:(org|user|inv|provider)/g, (_, name: "org" | "user" | "inv" | "provider") => encodeURIComponent(r[name]));
      const search = new URLSearchParams(r.query).toString();
      const raw = (r.body as { __raw?: string }).__raw;
      const sendBody = method !== "GET";
      const result = await call(method, `${path}${search ? `?${search}` : ""}`, sendBody && raw === undefined ? r.body : undefined, {
        rawBody: sendBody && raw !== undefined ? raw : undefined,
      });
      expect(result.status, `${method} ${path}?${search} ${JSON.stringify(r.body)} → ${JSON.stringify(result.body)}`).toBeLessThan(500);
      expect(result.headers.get("content-type")).toBe("application/json");
    }),
    { numRuns: 250 },
  );
}, 120_000);
