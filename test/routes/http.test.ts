/**
 * The HTTP contract every route shares: authentication, API version, the error envelope,
 * body parsing and limits, and the exact Content-Type the SDK needs.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { BASE, call, createUser, expectError, unique } from "../helpers";

describe("authentication", () => {
  it("answers 401 authorization_header_format_invalid with Clerk's messages when the header is missing", async () => {
    const error = expectError(await call("GET", "/v1/users/count", undefined, { noAuth: true }), 401, "authorization_header_format_invalid");
    expect(error.message).toBe("Invalid Authorization header format");
    expect(error.long_message).toBe("Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'");
  });

  it.each([["sk_test_primary"], ["Basic sk_test_primary"], ["Bearer"], ["Bearer "], ["Bearer a b"], ["bearer-sk_test_primary"]])(
    "answers 401 authorization_header_format_invalid for the malformed header %j",
    async (header) => {
      expectError(
        await call("GET", "/v1/users/count", undefined, { noAuth: true, headers: { Authorization: header } }),
        401,
        "authorization_header_format_invalid",
      );
    },
  );

  it("answers 401 clerk_key_invalid with Clerk's message for an unknown key", async () => {
    const error = expectError(
      await call("GET", "/v1/users/count", undefined, { noAuth: true, headers: { Authorization: "Bearer sk_test_wrong" } }),
      401,
      "clerk_key_invalid",
    );
    expect(error.message).toBe("The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.");
    expect(error.long_message).toBe(error.message);
  });

  it("refuses a prefix, an extension and a comma-joined list of the configured keys", async () => {
    for (const key of ["sk_test_prim", "sk_test_primaryX", "sk_test_primary,sk_test_rotated"]) {
      expectError(
        await call("GET", "/v1/users/count", undefined, { noAuth: true, headers: { Authorization: `Bearer ${key}` } }),
        401,
        "clerk_key_invalid",
      );
    }
  });

  it("accepts every key of the comma-separated CLERK_SECRET_KEY (rotation)", async () => {
    for (const key of ["sk_test_primary", "sk_test_rotated"]) {
      const result = await call("GET", "/v1/users/count", undefined, { noAuth: true, headers: { Authorization: `Bearer ${key}` } });
      expect(result.status).toBe(200);
    }
  });

  it("checks the key before anything else: an unauthenticated caller of an unknown route gets 401", async () => {
    expectError(await call("GET", "/v1/nope", undefined, { noAuth: true }), 401, "authorization_header_format_invalid");
  });
});

describe("Clerk-API-Version", () => {
  it("accepts 2026-05-12 and a request without any version", async () => {
    expect((await call("GET", "/v1/users/count", undefined, { schema: "TotalCount" })).status).toBe(200);
    const bare = await SELF.fetch(`${BASE}/v1/users/count`, { headers: { Authorization: "Bearer sk_test_primary" } });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toMatchObject({ object: "total_count" });
  });

  it("accepts the version as the __clerk_api_version query parameter", async () => {
    const bare = await SELF.fetch(`${BASE}/v1/users/count?__clerk_api_version=2026-05-12`, { headers: { Authorization: "Bearer sk_test_primary" } });
    expect(bare.status).toBe(200);
    await bare.arrayBuffer();
  });

  it("answers 400 api_version_invalid when the version is sent both as header and as query parameter", async () => {
    expectError(await call("GET", "/v1/users/count?__clerk_api_version=2026-05-12"), 400, "api_version_invalid");
  });

  it("serves an older dated version with this version's behaviour", async () => {
    expect((await call("GET", "/v1/users/count", undefined, { headers: { "Clerk-API-Version": "2025-04-10" } })).status).toBe(200);
  });

  it.each([["yesterday"], ["2026-02-30"], ["2026-5-12"], ["2099-01-01"]])("answers 400 api_version_invalid for %j", async (version) => {
    const error = expectError(
      await call("GET", "/v1/users/count", undefined, { headers: { "Clerk-API-Version": version } }),
      400,
      "api_version_invalid",
    );
    expect(error.message).toBe("invalid API version");
    expect(error.long_message).toMatch(/^Invalid Clerk API version: /);
  });
});

describe("error envelope and routing", () => {
  it("answers an unknown route with 404 resource_not_found in Clerk's envelope", async () => {
    const result = await call("GET", "/v1/no_such_resource");
    expectError(result, 404, "resource_not_found");
    expect(result.body.clerk_trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.body.meta).toEqual({});
  });

  it("answers an unsupported method on a known path with 404 resource_not_found", async () => {
    expectError(await call("PUT", "/v1/users", {}), 404, "resource_not_found");
  });

  it("answers 404 resource_not_found with Clerk's message for an unknown user", async () => {
    const error = expectError(await call("GET", "/v1/users/user_2abcdefghijklmnopqrstuvwxyz"), 404, "resource_not_found");
    expect(error.message).toBe("not found");
    expect(error.long_message).toBe("No user was found with id user_2abcdefghijklmnopqrstuvwxyz");
  });

  it("answers an unexpected failure with 500 internal_clerk_error, without stack, internals or secrets", async () => {
    const user = await createUser({ first_name: "Broken" });
    // Corrupt the stored row so that reading it throws inside the Worker (not an ApiError).
    await env.DB.prepare("update users set public_metadata = ? where id = ?").bind("{not json", user.id).run();
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const raw = await SELF.fetch(`${BASE}/v1/users/${user.id}`, { headers: { Authorization: "Bearer sk_test_primary" } });
    const text = await raw.text();
    // Repair it so later tests in this file (which share storage) list users normally.
    await env.DB.prepare("update users set public_metadata = '{}' where id = ?").bind(user.id).run();
    expect(raw.status).toBe(500);
    expect(raw.headers.get("content-type")).toBe("application/json");
    const error = expectError({ status: raw.status, headers: raw.headers, body: JSON.parse(text) }, 500, "internal_clerk_error");
    expect(error.message).toBe("Oops, an unexpected error occurred");
    for (const leak of ["SyntaxError", "JSON", "at ", ".ts", "sk_test", "not json", "stack"]) expect(text).not.toContain(leak);
    // Operators get the detail in the log, tagged with the trace id the client saw.
    expect(logged).toHaveBeenCalled();
    expect(String(logged.mock.calls[0][0])).toContain(JSON.parse(text).clerk_trace_id);
    logged.mockRestore();
  });
});

describe("request bodies", () => {
  it("answers unparsable JSON with 400 request_body_invalid", async () => {
    for (const raw of ["{", '{"first_name":', "not json", '{"a":1}}']) {
      const error = expectError(await call("POST", "/v1/users", undefined, { rawBody: raw }), 400, "request_body_invalid");
      expect(error.message).toBe("Request body invalid");
    }
  });

  it("answers a JSON body that is not an object with 400 request_body_invalid", async () => {
    for (const raw of ["[]", "null", "42", '"text"']) {
      expectError(await call("POST", "/v1/users", undefined, { rawBody: raw }), 400, "request_body_invalid");
    }
  });

  it("answers an unknown body parameter with 422 form_param_unknown naming it", async () => {
    const error = expectError(
      await call("POST", "/v1/users", { first_name: "A", favourite_colour: "blue" }),
      422,
      "form_param_unknown",
      "favourite_colour",
    );
    expect(error.long_message).toBe("favourite_colour is not a valid parameter for this request.");
    expectError(await call("POST", "/v1/users", { __proto__x: 1 }), 422, "form_param_unknown", "__proto__x");
  });

  it("answers a JSON body over 1 MB with 413 request_body_too_large and writes nothing", async () => {
    const before = await call("GET", "/v1/users/count");
    const padding = "x".repeat(1024 * 1024);
    const error = expectError(await call("POST", "/v1/users", { first_name: "Big", unsafe_metadata: { padding } }), 413, "request_body_too_large");
    expect(error.long_message).toBe("The request body exceeds the maximum allowed size of 1048576 bytes.");
    expect((await call("GET", "/v1/users/count")).body.total_count).toBe(before.body.total_count);
  });

  it("counts the bytes of a streamed body without Content-Length against the 1 MB limit", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent += 1;
        controller.enqueue(sent === 1 ? new TextEncoder().encode('{"first_name":"') : chunk);
      },
    });
    const response = await SELF.fetch(`${BASE}/v1/users`, {
      method: "POST",
      headers: { Authorization: "Bearer sk_test_primary", "Content-Type": "application/json" },
      body,
      // @ts-expect-error duplex is required for stream bodies but missing from RequestInit's types
      duplex: "half",
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].code).toBe("request_body_too_large");
  });

  it("accepts a body of exactly 1 MB", async () => {
    const shell = JSON.stringify({ first_name: "Edge", unsafe_metadata: { p: "" } });
    const padding = "y".repeat(1024 * 1024 - shell.length);
    const result = await call("POST", "/v1/users", { first_name: "Edge", unsafe_metadata: { p: padding } });
    // Within the body limit, so the request reaches validation: the metadata limit (8 KB) answers.
    expectError(result, 422, "form_param_exceeds_allowed_size", "unsafe_metadata");
  });

  it("accepts Content-Type application/json with an empty body on GET, DELETE and POST", async () => {
    const user = await createUser({ first_name: "Empty" });
    const get = await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User", rawBody: undefined });
    expect(get.status).toBe(200);
    const post = await call("POST", "/v1/users", undefined, { schema: "User", rawBody: "" });
    expect(post.status).toBe(200);
    expect(post.body.id).toMatch(/^user_/);
    const patch = await call("PATCH", `/v1/users/${user.id}/metadata`, undefined, { schema: "User", rawBody: "" });
    expect(patch.status).toBe(200);
    const del = await call("DELETE", `/v1/users/${post.body.id}`, undefined, { schema: "DeletedObject", rawBody: "" });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ object: "user", id: post.body.id, deleted: true });
  });

  it("answers every JSON response, success or error, with Content-Type exactly application/json", async () => {
    const user = await createUser({ username: unique("ctype") });
    for (const [method, path] of [
      ["GET", `/v1/users/${user.id}`],
      ["GET", "/v1/users/count"],
      ["GET", "/v1/users"],
      ["GET", "/v1/nope"],
      ["GET", "/v1/users/user_missing"],
    ]) {
      const response = await SELF.fetch(`${BASE}${path}`, { method, headers: { Authorization: "Bearer sk_test_primary" } });
      expect(response.headers.get("content-type"), `${method} ${path}`).toBe("application/json");
      await response.arrayBuffer();
    }
  });
});
