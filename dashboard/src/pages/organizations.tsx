/**
 * Organizations: a searchable, paged table (GET /organizations with `query`, `limit`, `offset`,
 * `include_members_count`). Search and page live in the query string, so every state is a link.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Link, setQuery } from "../router";
import { pageOf, useLoad } from "../components/kit";
import { Button, ErrorMessage, Field, formatDate, Loading } from "../components/ui";
import { Pager } from "../components/pager";
import type { Organization, Paginated } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

const PAGE_SIZE = 20;

export default function OrganizationsPage(props: Props) {
  const search = props.query.get("query") ?? "";
  const page = pageOf(props.query);
  const [text, setText] = useState(search);

  // Debounced: the URL (and so the request) follows the box 300 ms after typing stops.
  useEffect(() => {
    if (text.trim() === search) return;
    const timer = setTimeout(() => setQuery({ query: text.trim() || null, page: null }), 300);
    return () => clearTimeout(timer);
  }, [text]);

  const list = useLoad(() => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE), include_members_count: "true" });
    if (search) q.set("query", search);
    return api<Paginated<Organization>>("GET", `/organizations?${q}`);
  }, [search, page]);

  const total = list.data?.total_count ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section class="page" aria-labelledby="orgs-title">
      <h1 id="orgs-title">Organizations</h1>
      <search class="org-search">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ query: text.trim() || null, page: null });
          }}
        >
          <Field label="Search organizations" hint="Name, slug or id; results follow as you type.">
            <input type="search" value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
          </Field>
        </form>
      </search>
      {list.error !== null && (
        <>
          <ErrorMessage error={list.error} />
          <Button onClick={list.reload}>Retry</Button>
        </>
      )}
      {list.loading && <Loading label="Loading organizations…" />}
      {list.data && (
        <>
          <p class="muted" role="status">
            {total} organization{total === 1 ? "" : "s"}
            {search ? ` matching “${search}”` : ""}
          </p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Slug</th>
                  <th scope="col">Members</th>
                  <th scope="col">Pending invitations</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {list.data.data.map((o) => (
                  <tr key={o.id}>
                    <td>
                      <span class="with-avatar">
                        <img class="avatar" src={o.image_url} alt="" width={28} height={28} />
                        <Link href={`/dashboard/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                      </span>
                    </td>
                    <td class="code">{o.slug}</td>
                    <td>{o.members_count ?? "—"}</td>
                    <td>{o.pending_invitations_count ?? "—"}</td>
                    <td>{formatDate(o.created_at)}</td>
                  </tr>
                ))}
                {list.data.data.length === 0 && (
                  <tr>
                    <td colSpan={5} class="muted">
                      No organizations.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} />
        </>
      )}
    </section>
  );
}
