import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { meteredD1, type DbMeter } from "./metered-d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/** A drizzle client; with a meter, every statement's D1 meta is added to it (Server-Timing). */
export function createDb(d1: D1Database, meter?: DbMeter): Db {
  return drizzle(meter ? meteredD1(d1, meter) : d1, { schema });
}
