/**
 * Starts a Worker the way a user does (`wrangler dev`, local state) in its own process group,
 * on a free port. Shared by the e2e tests (test/e2e/worker-process.ts) and the benchmarks.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
const QUIET_ENV = { CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

/** A TCP port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** `wrangler d1 migrations apply DB --local --persist-to <dir>`; throws with its output on failure. */
export function applyMigrations(persistTo) {
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...QUIET_ENV },
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}\n${migrate.stdout}`);
}

/**
 * wrangler refuses to start when wrangler.toml's [assets] directory is missing: build the
 * dashboard once if this checkout has not (`npm run build`; npm start and npm test run it anyway).
 */
export function ensureDashboardBuilt() {
  if (existsSync(join(ROOT, "dashboard/dist/dashboard/index.html"))) return;
  const build = spawnSync(process.execPath, [join(ROOT, "scripts/build-dashboard.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`dashboard build failed: ${build.stderr}\n${build.stdout}`);
}

/**
 * Starts `wrangler dev` and resolves once it answers HTTP on `readyPath`.
 * `onOutput` gets wrangler's output as it comes (e.g. to time its log lines).
 * @param {{ persistTo?: string, vars?: Record<string, string>, config?: string, readyPath?: string, timeoutMs?: number, onOutput?: (chunk: string) => void }} options
 * @returns {Promise<{ url: string, stop(): Promise<void> }>}
 */
export async function startWrangler(options = {}) {
  ensureDashboardBuilt();
  const port = await freePort();
  // A free inspector port too, so several workers (and parallel checkouts) can run at once.
  const inspectorPort = await freePort();
  const args = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort)];
  args.push("--show-interactive-dev-session=false");
  if (options.config) args.push("--config", options.config);
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push("--var", `${key}:${value}`);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...QUIET_ENV },
  });
  let output = "";
  const collect = (d) => {
    output += d;
    options.onOutput?.(String(d));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}${options.readyPath ?? "/v1/users/count"}`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        stopGroup(child);
        throw new Error(`wrangler dev did not start in ${timeoutMs / 1000} s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    /** What wrangler has printed so far (for a failure report). */
    output: () => output,
    async stop() {
      stopGroup(child);
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}

function stopGroup(child) {
  // Killing only the wrangler parent leaves workerd running: stop the whole group.
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * One JSON request to a benchmarked Worker over plain fetch: status, parsed body (text when it is
 * not JSON) and the response headers.
 */
export async function requestJson(url, method, path, body, headers) {
  const send = () => fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let res;
  try {
    res = await send();
  } catch (error) {
    // A kept-alive connection the server closed while this process was busy (e.g. a native
    // baseline blocking the event loop for seconds) fails before the request is sent: once more
    // on a new connection.
    if (error?.cause?.code !== "UND_ERR_SOCKET" && error?.cause?.code !== "ECONNRESET") throw error;
    res = await send();
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}
