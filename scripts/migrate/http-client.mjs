/**
 * The CLI's client for the API: `POST /v1/users/import`, `GET /v1/users/count` and
 * `GET /v1/users/export`, with the waiting and retrying a long migration needs:
 *
 * - 429: the server refused the whole batch and says when to come back (`Retry-After`, RFC 9110
 *   §10.2.3: seconds or an HTTP date; this API's import also sends the exact wait in
 *   `Retry-After-Ms`, used when present, so no wait is rounded up to a whole second). When its X-RateLimit-Remaining admits at least a tenth of
 *   the batch, that part is sent at once and the rest after; otherwise the client waits that long
 *   and sends the same batch again, and holds every other request back until then too, since the
 *   budget is the instance's.
 * - A network error, a timeout or a 5xx: sent again after a growing delay (a 503's Retry-After
 *   wins). Resending is safe: a user whose id the server already has answers `exists`.
 * - 413, or 422 form_param_array_size_exceeded on `users`: the batch is larger than the server's
 *   body limit or its whole import budget; it is split in halves, each sent.
 * - 401/403/404 stop the run (a wrong key or URL fails every batch the same way).
 *
 * `sleep` and `now` are parameters so tests control time instead of waiting for it.
 */

/** An answer that ends the whole run: the key is refused, the route is missing, the server never answers. */
export class FatalError extends Error {
  /** @param {string} message @param {{ status?: number, code?: string }} [details] */
  constructor(message, details = {}) {
    super(message);
    this.name = "FatalError";
    this.status = details.status;
    this.code = details.code;
  }
}

/** A batch the server refused as a whole, or that kept failing: each of its users failed with this. */
export class BatchError extends Error {
  /** @param {string} code @param {string} message @param {number} [status] */
  constructor(code, message, status) {
    super(message);
    this.name = "BatchError";
    this.code = code;
    this.status = status;
  }
}

const defaultSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds a `Retry-After` value asks to wait: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3), or undefined when absent or unreadable.
 * @param {string | null} value
 * @param {number} nowMs
 */
export function retryAfterMs(value, nowMs) {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Milliseconds a 429 asks to wait: the exact `Retry-After-Ms` when present and readable, else
 * `Retry-After`, else undefined.
 * @param {Headers} headers
 * @param {number} nowMs
 */
export function rateLimitWaitMs(headers, nowMs) {
  const exact = headers.get("retry-after-ms")?.trim();
  if (exact && /^\d+$/.test(exact)) return Number(exact);
  return retryAfterMs(headers.get("retry-after"), nowMs);
}

/**
 * The first Clerk error of a response body, or a stand-in naming the status.
 * @param {string} text
 * @param {number} status
 * @returns {{ code: string, message: string }}
 */
function clerkError(text, status) {
  try {
    const first = JSON.parse(text)?.errors?.[0];
    if (first && typeof first.code === "string") {
      return { code: first.code, message: String(first.long_message || first.message || first.code) };
    }
  } catch {
    // not JSON: fall through
  }
  return { code: `http_${status}`, message: `HTTP ${status}` };
}

/**
 * One failed user's code and message from the result's `errors` (Clerk error objects): the first
 * error's code, every error's long message, each with the parameter it names.
 * @param {unknown} errors
 * @returns {{ code: string, message: string }}
 */
export function describeErrors(errors) {
  if (!Array.isArray(errors) || errors.length === 0) return { code: "unknown", message: "the server gave no error for this user" };
  const parts = errors.map((error) => {
    const text = String(error?.long_message || error?.message || error?.code || "error");
    const param = error?.meta?.param_name;
    return param && !text.includes(param) ? `${text} (${param})` : text;
  });
  return { code: String(errors[0]?.code ?? "unknown"), message: parts.join("; ") };
}

/**
 * @param {{
 *   url: string,
 *   key: string,
 *   fetch?: typeof fetch,
 *   sleep?: (ms: number) => Promise<void>,
 *   now?: () => number,
 *   timeoutMs?: number,
 *   maxAttempts?: number,
 *   baseDelayMs?: number,
 *   maxDelayMs?: number,
 *   maxRateLimitWaits?: number,
 *   signal?: AbortSignal,
 *   onWait?: (event: { reason: "rate_limited" | "retry", ms: number, detail: string }) => void,
 * }} options
 */
export function createApiClient(options) {
  const base = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRateLimitWaits = options.maxRateLimitWaits ?? 1000;
  const onWait = options.onWait ?? (() => {});
  const headers = {
    Authorization: `Bearer ${options.key}`,
    Accept: "application/json",
    "User-Agent": "clerk-users-edge-cli",
  };
  // The instance's import budget is shared: after a 429 nobody sends before this time.
  let pausedUntil = 0;

  async function waitForPause() {
    for (let wait = pausedUntil - now(); wait > 0; wait = pausedUntil - now()) await sleep(wait);
  }

  /**
   * One request with retries of network errors, timeouts and 5xx, and waits on 429. Returns the
   * first answer that is neither (or the last 5xx once the attempts are spent), with its body
   * read as text, unless `stream` is set: then the body is left to the caller and the timeout
   * covers only the wait for the response's headers.
   * @param {string} path
   * @param {RequestInit} init
   * @param {{ stream?: boolean, sendPartOn429?: (response: Response) => boolean }} [mode]
   *   sendPartOn429: a 429 for which it answers true is returned to the caller (which sends what
   *   fits now) instead of waited out
   * @returns {Promise<{ response: Response, text: string }>}
   */
  async function request(path, init, mode = {}) {
    let attempt = 0;
    let rateLimited = 0;
    for (;;) {
      await waitForPause();
      attempt++;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
      const signal = options.signal ? AbortSignal.any([timeout.signal, options.signal]) : timeout.signal;
      /** @type {Response} */
      let response;
      let text = "";
      try {
        response = await doFetch(`${base}${path}`, { ...init, headers: { ...headers, ...init.headers }, signal });
        if (!mode.stream || response.status !== 200) text = await response.text();
      } catch (error) {
        if (options.signal?.aborted) throw new FatalError("interrupted");
        const detail = describeNetworkError(error);
        if (attempt >= maxAttempts) throw new FatalError(`${init.method ?? "GET"} ${base}${path} failed ${attempt} times; the last: ${detail}`);
        const ms = backoff(attempt);
        onWait({ reason: "retry", ms, detail });
        await sleep(ms);
        continue;
      } finally {
        clearTimeout(timer);
      }
      if (response.status === 429 && mode.sendPartOn429?.(response)) return { response, text };
      if (response.status === 429) {
        rateLimited++;
        if (rateLimited > maxRateLimitWaits)
          throw new FatalError(`still rate limited after ${maxRateLimitWaits} waits`, { status: 429, code: "too_many_requests" });
        const ms = rateLimitWaitMs(response.headers, now()) ?? backoff(Math.min(rateLimited, 6));
        pausedUntil = Math.max(pausedUntil, now() + ms);
        onWait({ reason: "rate_limited", ms, detail: "429 too_many_requests" });
        attempt--; // a 429 is the server pacing us, not a failure
        continue;
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        const ms = Math.max(backoff(attempt), retryAfterMs(response.headers.get("retry-after"), now()) ?? 0);
        onWait({ reason: "retry", ms, detail: `${response.status} ${clerkError(text, response.status).code}` });
        await sleep(ms);
        continue;
      }
      return { response, text };
    }
  }

  function backoff(attempt) {
    return Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  }

  /** Throws FatalError for answers that would be the same for every request of the run. */
  function failIfFatal(response, text, what) {
    if ([401, 403, 404, 405].includes(response.status)) {
      const error = clerkError(text, response.status);
      const hint =
        response.status === 404 || response.status === 405
          ? ` (is ${base} this API, and does its version have ${what}?)`
          : response.status === 401
            ? " (check --key, or CLERK_SECRET_KEY in .dev.vars)"
            : "";
      throw new FatalError(`${what}: ${response.status} ${error.code}: ${error.message}${hint}`, { status: response.status, code: error.code });
    }
  }

  /**
   * Imports one batch. Returns one result per user, in order, as the server gave them
   * (`{ index, id, status, errors? }`); a batch refused whole throws BatchError.
   * @param {Record<string, unknown>[]} users
   * @returns {Promise<{ index: number, id: string | null, status: string, errors?: unknown[] }[]>}
   */
  async function importUsers(users) {
    const { response, text } = await request(
      "/v1/users/import",
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ users }),
      },
      { sendPartOn429: (answer) => budgetLeft(answer) >= Math.ceil(users.length / 10) },
    );
    failIfFatal(response, text, "POST /v1/users/import");
    if (response.status === 429) {
      // The budget has room for part of the batch now (X-RateLimit-Remaining, in users): send
      // that part at once rather than wait the whole-second Retry-After for all of it, which
      // left the budget idle for up to a second per wait.
      const now = budgetLeft(response);
      const first = await importUsers(users.slice(0, now));
      const second = await importUsers(users.slice(now));
      return [...first, ...second.map((result) => ({ ...result, index: result.index + now }))];
    }
    if (tooLarge(response.status, text) && users.length > 1) {
      // Too large for the server's body limit, or for its whole import budget: send each half on its own.
      const half = Math.ceil(users.length / 2);
      const first = await importUsers(users.slice(0, half));
      const second = await importUsers(users.slice(half));
      return [...first, ...second.map((result) => ({ ...result, index: result.index + half }))];
    }
    if (response.status !== 200) {
      const error = clerkError(text, response.status);
      throw new BatchError(error.code, error.message, response.status);
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new FatalError("POST /v1/users/import answered 200 with a body that is not JSON");
    }
    const results = body?.results;
    if (body?.object !== "user_import" || !Array.isArray(results) || results.length !== users.length) {
      throw new FatalError(`POST /v1/users/import answered 200 without one result per user (sent ${users.length})`);
    }
    const ordered = [...results].sort((a, b) => a?.index - b?.index);
    if (!ordered.every((result, i) => result?.index === i))
      throw new FatalError("POST /v1/users/import answered 200 with result indexes that do not match the users sent");
    return ordered;
  }

  /** Users the import budget admits now, from a 429's X-RateLimit-Remaining (0 when absent). */
  function budgetLeft(response) {
    const left = Number(response.headers.get("x-ratelimit-remaining"));
    return Number.isSafeInteger(left) && left > 0 ? left : 0;
  }

  /**
   * The number of users (`GET /v1/users/count` with the given filters).
   * @param {Record<string, string>} [query]
   */
  async function countUsers(query = {}) {
    const { response, text } = await request(`/v1/users/count${queryString(query)}`, { method: "GET" });
    failIfFatal(response, text, "GET /v1/users/count");
    if (response.status !== 200) {
      const error = clerkError(text, response.status);
      throw new BatchError(error.code, error.message, response.status);
    }
    const total = JSON.parse(text)?.total_count;
    if (!Number.isSafeInteger(total)) throw new BatchError("invalid_response", "GET /v1/users/count answered without total_count");
    return total;
  }

  /**
   * Opens the NDJSON export (`GET /v1/users/export`); the caller reads the body. Waits and
   * retries like every request until the stream starts; a stream that breaks later is the
   * caller's to report.
   * @param {Record<string, string>} [query]
   * @returns {Promise<Response>}
   */
  async function openExport(query = {}) {
    const { response, text } = await request(
      `/v1/users/export${queryString(query)}`,
      { method: "GET", headers: { Accept: "application/x-ndjson" } },
      { stream: true },
    );
    if (response.status === 403) {
      // 403 here is the server refusing credentials (EXPORT_CREDENTIALS), not a bad key.
      const error = clerkError(text, 403);
      throw new FatalError(`GET /v1/users/export: 403 ${error.code}: ${error.message}`, { status: 403, code: error.code });
    }
    failIfFatal(response, text, "GET /v1/users/export");
    if (response.status !== 200) {
      const error = clerkError(text, response.status);
      throw new FatalError(`GET /v1/users/export: ${response.status} ${error.code}: ${error.message}`, { status: response.status, code: error.code });
    }
    return response;
  }

  return { importUsers, countUsers, openExport };
}

/**
 * A batch the server can never take as it is: over its body limit (413), or more users than its
 * whole import budget (422 form_param_array_size_exceeded on `users`).
 */
function tooLarge(status, text) {
  if (status === 413) return true;
  if (status !== 422) return false;
  try {
    const first = JSON.parse(text)?.errors?.[0];
    return first?.code === "form_param_array_size_exceeded" && first?.meta?.param_name === "users";
  } catch {
    return false;
  }
}

function queryString(query) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A network error's cause in a few words (undici wraps it as `fetch failed`). */
function describeNetworkError(error) {
  if (error?.name === "TimeoutError" || error?.cause?.name === "TimeoutError") return "timed out";
  const cause = error?.cause;
  return cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ""}` : String(error?.message ?? error);
}
