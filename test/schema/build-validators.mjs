/**
 * Compiles the spec's response schemas into standalone ajv validators (an ES module), so that
 * tests running inside workerd — where ajv cannot compile (no code generation from strings) —
 * can validate every JSON response against Clerk's OpenAPI contract.
 *
 * Source: test/fixtures/clerk-bapi/users-subset-2026-05-12.yml (vendored) plus the organization schemas of the
 * full spec. Output: test/schema/validators.generated.mjs (git-ignored, rebuilt on each run).
 */
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const specDir = resolve(here, "../fixtures/clerk-bapi");
const out = resolve(here, "validators.generated.mjs");

/** Schemas the tests validate against, by name. Anything in components/schemas can be added. */
export const SCHEMA_NAMES = [
  "User",
  "DeletedObject",
  "TotalCount",
  "ClerkErrors",
  "OAuthAccessToken",
  "OrganizationMembership",
  "OrganizationMemberships",
  "OrganizationInvitationsWithPublicOrganizationData",
  "OrganizationInvitationWithPublicOrganizationData",
  "Organization",
  "Organizations",
  "OrganizationInvitation",
  "OrganizationInvitations",
  "Passkey",
  "ExternalAccountWithVerification",
  "EmailAddress",
  "PhoneNumber",
  "Web3Wallet",
];

/** The webhook event types this API emits (workers/webhooks/event-types.ts), validated against Clerk's webhook spec. */
export const WEBHOOK_EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.deleted",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
  "organizationInvitation.created",
  "organizationInvitation.accepted",
  "organizationInvitation.revoked",
];

const webhooksSpec = resolve(specDir, "webhooks-2025-04-15.yml");

export function buildValidators() {
  const full = resolve(specDir, "bapi-2026-05-12.yml");
  const subset = resolve(specDir, "users-subset-2026-05-12.yml");
  if (
    existsSync(out) &&
    statSync(out).mtimeMs >
      Math.max(statSync(full).mtimeMs, statSync(subset).mtimeMs, statSync(webhooksSpec).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs)
  ) {
    return out;
  }
  // The full spec has every schema the subset has (and the organization ones); use it as the source.
  const spec = parse(readFileSync(full, "utf8"));
  const components = spec.components.schemas;
  const ajv = new Ajv({
    code: { source: true, esm: true },
    strict: false,
    allErrors: true,
    // Formats (int64, date-time) are annotations here: the standalone output must not
    // require() ajv-formats, which cannot load inside workerd. Types are still checked.
    validateFormats: false,
  });
  // OpenAPI 3.0 keywords ajv does not know are annotations here.
  for (const kw of ["example", "x-speakeasy-name-override", "x-speakeasy-unknown-values", "x-speakeasy-enums", "deprecated", "externalDocs", "xml"]) {
    try {
      ajv.addKeyword(kw);
    } catch {
      // already a keyword ajv knows
    }
  }
  // ajv's discriminator supports no `mapping` and needs the tag required in every branch;
  // plain oneOf over branches with `additionalProperties: false` and distinct `object` enums
  // validates the same payloads, so discriminators are dropped.
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== "object") return node;
    const copy = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "discriminator") continue;
      copy[key] = key === "properties" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)])) : strip(value);
    }
    // OpenAPI 3.0 `nullable: true` → JSON Schema: null is also allowed.
    if (copy.nullable === true) {
      delete copy.nullable;
      if (copy.oneOf || copy.anyOf || copy.allOf || copy.$ref || !copy.type) return { anyOf: [{ type: "null" }, copy] };
      copy.type = [copy.type, "null"];
      if (Array.isArray(copy.enum)) copy.enum = [...copy.enum, null];
    } else if (copy.nullable === false) {
      delete copy.nullable;
    }
    return copy;
  };
  for (const name of Object.keys(components)) components[name] = strip(components[name]);
  const root = { $id: "spec", components: { schemas: components } };
  ajv.addSchema(root);
  const refs = {};
  for (const name of SCHEMA_NAMES) {
    if (!components[name]) continue;
    refs[name] = `spec#/components/schemas/${name}`;
  }
  // Clerk's webhook spec: each event type's request body (envelope + data), exported as
  // `Event_<type with dots as underscores>`, e.g. Event_user_created.
  const webhooks = parse(readFileSync(webhooksSpec, "utf8"));
  const hookComponents = webhooks.components.schemas;
  for (const name of Object.keys(hookComponents)) hookComponents[name] = strip(hookComponents[name]);
  // The webhook spec extends a closed object (`additionalProperties: false`) with `allOf`
  // (OrganizationInvitationAcceptedPayload = OrganizationInvitation + required `user_id`,
  // `data`). Read literally as JSON Schema that admits no payload at all (the extension's own
  // required keys are "additional" to the closed branch); the spec's intent, and its example, is
  // the closed object with the extra properties. Such an allOf is merged into one closed object
  // with the properties and required keys of both, no looser than either branch meant.
  const closedRef = (branch) => {
    const name = typeof branch?.$ref === "string" ? branch.$ref.replace("#/components/schemas/", "") : undefined;
    const target = name ? hookComponents[name] : undefined;
    return target?.additionalProperties === false && target.properties ? target : undefined;
  };
  const mergeClosedAllOf = (node) => {
    if (Array.isArray(node)) return node.map(mergeClosedAllOf);
    if (!node || typeof node !== "object") return node;
    const copy = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mergeClosedAllOf(v)]));
    if (Array.isArray(copy.allOf) && copy.allOf.length === 2) {
      const [first, second] = copy.allOf;
      const closed = closedRef(first);
      if (closed && second && !second.$ref && second.properties) {
        delete copy.allOf;
        return {
          ...closed,
          ...copy,
          properties: { ...closed.properties, ...second.properties },
          required: [...(closed.required ?? []), ...(second.required ?? [])],
        };
      }
    }
    return copy;
  };
  for (const name of Object.keys(hookComponents)) hookComponents[name] = mergeClosedAllOf(hookComponents[name]);
  const events = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    events[type] = mergeClosedAllOf(strip(webhooks["x-webhooks"][type].post.requestBody.content["application/json"].schema));
    refs[`Event_${type.replace(/\./g, "_")}`] = `webhooks#/events/${type.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  }
  ajv.addSchema({ $id: "webhooks", components: { schemas: hookComponents }, events });
  const code = standaloneCode(ajv, refs);
  writeFileSync(out, code);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildValidators());
}
