/**
 * Test helpers: call the Worker the way the official SDK does, and check every JSON
 * response against the spec (Content-Type exactly application/json, body matches schema).
 */
import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import worker from "../workers/index";
import { assertListMatchesSchema, assertMatchesSchema, type SchemaName } from "./schema/validate";

export const SECRET_KEY = "sk_test_primary";
export const BASE = "https://api.test";

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** Schema of a 2xx body; `[name]` for a bare array of that schema. Error bodies are always checked as ClerkErrors. */
  schema?: SchemaName | [SchemaName];
  headers?: Record<string, string>;
  /** A raw body (string, FormData, bytes) instead of JSON. */
  rawBody?: BodyInit;
  /** Skip the Authorization header (auth tests). */
  noAuth?: boolean;
  /** Other vars for this request (e.g. a lower rate limit): the Worker runs with the real bindings plus these. */
  vars?: Record<string, string>;
  /** Bindings that replace the real ones for this request (e.g. a D1 that fails one statement). */
  bindings?: Partial<Cloudflare.Env>;
}

const envsWithVars = new Map<string, Cloudflare.Env>();
/** One env object per set of vars, so the Worker's per-env config cache is reused. */
function envWith(vars: Record<string, string>): Cloudflare.Env {
  const key = JSON.stringify(vars);
  let merged = envsWithVars.get(key);
  if (!merged) {
    merged = { ...env, ...vars };
    envsWithVars.set(key, merged);
  }
  return merged;
}

/** Sends a request like @clerk/backend does: Bearer key, Content-Type application/json, JSON body. */
export async function call<T = any>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {
    "Clerk-API-Version": "2026-05-12",
    ...(options.rawBody instanceof FormData ? {} : { "Content-Type": "application/json" }),
    ...(options.noAuth ? {} : { Authorization: `Bearer ${SECRET_KEY}` }),
    ...options.headers,
  };
  const init: RequestInit = { method, headers };
  if (options.rawBody !== undefined) init.body = options.rawBody;
  else if (body !== undefined) init.body = JSON.stringify(body);
  const response =
    options.vars || options.bindings
      ? await worker.fetch(new Request(`${BASE}${path}`, init), { ...envWith(options.vars ?? {}), ...options.bindings })
      : await SELF.fetch(`${BASE}${path}`, init);
  const contentType = response.headers.get("content-type");
  const text = await response.text();
  let parsed: unknown = text;
  if (contentType?.startsWith("application/json") || text.startsWith("{") || text.startsWith("[")) {
    // The SDK parses only an exact `application/json`; anything else would break it.
    expect(contentType, `content-type of ${method} ${path}`).toBe("application/json");
    parsed = JSON.parse(text);
    if (response.status >= 400) assertMatchesSchema("ClerkErrors", parsed);
    else if (Array.isArray(options.schema)) assertListMatchesSchema(options.schema[0], parsed);
    else if (options.schema) assertMatchesSchema(options.schema, parsed);
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Asserts a Clerk error response with the given status and code; returns the first error. */
export function expectError(result: ApiResult, status: number, code: string, paramName?: string) {
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  const error = result.body.errors[0];
  expect(error.code).toBe(code);
  if (paramName !== undefined) expect(error.meta?.param_name).toBe(paramName);
  return error as { code: string; message: string; long_message: string; meta?: Record<string, unknown> };
}

let counter = 0;
/** A unique suffix for identifiers within a test file. */
export function unique(prefix = "u"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Creates a user through the API and returns its JSON. */
export async function createUser(body: Record<string, unknown> = {}): Promise<any> {
  const result = await call("POST", "/v1/users", body, { schema: "User" });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  return result.body;
}
