/**
 * Request bodies and query strings of the webhook endpoint routes (an extension; README,
 * Webhooks). `.strict()` turns an unknown key into 422 form_param_unknown.
 */
import { z } from "zod";
import { errors } from "../http/errors";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/event-types";
import { httpUrl } from "./common";
import { pageFields, pageOf } from "./query";

const DESCRIPTION_MAX = 1024;
const KNOWN_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** Event types to deliver; absent or empty = all. An unknown type → 422 naming `events`. */
const eventTypes = z
  .array(z.string())
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .superRefine((values, ctx) => {
    const unknown = values.find((value) => !KNOWN_TYPES.has(value));
    if (unknown !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        params: {
          apiError: errors.paramValueInvalid(
            "events",
            `${JSON.stringify(unknown)} is not a known event type. Known types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`,
          ),
        },
      });
    }
  })
  // Stored once each, in the catalogue's order, so equal filters read back equal.
  .transform((values) => WEBHOOK_EVENT_TYPES.filter((type) => values.includes(type)));

export const createWebhookEndpointBody = z
  .object({
    url: httpUrl(),
    events: eventTypes.nullable().optional(),
    description: z.string().max(DESCRIPTION_MAX).nullable().optional(),
    disabled: z.boolean().nullable().optional(),
  })
  .strict();

export const updateWebhookEndpointBody = z
  .object({
    url: httpUrl().optional(),
    events: eventTypes.nullable().optional(),
    description: z.string().max(DESCRIPTION_MAX).nullable().optional(),
    disabled: z.boolean().nullable().optional(),
  })
  .strict();

export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointBody>;
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointBody>;

/** GET /webhook_endpoints and …/attempts: limit/offset, newest first. */
export const webhookPageQuery = z.object(pageFields).transform(pageOf);
