/**
 * An unexpected error is logged for operators with its trace id, but never with the values a
 * failed query was bound to: those can be password digests, backup-code hashes or sealed tokens.
 */
import { DrizzleQueryError } from "drizzle-orm/errors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse } from "../../workers/http/respond";

afterEach(() => vi.restoreAllMocks());

describe("errorResponse logging", () => {
  it("logs a failed query's SQL and cause but not its bound parameters", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    const digest = "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234";
    const error = new DrizzleQueryError(
      "update users set password_digest = ? where id = ?",
      [digest, "user_x"],
      new Error("D1_ERROR: disk I/O error"),
    );
    const response = errorResponse(error);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toContain(digest);
    expect(logged.join("\n")).toContain("update users set password_digest = ?");
    expect(logged.join("\n")).toContain("D1_ERROR: disk I/O error");
    expect(logged.join("\n")).toContain(JSON.parse(body).clerk_trace_id);
    expect(logged.join("\n")).not.toContain(digest);
    expect(logged.join("\n")).not.toContain("abcdefghijklmnopqrstuu");
  });

  it("still logs other errors with their stack", () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    errorResponse(new TypeError("boom at the seam"));
    expect(logged.join("\n")).toContain("TypeError: boom at the seam");
  });
});
