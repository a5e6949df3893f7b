/**
 * Create a user (POST /users). An API error that names a parameter (`meta.param_name`, e.g.
 * form_identifier_exists with `email_address`) is shown at that field; any other at the top.
 */
import { useState } from "preact/hooks";
import { api } from "../api";
import { Link, navigate } from "../router";
import { useSubmit } from "../components/kit";
import { Button, ErrorMessage, Field } from "../components/ui";
import { JsonEditor, parseJsonObject } from "../components/json-editor";
import type { User } from "../components/types";
import "./pages.css";

type Props = { params: Record<string, string>; query: URLSearchParams };

type TextField = "email_address" | "phone_number" | "username" | "first_name" | "last_name" | "password";
type MetaField = "public_metadata" | "private_metadata" | "unsafe_metadata";

const META_LABELS: Record<MetaField, string> = {
  public_metadata: "Public metadata",
  private_metadata: "Private metadata",
  unsafe_metadata: "Unsafe metadata",
};
const FIELDS = ["email_address", "phone_number", "username", "first_name", "last_name", "password", ...Object.keys(META_LABELS)];

/** One identifier per line (or comma-separated), blanks dropped. */
function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export default function CreateUserPage(_props: Props) {
  const [values, setValues] = useState<Record<TextField, string>>({
    email_address: "",
    phone_number: "",
    username: "",
    first_name: "",
    last_name: "",
    password: "",
  });
  const [meta, setMeta] = useState<Record<MetaField, string>>({ public_metadata: "{}", private_metadata: "{}", unsafe_metadata: "{}" });
  const form = useSubmit(FIELDS);
  const fieldErrors = form.errors.field;

  const parsedMeta = Object.fromEntries((Object.keys(META_LABELS) as MetaField[]).map((k) => [k, parseJsonObject(meta[k])]));
  const metaInvalid = Object.values(parsedMeta).some((p) => !p.ok);

  const set = (key: TextField) => (e: Event) => {
    setValues({ ...values, [key]: (e.currentTarget as HTMLInputElement).value });
    form.clear(key);
  };

  async function submit(e: Event) {
    e.preventDefault();
    if (metaInvalid) return;
    const body: Record<string, unknown> = {};
    const emails = listOf(values.email_address);
    const phones = listOf(values.phone_number);
    if (emails.length) body.email_address = emails;
    if (phones.length) body.phone_number = phones;
    for (const key of ["username", "first_name", "last_name"] as const) if (values[key].trim()) body[key] = values[key].trim();
    if (values.password) body.password = values.password;
    for (const key of Object.keys(META_LABELS) as MetaField[]) {
      const p = parsedMeta[key];
      if (p.ok && Object.keys(p.value).length) body[key] = p.value;
    }
    const user = await form.submit(() => api<User>("POST", "/users", body));
    if (user) navigate(`/dashboard/users/${encodeURIComponent(user.id)}`);
  }

  return (
    <section class="page" aria-labelledby="create-title">
      <p class="breadcrumb">
        <Link href="/dashboard/">← Users</Link>
      </p>
      <h1 id="create-title">Create user</h1>
      <form class="card form" onSubmit={submit} noValidate>
        <ErrorMessage error={form.errors.top} />
        <Field label="Email addresses" hint="One per line; the first is primary." error={fieldErrors.email_address}>
          <textarea rows={2} autocomplete="off" value={values.email_address} onInput={set("email_address")} />
        </Field>
        <Field label="Phone number" hint="E.164, e.g. +15555550100." error={fieldErrors.phone_number}>
          <input type="tel" autocomplete="off" value={values.phone_number} onInput={set("phone_number")} />
        </Field>
        <Field label="Username" error={fieldErrors.username}>
          <input autocomplete="off" value={values.username} onInput={set("username")} />
        </Field>
        <div class="two-col">
          <Field label="First name" error={fieldErrors.first_name}>
            <input autocomplete="off" value={values.first_name} onInput={set("first_name")} />
          </Field>
          <Field label="Last name" error={fieldErrors.last_name}>
            <input autocomplete="off" value={values.last_name} onInput={set("last_name")} />
          </Field>
        </div>
        <Field label="Password" error={fieldErrors.password}>
          <input type="password" autocomplete="new-password" value={values.password} onInput={set("password")} />
        </Field>
        <fieldset class="metadata-grid">
          <legend>Metadata (optional)</legend>
          {(Object.keys(META_LABELS) as MetaField[]).map((key) => {
            const p = parsedMeta[key];
            return (
              <JsonEditor
                key={key}
                label={META_LABELS[key]}
                value={meta[key]}
                error={!p.ok ? p.error : fieldErrors[key] || null}
                onInput={(text) => setMeta({ ...meta, [key]: text })}
              />
            );
          })}
        </fieldset>
        <div class="actions">
          <Button variant="primary" type="submit" busy={form.busy} disabled={metaInvalid}>
            Create user
          </Button>
          <Link href="/dashboard/">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
