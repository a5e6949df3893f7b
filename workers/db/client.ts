import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { meteredD1, type DbMeter } from "./metered-d1";

export type Db = DrizzleD1Database;

/**
 * A drizzle client; with a meter, every statement's D1 meta is added to it (Server-Timing).
 * Built per request (the meter is per request), so it is made without `schema`: the relational
 * `db.query` API is unused, and passing the schema would rebuild its relation config each time.
 */
export function createDb(d1: D1Database, meter?: DbMeter): Db {
  const db = drizzle(meter ? meteredD1(d1, meter) : d1);
  if (meter) meters.set(db, meter);
  return db;
}

const meters = new WeakMap<Db, DbMeter>();

/** The meter of a client made with one (the request's D1 totals so far), if any. */
export const meterOf = (db: Db): DbMeter | undefined => meters.get(db);
