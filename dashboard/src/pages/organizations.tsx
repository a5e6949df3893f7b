/**
 * Organizations: a searchable, paged table (GET /organizations with `query`, `limit`, `offset`,
 * `include_members_count`) and a form to create one (POST /organizations). Search and page live
 * in the query string, so every state is a link.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate, setQuery } from "../router";
import { Loaded, Table, useLoad, useSubmit } from "../components/kit";
import { Button, ErrorMessage, Field, formatDate } from "../components/ui";
import { Pager, pageOf } from "../components/pager";
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
      <Loaded load={list} label="Loading organizations…">
        {(found) => (
          <>
            <p class="muted" role="status">
              {found.total_count} organization{found.total_count === 1 ? "" : "s"}
              {search ? ` matching “${search}”` : ""}
            </p>
            <Table
              columns={["Name", "Slug", "Members", "Pending invitations", "Created"]}
              items={found.data}
              empty="No organizations."
              row={(o) => (
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
              )}
            />
            <Pager page={page} total={found.total_count} size={PAGE_SIZE} />
          </>
        )}
      </Loaded>
      <CreateOrganization />
    </section>
  );
}

/**
 * Creates an organization (name; slug and creator optional: the API derives a slug from the name
 * and makes the creator its admin) and opens it. An error naming `name`, `slug` or `created_by`
 * (e.g. form_identifier_exists for a taken slug) shows at that field.
 */
function CreateOrganization() {
  const [values, setValues] = useState({ name: "", slug: "", created_by: "" });
  const form = useSubmit(["name", "slug", "created_by"]);
  const input = (key: keyof typeof values) => ({
    value: values[key],
    onInput: (e: Event) => {
      setValues({ ...values, [key]: (e.currentTarget as HTMLInputElement).value });
      form.clear(key);
    },
  });
  return (
    <section class="card" aria-labelledby="create-org-title">
      <h2 id="create-org-title">New organization</h2>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body: Record<string, string> = { name: values.name };
          if (values.slug.trim()) body.slug = values.slug.trim();
          if (values.created_by.trim()) body.created_by = values.created_by.trim();
          const created = await form.submit(() => api<Organization>("POST", "/organizations", body));
          if (created) navigate(`/dashboard/organizations/${encodeURIComponent(created.id)}`);
        }}
      >
        <ErrorMessage error={form.errors.top} />
        <Field label="Organization name" error={form.errors.field.name}>
          <input autocomplete="off" {...input("name")} />
        </Field>
        <div class="two-col">
          <Field label="Slug" hint="Optional; lowercase letters, digits and dashes. Made from the name when empty." error={form.errors.field.slug}>
            <input autocomplete="off" spellcheck={false} {...input("slug")} />
          </Field>
          <Field label="Created by (user ID)" hint="Optional; that user becomes its admin." error={form.errors.field.created_by}>
            <input autocomplete="off" spellcheck={false} placeholder="user_…" {...input("created_by")} />
          </Field>
        </div>
        <div class="actions">
          <Button variant="primary" type="submit" busy={form.busy} disabled={!values.name.trim()}>
            Create organization
          </Button>
        </div>
      </form>
    </section>
  );
}
