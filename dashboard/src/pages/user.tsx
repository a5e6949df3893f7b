/**
 * A user: identifiers, credentials and MFA, account state (ban, lock, delete), profile image,
 * metadata, passkeys/wallets/external accounts and organization memberships. Every action is a
 * /v1 call; the page then shows the User the API answered (or reloads it when the route answers
 * something else), so what it shows is what the API says.
 */
import { useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { ConfirmButton, DeleteButton, formatDuration, LoadFailed, Loaded, useLoad } from "../components/kit";
import { Pager, pageOf } from "../components/pager";
import { Badge, Button, ErrorMessage, formatDate, Loading } from "../components/ui";
import { MetadataEditor, type MetadataValues } from "../components/metadata-editor";
import { displayName, type Membership, type Paginated, type User, type Verification } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const enc = encodeURIComponent;

function VerificationBadge(props: { verification: Verification }) {
  const verified = props.verification?.status === "verified";
  return <Badge tone={verified ? "success" : "warning"}>{verified ? "Verified" : "Unverified"}</Badge>;
}

const ORGS_PAGE_SIZE = 50;

export default function UserPage(props: Props) {
  const id = props.params.id;
  const user = useLoad(() => api<User>("GET", `/users/${enc(id)}`), [id]);
  // Paged like every list here (never a silently cut list); the page is in ?orgs_page=.
  const orgsPage = pageOf(props.query, "orgs_page");
  const memberships = useLoad(
    () =>
      api<Paginated<Membership>>(
        "GET",
        `/users/${enc(id)}/organization_memberships?limit=${ORGS_PAGE_SIZE}&offset=${(orgsPage - 1) * ORGS_PAGE_SIZE}`,
      ),
    [id, orgsPage],
  );
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);

  const metadata = useMemo<MetadataValues>(
    () =>
      user.data
        ? { public_metadata: user.data.public_metadata, private_metadata: user.data.private_metadata, unsafe_metadata: user.data.unsafe_metadata }
        : {},
    [user.data],
  );

  if (user.loading && !user.data) return <Loading label="Loading user…" />;
  if (!user.data) return <LoadFailed back={{ href: "/dashboard/", label: "Users" }} error={user.error} onRetry={user.reload} />;
  const u = user.data;
  const primaryEmail = u.email_addresses.find((e) => e.id === u.primary_email_address_id)?.email_address ?? null;
  const name = displayName({ ...u, email: primaryEmail });

  /** Runs an action; a User answer replaces the page's user, anything else reloads it. */
  async function act(run: () => Promise<unknown>) {
    setBusy(true);
    setActionError(null);
    try {
      const result = await run();
      if (result && typeof result === "object" && (result as { object?: string }).object === "user") user.setData(result as User);
      else user.reload();
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(false);
    }
  }
  const post = (path: string, body?: unknown) => act(() => api("POST", `/users/${enc(u.id)}${path}`, body ?? {}));
  const del = (path: string) => act(() => api("DELETE", `/users/${enc(u.id)}${path}`));

  return (
    <section class="page user-page" aria-labelledby="user-title">
      <p class="breadcrumb">
        <Link href="/dashboard/">← Users</Link>
      </p>
      <header class="page-header">
        <img class="avatar large" src={u.image_url} alt="" width={64} height={64} />
        <div class="title-block">
          <h1 id="user-title">{name}</h1>
          <p class="muted code">{u.id}</p>
          <p class="badges">
            {u.banned && <Badge tone="danger">Banned</Badge>}
            {u.locked && <Badge tone="warning">Locked</Badge>}
            {u.two_factor_enabled && <Badge>2FA</Badge>}
          </p>
        </div>
      </header>

      {actionError !== null && <ErrorMessage error={actionError} />}
      {user.loading && <Loading label="Refreshing…" />}

      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <dl class="facts">
          <dt>Created</dt>
          <dd>{formatDate(u.created_at)}</dd>
          <dt>Updated</dt>
          <dd>{formatDate(u.updated_at)}</dd>
          <dt>Last sign-in</dt>
          <dd>{formatDate(u.last_sign_in_at)}</dd>
          <dt>Last active</dt>
          <dd>{formatDate(u.last_active_at)}</dd>
          {u.external_id && (
            <>
              <dt>External ID</dt>
              <dd class="code">{u.external_id}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>
            {u.banned ? "Banned" : "Not banned"}
            {"; "}
            {u.locked
              ? u.lockout_expires_in_seconds !== null
                ? `locked, unlocks in ${formatDuration(u.lockout_expires_in_seconds)} (at ${formatDate(Date.now() + u.lockout_expires_in_seconds * 1000)})`
                : "locked until unlocked"
              : "not locked"}
            {u.verification_attempts_remaining !== null && !u.locked && `; ${u.verification_attempts_remaining} verification attempts remaining`}
          </dd>
        </dl>
        <div class="actions">
          {u.banned ? (
            <Button disabled={busy} onClick={() => post("/unban")}>
              Unban
            </Button>
          ) : (
            <Button variant="danger" disabled={busy} onClick={() => post("/ban")}>
              Ban
            </Button>
          )}
          {u.locked ? (
            <Button disabled={busy} onClick={() => post("/unlock")}>
              Unlock
            </Button>
          ) : (
            <Button disabled={busy} onClick={() => post("/lock")}>
              Lock
            </Button>
          )}
          <DeleteButton
            label="Delete user"
            title="Delete this user?"
            message={<p>This removes {name}, their identifiers, credentials, memberships and profile image. It cannot be undone.</p>}
            confirmText={primaryEmail ?? u.id}
            actionLabel="Delete user permanently"
            disabled={busy}
            onDelete={() => api("DELETE", `/users/${enc(u.id)}`)}
            onDone={() => navigate("/dashboard/", { replace: true })}
          />
        </div>
      </section>

      <section class="card" aria-labelledby="identifiers-title">
        <h2 id="identifiers-title">Identifiers</h2>
        <IdentifierList
          title="Email addresses"
          items={u.email_addresses.map((e) => ({
            id: e.id,
            text: e.email_address,
            verification: e.verification,
            primary: e.id === u.primary_email_address_id,
          }))}
        />
        <IdentifierList
          title="Phone numbers"
          items={u.phone_numbers.map((p) => ({
            id: p.id,
            text: p.phone_number,
            verification: p.verification,
            primary: p.id === u.primary_phone_number_id,
            extra: p.reserved_for_second_factor ? "second factor" : undefined,
          }))}
        />
        <h3>Username</h3>
        <p>{u.username ?? <span class="muted">None</span>}</p>
        <IdentifierList
          title="Web3 wallets"
          items={u.web3_wallets.map((w) => ({
            id: w.id,
            text: w.web3_wallet,
            verification: w.verification,
            primary: w.id === u.primary_web3_wallet_id,
          }))}
          onDelete={(wid, text) => ({ label: `Delete wallet ${text}`, run: () => del(`/web3_wallets/${enc(wid)}`) })}
          busy={busy}
        />
      </section>

      <section class="card" aria-labelledby="security-title">
        <h2 id="security-title">Password and two-factor</h2>
        <dl class="facts">
          <dt>Password</dt>
          <dd>{u.password_enabled ? `Set${u.password_last_updated_at ? ` (updated ${formatDate(u.password_last_updated_at)})` : ""}` : "Not set"}</dd>
          <dt>Authenticator app (TOTP)</dt>
          <dd>{u.totp_enabled ? "Enabled" : "Not enabled"}</dd>
          <dt>Backup codes</dt>
          <dd>{u.backup_code_enabled ? "Enabled" : "Not enabled"}</dd>
          <dt>Two-factor</dt>
          <dd>
            {u.two_factor_enabled ? "Enabled" : "Not enabled"}
            {u.mfa_enabled_at && u.two_factor_enabled ? ` since ${formatDate(u.mfa_enabled_at)}` : ""}
            {u.mfa_disabled_at && !u.two_factor_enabled ? ` (disabled ${formatDate(u.mfa_disabled_at)})` : ""}
          </dd>
        </dl>
        <div class="actions">
          <ConfirmButton label="Delete TOTP" disabled={busy || !u.totp_enabled} onConfirm={() => del("/totp")} />
          <ConfirmButton label="Delete backup codes" disabled={busy || !u.backup_code_enabled} onConfirm={() => del("/backup_code")} />
          <ConfirmButton label="Disable MFA" disabled={busy || !u.two_factor_enabled} onConfirm={() => del("/mfa")} />
        </div>
      </section>

      <ProfileImage user={u} busy={busy} act={act} />

      <section class="card" aria-labelledby="metadata-title">
        <h2 id="metadata-title">Metadata</h2>
        <MetadataEditor
          kinds={["public_metadata", "private_metadata", "unsafe_metadata"]}
          values={metadata}
          onSave={async (patch) => {
            const next = await api<User>("PATCH", `/users/${enc(u.id)}/metadata`, patch);
            user.setData(next);
            return { public_metadata: next.public_metadata, private_metadata: next.private_metadata, unsafe_metadata: next.unsafe_metadata };
          }}
        />
      </section>

      <section class="card" aria-labelledby="passkeys-title">
        <h2 id="passkeys-title">Passkeys</h2>
        {u.passkeys.length === 0 ? (
          <p class="muted">No passkeys.</p>
        ) : (
          <ul class="rows">
            {u.passkeys.map((p) => (
              <li key={p.id}>
                <span>
                  {p.name} <span class="muted">last used {formatDate(p.last_used_at)}</span>
                </span>
                <ConfirmButton label={`Delete passkey ${p.name}`} text="Delete" disabled={busy} onConfirm={() => del(`/passkeys/${enc(p.id)}`)} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="external-title">
        <h2 id="external-title">External accounts</h2>
        {u.external_accounts.length === 0 ? (
          <p class="muted">No external accounts.</p>
        ) : (
          <ul class="rows">
            {u.external_accounts.map((a) => (
              <li key={a.id}>
                <span>
                  <strong>{a.provider}</strong> {a.email_address ?? a.username ?? a.provider_user_id}
                </span>
                <ConfirmButton
                  label={`Delete ${a.provider} account`}
                  text="Delete"
                  disabled={busy}
                  onConfirm={() => del(`/external_accounts/${enc(a.id)}`)}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="orgs-title">
        <h2 id="orgs-title">Organizations</h2>
        <Loaded load={memberships} label="Loading memberships…">
          {(list) => (
            <>
              {list.data.length === 0 ? (
                <p class="muted">Not a member of any organization.</p>
              ) : (
                <ul class="rows">
                  {list.data.map((m) => (
                    <li key={m.id}>
                      <Link href={`/dashboard/organizations/${enc(m.organization.id)}`}>{m.organization.name}</Link>
                      <Badge>{m.role_name}</Badge>
                    </li>
                  ))}
                </ul>
              )}
              <Pager page={orgsPage} total={list.total_count} size={ORGS_PAGE_SIZE} param="orgs_page" of="organizations" />
            </>
          )}
        </Loaded>
      </section>
    </section>
  );
}

type IdentifierItem = { id: string; text: string; verification: Verification; primary: boolean; extra?: string };

function IdentifierList(props: {
  title: string;
  items: IdentifierItem[];
  busy?: boolean;
  onDelete?: (id: string, text: string) => { label: string; run: () => Promise<unknown> };
}) {
  return (
    <>
      <h3>{props.title}</h3>
      {props.items.length === 0 ? (
        <p class="muted">None</p>
      ) : (
        <ul class="rows">
          {props.items.map((item) => {
            const del = props.onDelete?.(item.id, item.text);
            return (
              <li key={item.id}>
                <span class="identifier">
                  <span class="code">{item.text}</span> {item.primary && <Badge tone="neutral">Primary</Badge>}{" "}
                  <VerificationBadge verification={item.verification} />
                  {item.extra && <Badge>{item.extra}</Badge>}
                </span>
                {del && <ConfirmButton label={del.label} text="Delete" disabled={props.busy} onConfirm={del.run} />}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

function ProfileImage(props: { user: User; busy: boolean; act: (run: () => Promise<unknown>) => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const u = props.user;
  return (
    <section class="card" aria-labelledby="image-title">
      <h2 id="image-title">Profile image</h2>
      <div class="image-row">
        <img class="avatar large" src={u.image_url} alt={`Current avatar of ${u.first_name ?? u.id}`} width={64} height={64} />
        <form
          class="actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (!file) return;
            const form = new FormData();
            form.append("file", file);
            props.act(() => api("POST", `/users/${enc(u.id)}/profile_image`, form)).then(() => setFile(null));
            (e.currentTarget as HTMLFormElement).reset();
          }}
        >
          <label for="profile-image-file">Image file (PNG, JPEG, GIF or WebP, up to 10 MB)</label>
          <input
            id="profile-image-file"
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          />
          <Button variant="primary" type="submit" disabled={props.busy || !file}>
            Upload image
          </Button>
          {u.has_image && (
            <ConfirmButton
              label="Remove image"
              disabled={props.busy}
              onConfirm={() => props.act(() => api("DELETE", `/users/${enc(u.id)}/profile_image`))}
            />
          )}
        </form>
      </div>
    </section>
  );
}
