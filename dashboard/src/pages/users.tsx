/**
 * The users list (issue 17 §1): search as you type (debounced), filters (banned, created range,
 * organization), sortable columns through the API's order_by, and paging with the total from
 * /users/count. Every piece of state is in the query string, so each view has a deep link:
 *   ?query=ada&order=-created_at&page=2&banned=true&created_from=2026-01-01&created_to=2026-01-31&org=org_…
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useLoad } from "../components/kit";
import { pageCount, pageOf } from "../components/pager";
import { Badge, ErrorMessage, formatDate, Loading } from "../components/ui";
import { BASE, Link, setQuery } from "../router";

export const PAGE_SIZE = 20;
const SEARCH_DEBOUNCE_MS = 300;
const DEFAULT_ORDER = "-created_at";

interface Identifier {
  id: string;
  email_address?: string;
  phone_number?: string;
}

/** The fields of the API's User this page shows. */
export interface ListedUser {
  id: string;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  email_addresses: Identifier[];
  phone_numbers: Identifier[];
  banned: boolean;
  locked: boolean;
  created_at: number;
  last_sign_in_at: number | null;
}

const primary = (list: Identifier[], id: string | null, field: "email_address" | "phone_number") =>
  (list.find((item) => item.id === id) ?? list[0])?.[field] ?? null;

function fullName(user: ListedUser): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

/** A YYYY-MM-DD date (the date inputs' value) as epoch ms at the start of that local day. */
function dayStart(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = new Date(`${day}T00:00:00`).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** The API's filter parameters for the page's query string (shared by the list and the count). */
export function filterParams(query: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  const q = query.get("query")?.trim();
  if (q) params.set("query", q);
  const banned = query.get("banned");
  if (banned === "true" || banned === "false") params.set("banned", banned);
  const from = dayStart(query.get("created_from") ?? "");
  if (from !== undefined) params.set("created_at_after", String(from - 1));
  const to = dayStart(query.get("created_to") ?? "");
  // The whole "to" day is included: before the start of the next day.
  if (to !== undefined) params.set("created_at_before", String(to + 24 * 3600 * 1000));
  const org = query.get("org")?.trim();
  if (org) params.set("organization_id", org);
  return params;
}

/** `narrow: true` columns are hidden below 640 px; the name cell then shows the email and creation date. */
const COLUMNS: { label: string; field?: string; narrow?: boolean }[] = [
  { label: "Avatar" },
  { label: "Name", field: "first_name" },
  { label: "Email", field: "email_address", narrow: true },
  { label: "Phone", field: "phone_number", narrow: true },
  { label: "Username", field: "username", narrow: true },
  { label: "Created", field: "created_at", narrow: true },
  { label: "Status" },
];

function SortHeader(props: { label: string; field?: string; order: string; narrow?: boolean }) {
  const { field, order } = props;
  const className = props.narrow ? "hide-narrow" : undefined;
  if (!field)
    return (
      <th scope="col" class={className}>
        {props.label === "Avatar" ? <span class="visually-hidden">Avatar</span> : props.label}
      </th>
    );
  const current = order.replace(/^[-+]/, "") === field;
  const descending = current && order.startsWith("-");
  // A click sorts ascending first, then flips; created_at starts newest first.
  const next = current ? (descending ? `+${field}` : `-${field}`) : field === "created_at" ? "-created_at" : `+${field}`;
  return (
    <th scope="col" class={className} aria-sort={current ? (descending ? "descending" : "ascending") : "none"}>
      <button
        type="button"
        class="sort-button"
        aria-label={`Sort by ${props.label.toLowerCase()}${current ? (descending ? ", now descending" : ", now ascending") : ""}`}
        onClick={() => setQuery({ order: next === DEFAULT_ORDER ? null : next, page: null })}
      >
        {props.label}
        <span aria-hidden="true">{current ? (descending ? " ▼" : " ▲") : ""}</span>
      </button>
    </th>
  );
}

function UserRow(props: { user: ListedUser }) {
  const { user } = props;
  const name = fullName(user);
  const email = primary(user.email_addresses, user.primary_email_address_id, "email_address");
  const href = `${BASE}/users/${encodeURIComponent(user.id)}`;
  return (
    <tr>
      <td>
        <img class="avatar" src={user.image_url} alt="" width={32} height={32} loading="lazy" />
      </td>
      <td>
        <Link href={href} class="user-name">
          {name || user.username || email || user.id}
        </Link>
        <div class="cell-sub">{user.id}</div>
        <div class="cell-sub show-narrow">
          {email ?? user.username ?? ""}
          <br />
          Created {formatDate(user.created_at)}
        </div>
      </td>
      <td class="cell-wrap hide-narrow">{email ?? "—"}</td>
      <td class="hide-narrow">{primary(user.phone_numbers, user.primary_phone_number_id, "phone_number") ?? "—"}</td>
      <td class="hide-narrow">{user.username ?? "—"}</td>
      <td class="hide-narrow">{formatDate(user.created_at)}</td>
      <td>
        <div class="badges">
          {user.banned && <Badge tone="danger">Banned</Badge>}
          {user.locked && <Badge tone="warning">Locked</Badge>}
          {!user.banned && !user.locked && <span class="muted">Active</span>}
        </div>
      </td>
    </tr>
  );
}

export default function UsersPage(props: { params: Record<string, string>; query: URLSearchParams }) {
  const { query } = props;
  const order = query.get("order") ?? DEFAULT_ORDER;
  const page = pageOf(query);
  const filters = filterParams(query).toString();
  const [search, setSearch] = useState(query.get("query") ?? "");

  // Back/forward or a deep link changes ?query: show it in the box.
  const urlSearch = query.get("query") ?? "";
  useEffect(() => setSearch(urlSearch), [urlSearch]);

  // Debounced search: the URL (and so the request) changes once typing pauses.
  useEffect(() => {
    if (search === urlSearch) return;
    const timer = setTimeout(() => setQuery({ query: search.trim() === "" ? null : search, page: null }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  // The page of users and the total for the pager, together; the newest request wins.
  const { data, error, loading } = useLoad(async () => {
    const list = new URLSearchParams(filters);
    list.set("limit", String(PAGE_SIZE));
    list.set("offset", String((page - 1) * PAGE_SIZE));
    list.set("order_by", order);
    const [users, count] = await Promise.all([
      api<ListedUser[]>("GET", `/users?${list}`),
      api<{ total_count: number }>("GET", `/users/count${filters ? `?${filters}` : ""}`),
    ]);
    return { users, total: count.total_count };
  }, [filters, order, page]);

  const total = data?.total ?? 0;
  const pages = pageCount(total, PAGE_SIZE);
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  return (
    <section aria-labelledby="users-title">
      <div class="list-head">
        <h1 id="users-title">Users</h1>
        <Link href={`${BASE}/users/new`} class="btn btn-primary">
          New user
        </Link>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is the landmark every screen reader knows; the <search> element is newer than some browsers we serve */}
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field search">
          <label for="users-search">Search users</label>
          <input
            id="users-search"
            type="search"
            value={search}
            placeholder="Name, email, phone, username or id"
            autocomplete="off"
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="users-banned">Banned</label>
          <select
            id="users-banned"
            value={query.get("banned") ?? ""}
            onChange={(e) => setQuery({ banned: e.currentTarget.value || null, page: null })}
          >
            <option value="">Any</option>
            <option value="true">Banned only</option>
            <option value="false">Not banned</option>
          </select>
        </div>
        <div class="field">
          <label for="users-created-from">Created from</label>
          <input
            id="users-created-from"
            type="date"
            value={query.get("created_from") ?? ""}
            onChange={(e) => setQuery({ created_from: e.currentTarget.value || null, page: null })}
          />
        </div>
        <div class="field">
          <label for="users-created-to">Created to</label>
          <input
            id="users-created-to"
            type="date"
            value={query.get("created_to") ?? ""}
            onChange={(e) => setQuery({ created_to: e.currentTarget.value || null, page: null })}
          />
        </div>
        <div class="field">
          <label for="users-org">Organization ID</label>
          <input
            id="users-org"
            type="text"
            placeholder="org_…"
            autocomplete="off"
            value={query.get("org") ?? ""}
            onChange={(e) => setQuery({ org: e.currentTarget.value.trim() || null, page: null })}
          />
        </div>
      </form>

      <ErrorMessage error={error} />
      {loading && !data && <Loading label="Loading users…" />}
      {data && (
        <>
          <div class="table-wrap" aria-busy={loading}>
            <table aria-labelledby="users-title" aria-describedby="users-range">
              <thead>
                <tr>
                  {COLUMNS.map((column) => (
                    <SortHeader key={column.label} label={column.label} field={column.field} order={order} narrow={column.narrow} />
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.users.map((user) => (
                  <UserRow key={user.id} user={user} />
                ))}
              </tbody>
            </table>
            {data.users.length === 0 && <p class="empty">No users match.</p>}
          </div>
          <nav class="pager" aria-label="Pages">
            <p id="users-range" aria-live="polite">
              {loading ? "Loading…" : `${first}–${last} of ${total} users`}
            </p>
            <div class="pager-buttons">
              <button
                type="button"
                class="btn"
                disabled={page <= 1 || loading}
                onClick={() => setQuery({ page: page - 1 > 1 ? String(page - 1) : null })}
              >
                Previous page
              </button>
              <span class="muted">
                Page {page} of {pages}
              </span>
              <button type="button" class="btn" disabled={page >= pages || loading} onClick={() => setQuery({ page: String(page + 1) })}>
                Next page
              </button>
            </div>
          </nav>
        </>
      )}
    </section>
  );
}
