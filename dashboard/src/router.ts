/**
 * Pathname routing under /dashboard with the History API. Everything a user could bookmark
 * (search, sort, page, filters) lives in the query string, so every state has a deep link.
 */
import { type ComponentChildren, h } from "preact";
import { useEffect, useState } from "preact/hooks";

export const BASE = "/dashboard";

export interface Route {
  /** Path below /dashboard, e.g. "/users/user_123" ("/" for the users list). */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Which page: "users", "user", "create-user", "organizations", "organization", "webhooks", "webhook", or "not-found". */
  name: string;
}

const patterns: [RegExp, string, string[]][] = [
  [/^\/$/, "users", []],
  [/^\/users\/new$/, "create-user", []],
  [/^\/users\/([^/]+)$/, "user", ["id"]],
  [/^\/organizations$/, "organizations", []],
  [/^\/organizations\/([^/]+)$/, "organization", ["id"]],
  [/^\/webhooks$/, "webhooks", []],
  [/^\/webhooks\/([^/]+)$/, "webhook", ["id"]],
];

/** Matches a location against the dashboard's routes. */
export function matchRoute(pathname: string, search: string): Route {
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (path === "") path = "/";
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const query = new URLSearchParams(search);
  for (const [pattern, name, keys] of patterns) {
    const match = pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    keys.forEach((key, i) => {
      params[key] = decodeURIComponent(match[i + 1]);
    });
    return { path, params, query, name };
  }
  return { path, params: {}, query, name: "not-found" };
}

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
if (typeof window !== "undefined") window.addEventListener("popstate", notify);

/** Goes to `href` (absolute, e.g. "/dashboard/users/user_1") without a reload. */
export function navigate(href: string, opts?: { replace?: boolean }): void {
  if (opts?.replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  notify();
  if (!opts?.replace) window.scrollTo(0, 0);
}

/** Changes query parameters in place (replaceState; null deletes a key). */
export function setQuery(update: Record<string, string | null>): void {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(update)) {
    if (value === null || value === "") query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}`);
  notify();
}

/** The current route; re-renders on navigate, setQuery and back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => matchRoute(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(matchRoute(location.pathname, location.search));
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
}

/** An <a> that navigates without a reload (modified clicks open new tabs as usual). */
export function Link(props: { href: string; class?: string; children?: ComponentChildren; "aria-current"?: "page" | undefined }) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return h("a", { href: props.href, class: props.class, "aria-current": props["aria-current"], onClick }, props.children);
}
