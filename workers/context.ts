/**
 * What every service receives: the database, parsed configuration, bindings and the clock.
 * Services never see Request/Response; routes build this once per request.
 */
import { createDb, type Db } from "./db/client";
import { DbMeter } from "./db/metered-d1";
import { readConfig, type Config, type Env } from "./env";

export interface AppContext {
  env: Env;
  config: Config;
  db: Db;
  /** D1 time and rows read/written by this request, reported in Server-Timing. */
  meter: DbMeter;
  /** Origin of the current request, for URLs that point back at this Worker. */
  origin: string;
  /** Milliseconds since the epoch. One clock for all rules, so tests can freeze it. */
  now(): number;
  /** Who asked for the change (webhook `event_attributes.http_request`). */
  client: { ip: string; userAgent: string };
  /** Keeps work going after the response (the runtime's waitUntil); failures are logged. */
  waitUntil(promise: Promise<unknown>): void;
}

export function createContext(
  env: Env,
  request: Request,
  meter: DbMeter = new DbMeter(),
  execution?: Pick<ExecutionContext, "waitUntil">,
): AppContext {
  return {
    env,
    config: readConfig(env),
    db: createDb(env.DB, meter),
    meter,
    origin: new URL(request.url).origin,
    now: () => Date.now(),
    client: { ip: request.headers.get("cf-connecting-ip") ?? "", userAgent: request.headers.get("user-agent") ?? "" },
    waitUntil: (promise) => {
      const settled = promise.catch((error) => console.error("background work failed", error instanceof Error ? error.message : String(error)));
      // Without an execution context (a test calling the handler) the promise still runs.
      execution?.waitUntil(settled);
    },
  };
}
