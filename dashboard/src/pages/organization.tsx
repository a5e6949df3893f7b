/**
 * An organization: its facts and deletion (typed confirmation), members (add, role editable
 * through PATCH …/memberships/{user_id}, remove), invitations (create, revoke) and public/private
 * metadata (merge route).
 */
import { useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { ConfirmButton, DeleteButton, LoadFailed, Loaded, Table, useLoad, useSubmit } from "../components/kit";
import { Pager, pageOf } from "../components/pager";
import { Badge, Button, ErrorMessage, Field, Loading, formatDate } from "../components/ui";
import { MetadataEditor, type MetadataValues } from "../components/metadata-editor";
import { displayName, type Invitation, type Membership, type Organization, type Paginated } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const enc = encodeURIComponent;
const SYSTEM_ROLES = ["org:admin", "org:member"];
const LIST = "/dashboard/organizations";
/** Members and invitations are paged (never a silently cut list), each with its own query key. */
const PAGE_SIZE = 50;

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
  if (!org.data) return <LoadFailed back={{ href: LIST, label: "Organizations" }} error={org.error} onRetry={org.reload} />;
  const o = org.data;
  // Paths below use the organization's id (the route param may be a slug).
  const base = `/organizations/${enc(o.id)}`;

  return (
    <section class="page" aria-labelledby="org-title">
      <p class="breadcrumb">
        <Link href={LIST}>← Organizations</Link>
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
        <div class="actions">
          <DeleteButton
            label="Delete organization"
            title="Delete this organization?"
            message={<p>This removes {o.name}, its memberships, invitations and logo. The members' user accounts stay. It cannot be undone.</p>}
            confirmText={o.slug}
            actionLabel="Delete organization permanently"
            onDelete={() => api("DELETE", base)}
            onDone={() => navigate(LIST, { replace: true })}
          />
        </div>
      </section>

      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <RoleForm
          name="Add a member"
          path={`${base}/memberships`}
          param="user_id"
          label="User ID"
          placeholder="user_…"
          roleLabel="Member role"
          submitLabel="Add member"
          onDone={() => reloadAll(members, org)}
        />
        <Loaded load={members} label="Loading members…">
          {(list) => (
            <>
              <MemberTable base={base} memberships={list.data} onChange={() => reloadAll(members, org)} />
              <Pager page={membersPage} total={list.total_count} size={PAGE_SIZE} param="members_page" of="members" />
            </>
          )}
        </Loaded>
      </section>

      <section class="card" aria-labelledby="invitations-title">
        <h2 id="invitations-title">Invitations</h2>
        <RoleForm
          name="Invite a member"
          path={`${base}/invitations`}
          param="email_address"
          label="Invitee email address"
          roleLabel="Invitation role"
          submitLabel="Send invitation"
          onDone={() => reloadAll(invitations, org)}
        />
        <Loaded load={invitations} label="Loading invitations…">
          {(list) => (
            <>
              <InvitationTable base={base} invitations={list.data} onChange={() => reloadAll(invitations, org)} />
              <Pager page={invitationsPage} total={list.total_count} size={PAGE_SIZE} param="invitations_page" of="invitations" />
            </>
          )}
        </Loaded>
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

/**
 * The system roles (and `value` when it is another role). `label` names it in a table row; in a
 * <Field> the field's label does, and the id and descriptions Field adds pass through.
 */
function RoleSelect({
  label,
  value,
  onChange,
  ...rest
}: {
  label?: string;
  value: string;
  disabled?: boolean;
  onChange: (role: string) => void;
  id?: string;
  "aria-describedby"?: string;
  "aria-invalid"?: "true";
}) {
  const roles = SYSTEM_ROLES.includes(value) ? SYSTEM_ROLES : [...SYSTEM_ROLES, value];
  return (
    <select {...rest} aria-label={label} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
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
  return (
    <>
      {error !== null && <ErrorMessage error={error} />}
      <Table
        columns={["Member", "Identifier", "Role", "Joined"]}
        actions
        items={props.memberships}
        empty="No members."
        row={(m) => {
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
        }}
      />
    </>
  );
}

/**
 * Someone and a role, posted to `path` as `{[param]: value, role}`: "Add member" (an existing
 * user's id to …/memberships) and "Send invitation" (an email address to …/invitations). An
 * error naming `param` or `role` shows at that field, any other above the form.
 */
function RoleForm(props: {
  name: string;
  path: string;
  param: "user_id" | "email_address";
  label: string;
  placeholder?: string;
  roleLabel: string;
  submitLabel: string;
  onDone: () => void;
}) {
  const [value, setValue] = useState("");
  const [role, setRole] = useState("org:member");
  const form = useSubmit([props.param, "role"]);
  return (
    <form
      class="inline-form"
      aria-label={props.name}
      onSubmit={async (e) => {
        e.preventDefault();
        const answer = await form.submit(() => api("POST", props.path, { [props.param]: value.trim(), role }));
        if (answer === undefined) return;
        setValue("");
        props.onDone();
      }}
    >
      <ErrorMessage error={form.errors.top} />
      <Field label={props.label} error={form.errors.field[props.param]}>
        <input
          inputMode={props.param === "email_address" ? "email" : "text"}
          autocomplete="off"
          spellcheck={false}
          placeholder={props.placeholder}
          value={value}
          onInput={(e) => {
            setValue((e.currentTarget as HTMLInputElement).value);
            form.clear(props.param);
          }}
        />
      </Field>
      <Field label={props.roleLabel} error={form.errors.field.role}>
        <RoleSelect value={role} onChange={setRole} />
      </Field>
      <Button variant="primary" type="submit" busy={form.busy} disabled={!value.trim()}>
        {props.submitLabel}
      </Button>
    </form>
  );
}

function InvitationTable(props: { base: string; invitations: Invitation[]; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      {error !== null && <ErrorMessage error={error} />}
      <Table
        columns={["Email address", "Role", "Status", "Expires"]}
        actions
        items={props.invitations}
        empty="No invitations."
        row={(inv) => (
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
        )}
      />
    </>
  );
}
