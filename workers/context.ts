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
}

export function createContext(env: Env, request: Request, meter: DbMeter = new DbMeter()): AppContext {
  return {
    env,
    config: readConfig(env),
    db: createDb(env.DB, meter),
    meter,
    origin: new URL(request.url).origin,
    now: () => Date.now(),
  };
}
