/**
 * What the HTTP benchmarks share (bench/run.mjs, bench/webhooks.mjs): the Worker's settings under
 * load, the body of the create-user scenario and the autocannon run.
 */
import autocannon from "autocannon";

export const SECRET_KEY = "sk_test_bench";
export const WORKER_VARS = {
  CLERK_SECRET_KEY: SECRET_KEY,
  CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  // Production costs: the bench measures what users would see.
  BCRYPT_COST: "10",
  // The create scenario must not meet the per-instance create limit.
  USER_CREATE_RATE_LIMIT: "1000000000",
};
export const HEADERS = { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" };

/** The n-th body of the create scenario: a new user with one email address and no password. */
export function createUserBody(n) {
  return {
    email_address: [`bench.${process.pid}.${Date.now().toString(36)}.${n}@bench.example.com`],
    first_name: "Bench",
    last_name: "Müller",
  };
}

/**
 * autocannon at fixed concurrency and duration; each request built by the scenario
 * (`method`, `path()`, optional `body()`), each response handed to `scenario.onResponse(status,
 * body, headers)` when given (header names lower-cased).
 */
export async function load(url, scenario, opts) {
  const result = await autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    headers: HEADERS,
    requests: [
      {
        method: scenario.method,
        setupRequest: (req) => ({ ...req, path: scenario.path(), body: scenario.body ? JSON.stringify(scenario.body()) : undefined }),
        // autocannon passes the header names as sent; the scenario gets them lower-cased.
        ...(scenario.onResponse
          ? {
              onResponse: (status, body, _context, headers) =>
                scenario.onResponse(status, body, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))),
            }
          : {}),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}
