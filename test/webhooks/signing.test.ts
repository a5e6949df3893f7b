import { env } from "cloudflare:test";
import { verifyWebhook } from "@clerk/backend/webhooks";
import { Webhook } from "svix";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../workers/env";
import { findWebhookEndpoint } from "../../workers/db/webhook-endpoints";
import { createDb } from "../../workers/db/client";
import { PREVIOUS_SECRET_TTL_MS, signingSecrets } from "../../workers/services/webhook-endpoints";
import { svixHeaders } from "../../workers/webhooks/signing";
import { call } from "../helpers";

const body = JSON.stringify({ data: { id: "user_1", object: "user" }, object: "event", type: "user.updated" });

/** Both verifiers Clerk apps use, given the headers of one delivery. */
async function verifies(secret: string, headers: Record<string, string>): Promise<{ svix: boolean; clerk: boolean }> {
  let svix = true;
  try {
    new Webhook(secret).verify(body, headers);
  } catch {
    svix = false;
  }
  let clerk = true;
  try {
    const request = new Request("https://app.test/webhooks", { method: "POST", headers, body });
    const event = await verifyWebhook(request, { signingSecret: secret });
    expect(event.type).toBe("user.updated");
  } catch {
    clerk = false;
  }
  return { svix, clerk };
}

async function endpointRow(id: string) {
  const row = await findWebhookEndpoint(createDb(env.DB), id);
  if (!row) throw new Error("endpoint missing");
  return row;
}

describe("Svix signatures", () => {
  it("are accepted by svix's Webhook.verify and @clerk/backend's verifyWebhook, and a wrong secret or tampered body is refused", async () => {
    const created = (await call("POST", "/v1/webhook_endpoints", { url: "https://r.test/h" })).body;
    const now = Date.now();
    const secrets = await signingSecrets(readConfig(env).encryptionKey, await endpointRow(created.id), now);
    expect(secrets).toEqual([created.secret]);
    const headers = await svixHeaders(secrets, "msg_2abc", Math.floor(now / 1000), body);
    expect(headers["svix-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(await verifies(created.secret, headers)).toEqual({ svix: true, clerk: true });

    const other = (await call("POST", "/v1/webhook_endpoints", { url: "https://r.test/h" })).body;
    expect(await verifies(other.secret, headers)).toEqual({ svix: false, clerk: false });
    expect(() => new Webhook(created.secret).verify(`${body} `, headers)).toThrow();
    // A timestamp outside svix's 5-minute tolerance is refused too: the timestamp is signed.
    const stale = await svixHeaders(secrets, "msg_2abc", Math.floor(now / 1000) - 600, body);
    expect(await verifies(created.secret, stale)).toEqual({ svix: false, clerk: false });
  });

  it("during a rotation both secrets sign for 24 hours, then only the new one", async () => {
    const created = (await call("POST", "/v1/webhook_endpoints", { url: "https://r.test/h" })).body;
    const before = Date.now();
    const rotated = (await call("POST", `/v1/webhook_endpoints/${created.id}/rotate_secret`)).body.key as string;
    const row = await endpointRow(created.id);
    const key = readConfig(env).encryptionKey;

    const during = await signingSecrets(key, row, Date.now());
    expect(during).toEqual([rotated, created.secret]);
    const headers = await svixHeaders(during, "msg_rot", Math.floor(Date.now() / 1000), body);
    expect(headers["svix-signature"].split(" ")).toHaveLength(2);
    expect(await verifies(created.secret, headers)).toEqual({ svix: true, clerk: true });
    expect(await verifies(rotated, headers)).toEqual({ svix: true, clerk: true });

    // 24 h after the rotation the old secret no longer signs.
    expect(row.previousSecretExpiresAt).toBeGreaterThanOrEqual(before + PREVIOUS_SECRET_TTL_MS);
    const after = await signingSecrets(key, row, (row.previousSecretExpiresAt ?? 0) + 1);
    expect(after).toEqual([rotated]);
    const later = await svixHeaders(after, "msg_rot", Math.floor(Date.now() / 1000), body);
    expect(await verifies(created.secret, later)).toEqual({ svix: false, clerk: false });
    expect(await verifies(rotated, later)).toEqual({ svix: true, clerk: true });
  });
});
