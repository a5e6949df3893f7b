/**
 * The shell: checks the session at start (GET /dashboard/session), shows sign-in when there is
 * none or when any API call answers 401, and otherwise the header (nav, "Sign out") and the page
 * for the current route.
 */
import { useEffect, useState } from "preact/hooks";
import { type DashboardSession, onUnauthorized, session } from "./api";
import { Button, ErrorMessage, Loading } from "./components/ui";
import SignInPage from "./pages/sign-in";
import UsersPage from "./pages/users";
import UserPage from "./pages/user";
import CreateUserPage from "./pages/create-user";
import OrganizationsPage from "./pages/organizations";
import OrganizationPage from "./pages/organization";
import WebhooksPage from "./pages/webhooks";
import WebhookPage from "./pages/webhook";
import { BASE, Link, type Route, useRoute } from "./router";

type State = { kind: "checking" } | { kind: "signed-out"; expired: boolean } | { kind: "signed-in"; session: DashboardSession };

const nav = [
  { href: `${BASE}/`, label: "Users", match: ["users", "user", "create-user"] },
  { href: `${BASE}/organizations`, label: "Organizations", match: ["organizations", "organization"] },
  { href: `${BASE}/webhooks`, label: "Webhooks", match: ["webhooks", "webhook"] },
];

/** Pages not on this branch yet (dash-pages writes them); the lead wires them in on merge. */
function Placeholder(props: { route: Route }) {
  return (
    <section>
      <h1>Coming soon</h1>
      <p class="muted">The page for {props.route.path} is not part of this build.</p>
    </section>
  );
}

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.name) {
    case "users":
      return <UsersPage params={route.params} query={route.query} />;
    case "user":
      return <UserPage params={route.params} query={route.query} />;
    case "create-user":
      return <CreateUserPage params={route.params} query={route.query} />;
    case "organizations":
      return <OrganizationsPage params={route.params} query={route.query} />;
    case "organization":
      return <OrganizationPage params={route.params} query={route.query} />;
    case "webhooks":
      return <WebhooksPage params={route.params} query={route.query} />;
    case "webhook":
      return <WebhookPage params={route.params} query={route.query} />;
    case "not-found":
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <Link href={`${BASE}/`}>Back to users</Link>
          </p>
        </section>
      );
    default:
      return <Placeholder route={route} />;
  }
}

export function App() {
  const [state, setState] = useState<State>({ kind: "checking" });
  const [signOutError, setSignOutError] = useState<unknown>(null);
  const [signingOut, setSigningOut] = useState(false);
  const route = useRoute();

  useEffect(() => {
    session
      .get()
      .then((current) => setState({ kind: "signed-in", session: current }))
      .catch(() => setState({ kind: "signed-out", expired: false }));
    return onUnauthorized(() => setState((s) => (s.kind === "signed-in" ? { kind: "signed-out", expired: true } : s)));
  }, []);

  if (state.kind === "checking") return <Loading label="Checking your session…" />;
  if (state.kind === "signed-out") {
    return <SignInPage expired={state.expired} onSignedIn={(created) => setState({ kind: "signed-in", session: created })} />;
  }

  async function signOut() {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await session.end();
      setState({ kind: "signed-out", expired: false });
    } catch (error) {
      setSignOutError(error);
    } finally {
      setSigningOut(false);
    }
  }

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Users dashboard</span>
        <nav aria-label="Main">
          {nav.map((item) => (
            <Link key={item.href} href={item.href} aria-current={item.match.includes(route.name) ? "page" : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <Button class="sign-out" onClick={signOut} busy={signingOut}>
          Sign out
        </Button>
      </header>
      <ErrorMessage error={signOutError} />
      <main id="main" class="content">
        <Page route={route} />
      </main>
    </div>
  );
}
