/**
 * Webhook endpoints (README, Webhooks): the list (GET /webhook_endpoints, newest first, paged
 * by `page` in the query string), create, enable/disable and delete. The secret that create
 * answers is not shown here: it is revealed only on the endpoint's page, on request.
 */
import { useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { EndpointForm } from "../components/endpoint-form";
import { ConfirmButton, Loaded, Table, useLoad } from "../components/kit";
import { Badge, Button, ErrorMessage, formatDate } from "../components/ui";
import { Pager, pageOf } from "../components/pager";
import type { Paginated, WebhookEndpoint } from "../components/types";
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
      <section class="card" aria-labelledby="create-endpoint-title">
        <h2 id="create-endpoint-title">Add an endpoint</h2>
        <EndpointForm
          submitLabel="Add endpoint"
          onSubmit={async (settings) => {
            const created = await api<WebhookEndpoint>("POST", "/webhook_endpoints", settings);
            navigate(`/dashboard/webhooks/${encodeURIComponent(created.id)}`);
          }}
        />
      </section>
      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {error !== null && <ErrorMessage error={error} />}
        <Loaded load={list} label="Loading endpoints…">
          {(found) => (
            <>
              <Table
                columns={["URL", "Events", "Status", "Created"]}
                actions
                items={found.data}
                empty="No endpoints yet."
                row={(ep) => (
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
                )}
              />
              <Pager page={page} total={found.total_count} size={PAGE_SIZE} />
            </>
          )}
        </Loaded>
      </section>
    </section>
  );
}
