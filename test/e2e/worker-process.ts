/**
 * Starts the Worker the way a user does (`wrangler dev`, local D1/R2/Durable Object state)
 * in its own process group, on a free port, with fresh state in a temporary directory.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

export interface WorkerProcess {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
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

/** Starts `wrangler dev` with the given vars; resolves once it answers HTTP. */
export async function startWorker(vars: Record<string, string>): Promise<WorkerProcess> {
  const persist = mkdtempSync(join(tmpdir(), "clerk-users-e2e-"));
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}\n${migrate.stdout}`);

  const port = await freePort();
  // A free inspector port too, so several workers (and parallel checkouts) can run at once.
  const inspectorPort = await freePort();
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persist,
    "--show-interactive-dev-session=false",
  ];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child: ChildProcess = spawn(WRANGLER, args, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/v1/users/count`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        stopGroup(child);
        throw new Error(`wrangler dev did not start in 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    async stop() {
      stopGroup(child);
      await new Promise((r) => setTimeout(r, 200));
      rmSync(persist, { recursive: true, force: true });
    },
  };
}

function stopGroup(child: ChildProcess) {
  // Killing only the npx/wrangler parent leaves workerd running: stop the whole group.
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}
