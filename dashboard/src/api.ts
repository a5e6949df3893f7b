/**
 * The dashboard's only way to the data: the same /v1 API every client uses (issue 17 §2), called
 * with the session cookie (same-origin) instead of a Bearer key. Errors come back as Clerk's
 * error envelope and are thrown as ApiError so pages can show them next to the field they name.
 */

export type ClerkError = { code: string; message: string; long_message?: string; meta?: { param_name?: string } };

export class ApiError extends Error {
  status: number;
  errors: ClerkError[];
  constructor(status: number, errors: ClerkError[]) {
    const first = errors[0];
    super(first?.long_message ?? first?.message ?? `Request failed (HTTP ${status})`);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request answers 401 (the session expired or was ended): the app shows sign-in. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorsOf(response: Response): Promise<ClerkError[]> {
  try {
    const body = (await response.json()) as { errors?: ClerkError[] };
    if (Array.isArray(body?.errors)) return body.errors;
  } catch {
    // Not JSON (e.g. a proxy's error page): fall through to a generic error.
  }
  return [{ code: "unexpected_response", message: `Request failed (HTTP ${response.status})` }];
}

/** Sends one request to `url` (JSON or multipart body) and returns the parsed JSON, or throws ApiError. */
export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, [{ code: "network_error", message: "The server could not be reached. Check your connection and try again." }]);
  }
  if (!response.ok) {
    const errors = await errorsOf(response);
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    throw new ApiError(response.status, errors);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Calls `/v1${path}`, e.g. `api("GET", "/users?query=ada&limit=20")`. */
export async function api<T>(method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  return request<T>(method, `/v1${path}`, body);
}

export interface DashboardSession {
  object: "dashboard_session";
  expires_at: number;
}

/** The session API (README, Dashboard): sign in with a secret key, check, sign out. */
export const session = {
  get: () => request<DashboardSession>("GET", "/dashboard/session"),
  create: (secretKey: string) => request<DashboardSession>("POST", "/dashboard/session", { secret_key: secretKey }),
  end: () => request<void>("DELETE", "/dashboard/session"),
};
