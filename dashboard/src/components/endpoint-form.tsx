/**
 * A webhook endpoint's settings as a form: URL, description and the event-type filter (none
 * checked = all events), the fields POST /webhook_endpoints and PATCH /webhook_endpoints/{id}
 * both take (workers/schemas/webhooks.ts). Used to add an endpoint and to edit one; an API error
 * naming `url`, `events` or `description` shows at that field.
 */
import { useId, useState } from "preact/hooks";
import { WEBHOOK_EVENT_TYPES } from "../../../workers/webhooks/event-types";
import { useSubmit } from "./kit";
import type { WebhookEndpoint } from "./types";
import { Button, ErrorMessage, Field } from "./ui";

export type EndpointSettings = { url: string; description: string | null; events: string[] };

const FIELDS = ["url", "events", "description"] as const;

export function EndpointForm(props: {
  /** The stored settings when editing; empty for a new endpoint. */
  initial?: Pick<WebhookEndpoint, "url" | "description" | "events">;
  submitLabel: string;
  /** Sends the settings; the form shows a refusal at its fields. */
  onSubmit: (settings: EndpointSettings) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const [url, setUrl] = useState(props.initial?.url ?? "");
  const [description, setDescription] = useState(props.initial?.description ?? "");
  const [events, setEvents] = useState<string[]>(props.initial?.events ?? []);
  const form = useSubmit(FIELDS);
  const eventsErrorId = `${useId()}-events-error`;

  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        // An emptied description is sent as null: PATCH then clears it.
        form.submit(() => props.onSubmit({ url: url.trim(), description: description.trim() || null, events }));
      }}
      onKeyDown={(e) => e.key === "Escape" && props.onCancel?.()}
    >
      <ErrorMessage error={form.errors.top} />
      <Field label="Endpoint URL" error={form.errors.field.url}>
        <input
          type="url"
          inputMode="url"
          placeholder="https://example.com/webhooks"
          value={url}
          onInput={(e) => {
            setUrl((e.currentTarget as HTMLInputElement).value);
            form.clear("url");
          }}
        />
      </Field>
      <Field label="Description" error={form.errors.field.description}>
        <input value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <fieldset class="event-types" aria-describedby={form.errors.field.events ? eventsErrorId : undefined}>
        <legend>Events (none checked = all events)</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label key={type} class="check">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                setEvents(on ? [...events, type] : events.filter((t) => t !== type));
              }}
            />
            <span class="code">{type}</span>
          </label>
        ))}
        {form.errors.field.events && (
          <p id={eventsErrorId} class="field-error">
            {form.errors.field.events}
          </p>
        )}
      </fieldset>
      <div class="actions">
        <Button variant="primary" type="submit" busy={form.busy} disabled={!url.trim()}>
          {props.submitLabel}
        </Button>
        {props.onCancel && <Button onClick={props.onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}
