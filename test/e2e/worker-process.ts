/**
 * Starts the Worker the way a user does (`wrangler dev`, local D1/R2/Durable Object state)
 * in its own process group, on a free port, with fresh state in a temporary directory.
 * The launcher itself is shared with the benchmarks (bench/worker-launcher.mjs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, freePort, startWrangler } from "../../bench/worker-launcher.mjs";

export { freePort };

export interface WorkerProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `wrangler dev` with the given vars; resolves once it answers HTTP. */
export async function startWorker(vars: Record<string, string>): Promise<WorkerProcess> {
  const persist = mkdtempSync(join(tmpdir(), "clerk-users-e2e-"));
  applyMigrations(persist);
  const worker = await startWrangler({ persistTo: persist, vars });
  return {
    url: worker.url,
    async stop() {
      await worker.stop();
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
