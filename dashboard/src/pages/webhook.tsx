/**
 * One webhook endpoint: its settings (enable/disable, delete), its signing secret — fetched
 * (GET …/secret) only when the operator clicks "Reveal secret", and forgotten on "Hide secret"
 * or when leaving the page — and the attempts log (GET …/attempts, newest first) with
 * "Resend" (POST …/messages/{message_id}/resend), which answers the entry's new state.
 */
import { useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { ConfirmButton, pageOf, useLoad } from "../components/kit";
import { Badge, Button, ErrorMessage, formatDate, Loading } from "../components/ui";
import { Pager } from "../components/pager";
import type { Paginated, WebhookAttempt, WebhookEndpoint } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const PAGE_SIZE = 20;
const enc = encodeURIComponent;

export default function WebhookPage(props: Props) {
  const id = props.params.id;
  const page = pageOf(props.query);
  const endpoint = useLoad(() => api<WebhookEndpoint>("GET", `/webhook_endpoints/${enc(id)}`), [id]);
  const attempts = useLoad(
    () => api<Paginated<WebhookAttempt>>("GET", `/webhook_endpoints/${enc(id)}/attempts?limit=${PAGE_SIZE}&offset=${(page - 1) * PAGE_SIZE}`),
    [id, page],
  );
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run<T>(call: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await call();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  if (endpoint.loading && !endpoint.data) return <Loading label="Loading endpoint…" />;
  if (!endpoint.data) {
    return (
      <section class="page">
        <p class="breadcrumb">
          <Link href="/dashboard/webhooks">← Webhooks</Link>
        </p>
        <ErrorMessage error={endpoint.error} />
        <Button onClick={endpoint.reload}>Retry</Button>
      </section>
    );
  }
  const ep = endpoint.data;
  const path = `/webhook_endpoints/${enc(ep.id)}`;

  return (
    <section class="page" aria-labelledby="webhook-title">
      <p class="breadcrumb">
        <Link href="/dashboard/webhooks">← Webhooks</Link>
      </p>
      <h1 id="webhook-title" class="url">
        {ep.url}
      </h1>
      <p class="muted code">{ep.id}</p>
      {error !== null && <ErrorMessage error={error} />}

      <section class="card" aria-labelledby="endpoint-settings">
        <h2 id="endpoint-settings">Endpoint</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <Badge tone={ep.disabled ? "neutral" : "success"}>{ep.disabled ? "Disabled" : "Enabled"}</Badge>
          </dd>
          <dt>Events</dt>
          <dd>{ep.events.length ? ep.events.join(", ") : "All events"}</dd>
          <dt>Description</dt>
          <dd>{ep.description || <span class="muted">None</span>}</dd>
          <dt>Created</dt>
          <dd>{formatDate(ep.created_at)}</dd>
          <dt>Signing secret</dt>
          <dd>{secret === null ? <span class="muted">Hidden</span> : <code class="secret">{secret}</code>}</dd>
        </dl>
        <div class="actions">
          {secret === null ? (
            <Button
              disabled={busy}
              onClick={async () => {
                const answer = await run(() => api<{ key: string }>("GET", `${path}/secret`));
                if (answer) setSecret(answer.key);
              }}
            >
              Reveal secret
            </Button>
          ) : (
            <Button onClick={() => setSecret(null)}>Hide secret</Button>
          )}
          <Button
            disabled={busy}
            onClick={async () => {
              const next = await run(() => api<WebhookEndpoint>("PATCH", path, { disabled: !ep.disabled }));
              if (next) endpoint.setData(next);
            }}
          >
            {ep.disabled ? "Enable endpoint" : "Disable endpoint"}
          </Button>
          <ConfirmButton
            label="Delete endpoint"
            disabled={busy}
            onConfirm={async () => {
              const done = await run(() => api("DELETE", path));
              if (done) navigate("/dashboard/webhooks", { replace: true });
            }}
          />
        </div>
      </section>

      <section class="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        <div class="actions">
          <Button onClick={attempts.reload} disabled={attempts.loading}>
            Refresh attempts
          </Button>
        </div>
        {attempts.loading && <Loading label="Loading attempts…" />}
        {attempts.error !== null && <ErrorMessage error={attempts.error} />}
        {attempts.data && attempts.data.data.length === 0 && <p class="muted">No messages sent to this endpoint yet.</p>}
        {attempts.data && attempts.data.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Message</th>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Response</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Created</th>
                  <th scope="col">Next attempt</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {attempts.data.data.map((a) => (
                  <tr key={a.message_id}>
                    <td class="code">{a.message_id}</td>
                    <td class="code">{a.event_type}</td>
                    <td>
                      <Badge tone={a.status === "succeeded" ? "success" : a.status === "failed" ? "danger" : "warning"}>{a.status}</Badge>
                    </td>
                    <td>{a.response_status ?? "—"}</td>
                    <td>{a.attempt}</td>
                    <td>{formatDate(a.created_at)}</td>
                    <td>{formatDate(a.next_attempt_at)}</td>
                    <td>
                      <Button
                        disabled={busy}
                        aria-label={`Resend ${a.message_id}`}
                        onClick={async () => {
                          const next = await run(() => api<WebhookAttempt>("POST", `${path}/messages/${enc(a.message_id)}/resend`, {}));
                          if (next && attempts.data) {
                            attempts.setData({
                              ...attempts.data,
                              data: attempts.data.data.map((x) => (x.message_id === next.message_id ? next : x)),
                            });
                          }
                        }}
                      >
                        Resend
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {attempts.data && <Pager page={page} pages={Math.max(1, Math.ceil(attempts.data.total_count / PAGE_SIZE))} />}
      </section>
    </section>
  );
}
