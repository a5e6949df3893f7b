/**
 * Webhook endpoints (README, Webhooks): the list (GET /webhook_endpoints, newest first, paged
 * by `page` in the query string), create, enable/disable and delete. The secret that create
 * answers is not shown here: it is revealed only on the endpoint's page, on request.
 */
import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { Link, navigate } from "../router";
import { ConfirmButton, pageOf, useLoad } from "../components/kit";
import { Badge, Button, ErrorMessage, Field, formatDate, Loading } from "../components/ui";
import { Pager } from "../components/pager";
import type { Paginated, WebhookEndpoint } from "../components/types";
import { WEBHOOK_EVENT_TYPES } from "../../../workers/webhooks/event-types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const PAGE_SIZE = 20;

export default function WebhooksPage(props: Props) {
  const page = pageOf(props.query);
  const list = useLoad(
    () => api<Paginated<WebhookEndpoint>>("GET", `/webhook_endpoints?limit=${PAGE_SIZE}&offset=${(page - 1) * PAGE_SIZE}`),
    [page],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function run(id: string, call: () => Promise<unknown>) {
    setBusy(id);
    setError(null);
    try {
      await call();
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="page" aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <CreateEndpoint />
      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {error !== null && <ErrorMessage error={error} />}
        {list.loading && <Loading label="Loading endpoints…" />}
        {list.error !== null && (
          <>
            <ErrorMessage error={list.error} />
            <Button onClick={list.reload}>Retry</Button>
          </>
        )}
        {list.data && list.data.data.length === 0 && <p class="muted">No endpoints yet.</p>}
        {list.data && list.data.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((ep) => (
                  <tr key={ep.id}>
                    <td class="url">
                      <Link href={`/dashboard/webhooks/${encodeURIComponent(ep.id)}`}>{ep.url}</Link>
                      {ep.description && <div class="muted">{ep.description}</div>}
                    </td>
                    <td>{ep.events.length ? ep.events.join(", ") : "All events"}</td>
                    <td>
                      <Badge tone={ep.disabled ? "neutral" : "success"}>{ep.disabled ? "Disabled" : "Enabled"}</Badge>
                    </td>
                    <td>{formatDate(ep.created_at)}</td>
                    <td class="row-actions">
                      <Button
                        disabled={busy === ep.id}
                        aria-label={`${ep.disabled ? "Enable" : "Disable"} ${ep.url}`}
                        onClick={() => run(ep.id, () => api("PATCH", `/webhook_endpoints/${encodeURIComponent(ep.id)}`, { disabled: !ep.disabled }))}
                      >
                        {ep.disabled ? "Enable" : "Disable"}
                      </Button>
                      <ConfirmButton
                        label={`Delete ${ep.url}`}
                        text="Delete"
                        disabled={busy === ep.id}
                        onConfirm={() => run(ep.id, () => api("DELETE", `/webhook_endpoints/${encodeURIComponent(ep.id)}`))}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.data && <Pager page={page} pages={Math.max(1, Math.ceil(list.data.total_count / PAGE_SIZE))} />}
      </section>
    </section>
  );
}

function CreateEndpoint() {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [top, setTop] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setTop(null);
    try {
      const created = await api<WebhookEndpoint>("POST", "/webhook_endpoints", {
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      navigate(`/dashboard/webhooks/${encodeURIComponent(created.id)}`);
    } catch (err) {
      if (err instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const x of err.errors) {
          const p = x.meta?.param_name;
          if (p === "url" || p === "events" || p === "description") byField[p] = x.long_message || x.message;
        }
        setFieldErrors(byField);
        setTop(Object.keys(byField).length ? null : err);
      } else setTop(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="create-endpoint-title">
      <h2 id="create-endpoint-title">Add an endpoint</h2>
      <form class="form" onSubmit={submit}>
        {top !== null && <ErrorMessage error={top} />}
        <Field label="Endpoint URL" error={fieldErrors.url}>
          <input
            type="url"
            inputMode="url"
            placeholder="https://example.com/webhooks"
            value={url}
            onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
          />
        </Field>
        <Field label="Description" error={fieldErrors.description}>
          <input value={description} onInput={(e) => setDescription((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <fieldset class="event-types" aria-describedby={fieldErrors.events ? "events-error" : undefined}>
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
          {fieldErrors.events && (
            <p id="events-error" class="field-error">
              {fieldErrors.events}
            </p>
          )}
        </fieldset>
        <div class="actions">
          <Button variant="primary" type="submit" disabled={busy || !url.trim()}>
            Add endpoint
          </Button>
        </div>
      </form>
    </section>
  );
}
