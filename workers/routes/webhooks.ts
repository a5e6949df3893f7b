/**
 * Webhook endpoints (an extension; README, Webhooks): CRUD, the signing secret and its rotation,
 * delivery attempts and resending. Thin: parse input, call a service, serialise.
 */
import type { AppContext } from "../context";
import { readJsonBody } from "../http/body";
import { queryOf } from "../http/query";
import { json } from "../http/respond";
import { parseWith } from "../http/validation";
import type { ApiRequest, RouterType } from "../http/router-types";
import { createWebhookEndpointBody, updateWebhookEndpointBody, webhookPageQuery } from "../schemas/webhooks";
import { serializeWebhookEndpoint } from "../serializers/webhook-endpoint";
import {
  createWebhookEndpoint,
  deleteEndpoint,
  endpointSecret,
  getWebhookEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from "../services/webhook-endpoints";
import { listAttempts, resendMessage } from "../services/webhook-deliveries";

export function registerWebhookRoutes(router: RouterType): void {
  router.post("/v1/webhook_endpoints", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(createWebhookEndpointBody, await readJsonBody(request));
    const { row, secret } = await createWebhookEndpoint(ctx, input);
    return json(serializeWebhookEndpoint(row, secret));
  });

  router.get("/v1/webhook_endpoints", async (request: ApiRequest, ctx: AppContext) => {
    const { rows, total } = await listEndpoints(ctx, parseWith(webhookPageQuery, queryOf(request)));
    return json({ data: rows.map((row) => serializeWebhookEndpoint(row)), total_count: total });
  });

  router.get("/v1/webhook_endpoints/:id", async (request: ApiRequest, ctx: AppContext) => {
    return json(serializeWebhookEndpoint(await getWebhookEndpoint(ctx, request.params.id)));
  });

  router.patch("/v1/webhook_endpoints/:id", async (request: ApiRequest, ctx: AppContext) => {
    const input = parseWith(updateWebhookEndpointBody, await readJsonBody(request));
    return json(serializeWebhookEndpoint(await updateEndpoint(ctx, request.params.id, input)));
  });

  router.delete("/v1/webhook_endpoints/:id", async (request: ApiRequest, ctx: AppContext) => {
    await deleteEndpoint(ctx, request.params.id);
    return json({ object: "webhook_endpoint", id: request.params.id, deleted: true });
  });

  router.get("/v1/webhook_endpoints/:id/secret", async (request: ApiRequest, ctx: AppContext) => {
    return json({ key: await endpointSecret(ctx, request.params.id) });
  });

  router.post("/v1/webhook_endpoints/:id/rotate_secret", async (request: ApiRequest, ctx: AppContext) => {
    return json({ key: await rotateEndpointSecret(ctx, request.params.id) });
  });

  router.get("/v1/webhook_endpoints/:id/attempts", async (request: ApiRequest, ctx: AppContext) => {
    return json(await listAttempts(ctx, request.params.id, parseWith(webhookPageQuery, queryOf(request))));
  });

  router.post("/v1/webhook_endpoints/:id/messages/:message_id/resend", async (request: ApiRequest, ctx: AppContext) => {
    return json(await resendMessage(ctx, request.params.id, request.params.message_id));
  });
}
