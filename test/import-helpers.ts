/**
 * Calling POST /v1/users/import in tests. The response is an extension (Clerk's spec has no
 * schema for it), so its shape is asserted exactly here; every error object inside it is
 * validated against the spec's ClerkErrors, as error responses are.
 */
import { expect } from "vitest";
import { newId } from "../workers/crypto/ids";
import { call, type ApiResult, type CallOptions } from "./helpers";
import { assertMatchesSchema } from "./schema/validate";

export interface ImportResultJson {
  index: number;
  id: string | null;
  status: "created" | "exists" | "failed";
  errors?: { message: string; long_message: string; code: string; meta?: Record<string, unknown> }[];
}

/** Asserts the exact shape of a 200 import response for `count` users; returns its results. */
export function expectImportShape(result: ApiResult, count: number): ImportResultJson[] {
  expect(result.status, JSON.stringify(result.body).slice(0, 2000)).toBe(200);
  expect(Object.keys(result.body).sort()).toEqual(["object", "results"]);
  expect(result.body.object).toBe("user_import");
  const results = result.body.results as ImportResultJson[];
  expect(results).toHaveLength(count);
  results.forEach((r, i) => {
    expect(r.index).toBe(i);
    if (r.status === "failed") {
      expect(Object.keys(r).sort()).toEqual(["errors", "id", "index", "status"]);
      expect(r.id === null || typeof r.id === "string").toBe(true);
      expect(r.errors!.length).toBeGreaterThan(0);
      assertMatchesSchema("ClerkErrors", { errors: r.errors });
      for (const e of r.errors!) expect(Object.keys(e).every((k) => ["message", "long_message", "code", "meta"].includes(k))).toBe(true);
    } else {
      expect(Object.keys(r).sort()).toEqual(["id", "index", "status"]);
      expect(["created", "exists"]).toContain(r.status);
      expect(r.id).toMatch(/^user_[A-Za-z0-9]{1,64}$/);
    }
  });
  return results;
}

/** Imports `users` and returns the checked results (and the raw response). */
export async function importUsers(users: unknown[], options: CallOptions = {}): Promise<ImportResultJson[] & { response: ApiResult }> {
  const response = await call("POST", "/v1/users/import", { users }, options);
  const results = expectImportShape(response, users.length) as ImportResultJson[] & { response: ApiResult };
  results.response = response;
  return results;
}

/** The one error of a failed result. */
export function failure(result: ImportResultJson): { code: string; param?: unknown } {
  expect(result.status, JSON.stringify(result)).toBe("failed");
  expect(result.errors).toHaveLength(1);
  return { code: result.errors![0].code, param: result.errors![0].meta?.param_name };
}

/** A KSUID user id of the given time (Clerk's ids are such). */
export const ksuidUserId = (ms: number) => newId("user", ms);

let sequence = 0;
/** A short non-KSUID user id, unique in this test file. */
export function shortUserId(prefix = "imp"): string {
  sequence += 1;
  return `user_${prefix}${Date.now().toString(36)}${sequence}`;
}
