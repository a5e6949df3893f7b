/**
 * One webhook endpoint: its settings (edit URL, description and event filter through PATCH;
 * enable/disable; delete), its signing secret — fetched (GET …/secret) only when the operator
 * clicks "Reveal secret", and forgotten on "Hide secret", on "Rotate secret" or when leaving the
 * page — and the attempts log (GET …/attempts, newest first: a row per attempt made and one for
 * each delivery's upcoming attempt) with "Resend" (POST …/messages/{message_id}/resend), after
 * which the log is read again, so it shows what the API now lists.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { EndpointForm } from "../components/endpoint-form";
import { ConfirmButton, LoadFailed, Loaded, Table, useLoad } from "../components/kit";
import { Badge, Button, ErrorMessage, formatDate, Loading } from "../components/ui";
import { Pager, pageOf } from "../components/pager";
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
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Focus follows the edit form: into its first field on open, back to "Edit endpoint" after.
  const editButton = useRef<HTMLButtonElement>(null);
  const settingsCard = useRef<HTMLElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (editing) settingsCard.current?.querySelector<HTMLInputElement>("input")?.focus();
    else if (wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  async function run<T>(call: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    setNotice(null);
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
  if (!endpoint.data)
    return <LoadFailed back={{ href: "/dashboard/webhooks", label: "Webhooks" }} error={endpoint.error} onRetry={endpoint.reload} />;
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
      {/* Always in the page, so screen readers announce the text when it changes; unseen while empty. */}
      <p class={notice ? "notice" : "visually-hidden"} role="status">
        {notice}
      </p>

      <section class="card" aria-labelledby="endpoint-settings" ref={settingsCard}>
        <h2 id="endpoint-settings">Endpoint</h2>
        {editing ? (
          <EndpointForm
            initial={ep}
            submitLabel="Save endpoint"
            onCancel={() => setEditing(false)}
            onSubmit={async (settings) => {
              endpoint.setData(await api<WebhookEndpoint>("PATCH", path, settings));
              setEditing(false);
              setNotice("Endpoint saved.");
            }}
          />
        ) : (
          <>
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
              <Button ref={editButton} disabled={busy} onClick={() => setEditing(true)}>
                Edit endpoint
              </Button>
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
              <ConfirmButton
                label="Rotate secret"
                disabled={busy}
                onConfirm={async () => {
                  // The answer holds the new secret; it is not kept: like any secret it shows only on "Reveal secret".
                  const rotated = await run(() => api<{ key: string }>("POST", `${path}/rotate_secret`, {}));
                  if (!rotated) return;
                  setSecret(null);
                  setNotice("Secret rotated. The previous secret also signs deliveries for 24 hours.");
                }}
              />
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
          </>
        )}
      </section>

      <section class="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        <div class="actions">
          <Button onClick={attempts.reload} disabled={attempts.loading}>
            Refresh attempts
          </Button>
        </div>
        <Loaded load={attempts} label="Loading attempts…">
          {(log) => (
            <>
              <Table
                columns={["Message", "Event", "Status", "Response", "Attempts", "Created", "Next attempt"]}
                actions
                items={log.data}
                empty="No messages sent to this endpoint yet."
                row={(a) => (
                  <tr key={`${a.message_id}:${a.attempt}`}>
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
                          if (!next) return;
                          // Not patched into the rows: a message has a row per attempt, and the
                          // answer is only the new pending one; the log itself says the rest.
                          attempts.reload();
                          setNotice(`${next.message_id} queued again (attempt ${next.attempt}).`);
                        }}
                      >
                        Resend
                      </Button>
                    </td>
                  </tr>
                )}
              />
              <Pager page={page} total={log.total_count} size={PAGE_SIZE} />
            </>
          )}
        </Loaded>
      </section>
    </section>
  );
}
