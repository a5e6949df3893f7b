/**
 * An organization: its facts, members with editable roles (PATCH …/memberships/{user_id}),
 * invitations (create, revoke) and public/private metadata (merge route).
 */
import { useMemo, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { Link } from "../router";
import { ConfirmButton, useLoad } from "../components/kit";
import { Pager } from "../components/pager";
import { Badge, Button, ErrorMessage, Field, Loading, formatDate } from "../components/ui";
import { MetadataEditor, type MetadataValues } from "../components/metadata-editor";
import { displayName, type Invitation, type Membership, type Organization, type Paginated } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const enc = encodeURIComponent;
const SYSTEM_ROLES = ["org:admin", "org:member"];
/** Members and invitations are paged (never a silently cut list), each with its own query key. */
const PAGE_SIZE = 50;

/** The 1-based page number in `key`, 1 when absent or unreadable. */
function pageOf(query: URLSearchParams, key: string): number {
  const page = Number(query.get(key));
  return Number.isSafeInteger(page) && page > 1 ? page : 1;
}

const pages = (total: number) => Math.max(1, Math.ceil(total / PAGE_SIZE));

/** A change to members or invitations also changes the organization's counts. */
function reloadAll(...loads: { reload: () => void }[]) {
  for (const load of loads) load.reload();
}

export default function OrganizationPage(props: Props) {
  const id = props.params.id;
  const org = useLoad(() => api<Organization>("GET", `/organizations/${enc(id)}?include_members_count=true`), [id]);
  const membersPage = pageOf(props.query, "members_page");
  const invitationsPage = pageOf(props.query, "invitations_page");
  const members = useLoad(
    () =>
      api<Paginated<Membership>>(
        "GET",
        `/organizations/${enc(id)}/memberships?limit=${PAGE_SIZE}&offset=${(membersPage - 1) * PAGE_SIZE}&order_by=created_at`,
      ),
    [id, membersPage],
  );
  const invitations = useLoad(
    () => api<Paginated<Invitation>>("GET", `/organizations/${enc(id)}/invitations?limit=${PAGE_SIZE}&offset=${(invitationsPage - 1) * PAGE_SIZE}`),
    [id, invitationsPage],
  );

  const metadata = useMemo<MetadataValues>(
    () => (org.data ? { public_metadata: org.data.public_metadata, private_metadata: org.data.private_metadata } : {}),
    [org.data],
  );

  if (org.loading && !org.data) return <Loading label="Loading organization…" />;
  if (!org.data) {
    return (
      <section class="page">
        <p class="breadcrumb">
          <Link href="/dashboard/organizations">← Organizations</Link>
        </p>
        <ErrorMessage error={org.error} />
        <Button onClick={org.reload}>Retry</Button>
      </section>
    );
  }
  const o = org.data;
  // Paths below use the organization's id (the route param may be a slug).
  const base = `/organizations/${enc(o.id)}`;

  return (
    <section class="page" aria-labelledby="org-title">
      <p class="breadcrumb">
        <Link href="/dashboard/organizations">← Organizations</Link>
      </p>
      <header class="page-header">
        <img class="avatar large" src={o.image_url} alt="" width={64} height={64} />
        <div class="title-block">
          <h1 id="org-title">{o.name}</h1>
          <p class="muted code">
            {o.slug} · {o.id}
          </p>
        </div>
      </header>
      <section class="card" aria-labelledby="org-facts">
        <h2 id="org-facts">Details</h2>
        <dl class="facts">
          <dt>Members</dt>
          <dd>
            {o.members_count ?? "—"}
            {o.max_allowed_memberships ? ` of at most ${o.max_allowed_memberships}` : ""}
          </dd>
          <dt>Pending invitations</dt>
          <dd>{o.pending_invitations_count ?? "—"}</dd>
          <dt>Created</dt>
          <dd>{formatDate(o.created_at)}</dd>
          {o.created_by && (
            <>
              <dt>Created by</dt>
              <dd>
                <Link href={`/dashboard/users/${enc(o.created_by)}`}>{o.created_by}</Link>
              </dd>
            </>
          )}
        </dl>
      </section>

      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.loading && <Loading label="Loading members…" />}
        {members.error !== null && <ErrorMessage error={members.error} />}
        {members.data && (
          <>
            <MemberTable base={base} memberships={members.data.data} onChange={() => reloadAll(members, org)} />
            <Pager page={membersPage} pages={pages(members.data.total_count)} param="members_page" of="members" />
          </>
        )}
      </section>

      <section class="card" aria-labelledby="invitations-title">
        <h2 id="invitations-title">Invitations</h2>
        <InviteForm base={base} onCreated={() => reloadAll(invitations, org)} />
        {invitations.loading && <Loading label="Loading invitations…" />}
        {invitations.error !== null && <ErrorMessage error={invitations.error} />}
        {invitations.data && (
          <>
            <InvitationTable base={base} invitations={invitations.data.data} onChange={() => reloadAll(invitations, org)} />
            <Pager page={invitationsPage} pages={pages(invitations.data.total_count)} param="invitations_page" of="invitations" />
          </>
        )}
      </section>

      <section class="card" aria-labelledby="org-metadata-title">
        <h2 id="org-metadata-title">Metadata</h2>
        <MetadataEditor
          kinds={["public_metadata", "private_metadata"]}
          values={metadata}
          onSave={async (patch) => {
            const next = await api<Organization>("PATCH", `${base}/metadata`, patch);
            org.setData({ ...o, ...next });
            return { public_metadata: next.public_metadata, private_metadata: next.private_metadata };
          }}
        />
      </section>
    </section>
  );
}

function RoleSelect(props: { label: string; value: string; disabled?: boolean; onChange: (role: string) => void }) {
  const roles = SYSTEM_ROLES.includes(props.value) ? SYSTEM_ROLES : [...SYSTEM_ROLES, props.value];
  return (
    <select
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
    >
      {roles.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

function MemberTable(props: { base: string; memberships: Membership[]; onChange: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function run(userId: string, call: () => Promise<unknown>) {
    setBusy(userId);
    setError(null);
    try {
      await call();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
      // Reload either way: a refused role change must put the select back to the stored role.
      props.onChange();
    }
  }
  if (props.memberships.length === 0) return <p class="muted">No members.</p>;
  return (
    <>
      {error !== null && <ErrorMessage error={error} />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Identifier</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.memberships.map((m) => {
              const user = m.public_user_data;
              const name = displayName({
                id: user.user_id,
                first_name: user.first_name,
                last_name: user.last_name,
                username: user.username,
                email: user.identifier,
              });
              return (
                <tr key={m.id}>
                  <td>
                    <span class="with-avatar">
                      <img class="avatar" src={user.image_url} alt="" width={28} height={28} />
                      <Link href={`/dashboard/users/${enc(user.user_id)}`}>{name}</Link>
                      {user.banned && <Badge tone="danger">Banned</Badge>}
                    </span>
                  </td>
                  <td class="code">{user.identifier ?? "—"}</td>
                  <td>
                    <RoleSelect
                      label={`Role of ${name}`}
                      value={m.role}
                      disabled={busy === user.user_id}
                      onChange={(role) => run(user.user_id, () => api("PATCH", `${props.base}/memberships/${enc(user.user_id)}`, { role }))}
                    />
                  </td>
                  <td>{formatDate(m.created_at)}</td>
                  <td>
                    <ConfirmButton
                      label={`Remove ${name}`}
                      text="Remove"
                      disabled={busy === user.user_id}
                      onConfirm={() => run(user.user_id, () => api("DELETE", `${props.base}/memberships/${enc(user.user_id)}`))}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function InviteForm(props: { base: string; onCreated: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("org:member");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ field: Record<string, string>; top: unknown }>({ field: {}, top: null });
  return (
    <form
      class="inline-form"
      aria-label="Invite a member"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setErrors({ field: {}, top: null });
        try {
          await api("POST", `${props.base}/invitations`, { email_address: email.trim(), role });
          setEmail("");
          props.onCreated();
        } catch (err) {
          if (err instanceof ApiError) {
            const field: Record<string, string> = {};
            for (const x of err.errors)
              if (x.meta?.param_name === "email_address" || x.meta?.param_name === "role") field[x.meta.param_name] = x.long_message || x.message;
            setErrors({ field, top: Object.keys(field).length ? null : err });
          } else setErrors({ field: {}, top: err });
        } finally {
          setBusy(false);
        }
      }}
    >
      {errors.top !== null && <ErrorMessage error={errors.top} />}
      <Field label="Invitee email address" error={errors.field.email_address}>
        <input type="email" autocomplete="off" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field label="Invitation role" error={errors.field.role}>
        <select value={role} onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value)}>
          {SYSTEM_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <Button variant="primary" type="submit" disabled={busy || !email.trim()}>
        Send invitation
      </Button>
    </form>
  );
}

function InvitationTable(props: { base: string; invitations: Invitation[]; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  if (props.invitations.length === 0) return <p class="muted">No invitations.</p>;
  return (
    <>
      {error !== null && <ErrorMessage error={error} />}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Email address</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.invitations.map((inv) => (
              <tr key={inv.id}>
                <td class="code">{inv.email_address}</td>
                <td>{inv.role_name}</td>
                <td>
                  <Badge tone={inv.status === "pending" ? "warning" : "neutral"}>{inv.status}</Badge>
                </td>
                <td>{formatDate(inv.expires_at)}</td>
                <td>
                  {inv.status === "pending" && (
                    <ConfirmButton
                      label={`Revoke invitation for ${inv.email_address}`}
                      text="Revoke"
                      onConfirm={async () => {
                        setError(null);
                        try {
                          await api("POST", `${props.base}/invitations/${enc(inv.id)}/revoke`, {});
                          props.onChange();
                        } catch (err) {
                          setError(err);
                        }
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
