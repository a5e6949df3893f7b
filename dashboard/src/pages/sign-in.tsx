/**
 * Sign-in: the operator pastes one of the instance's secret keys; the server checks it once and
 * answers with an HttpOnly session cookie. The key is never stored by the page (the field is
 * cleared after every attempt, and the browser is asked not to autofill or remember it).
 */
import { useState } from "preact/hooks";
import { type DashboardSession, session } from "../api";
import { Button, errorText, Field } from "../components/ui";

export default function SignInPage(props: { onSignedIn: (session: DashboardSession) => void; expired?: boolean }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function submit(event: Event) {
    event.preventDefault();
    if (key.trim() === "") {
      setError("Enter one of this instance's secret keys (CLERK_SECRET_KEY).");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const created = await session.create(key.trim());
      setKey("");
      props.onSignedIn(created);
    } catch (caught) {
      setKey("");
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in" id="main">
      <form class="card sign-in-card" onSubmit={submit} noValidate>
        <h1>Users dashboard</h1>
        <p class="muted">Sign in with one of this instance's secret keys. The session lasts 8 hours.</p>
        {props.expired && !error && (
          <p class="notice" role="status">
            Your session has ended. Sign in again.
          </p>
        )}
        <Field label="Secret key" error={error}>
          <input type="password" name="secret_key" value={key} autocomplete="off" spellcheck={false} onInput={(e) => setKey(e.currentTarget.value)} />
        </Field>
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
    </main>
  );
}
