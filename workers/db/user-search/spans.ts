/**
 * Cutting a search into statements that each look at a bounded number of users.
 *
 * D1 runs one statement at a time per database, so one long statement stalls every other request.
 * The search documents' doc_ids (the FTS rowids; they follow created_at, workers/db/derived/search.ts)
 * are cut into spans of search_settings.span_docs to twice as many documents, kept by triggers
 * (workers/db/derived/search-spans.ts). A statement restricted to a group of spans touches at most
 * their documents, whatever the search; groups start at one span and grow or shrink with how
 * long the previous statement took (Chunker), so a cheap search needs few statements and an
 * expensive one never holds the database for long.
 *
 * doc_ids exceed 2^53, so they travel as decimal strings and are inlined as integer literals
 * (they are our own numbers, checked here), never as JS numbers.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import type { DbMeter } from "../metered-d1";
import { BUCKET_BITS, BUCKET_MASK, clampedCreatedAt } from "../derived/constants";

/**
 * A half-open doc_id range [lo, hi); an absent bound is unbounded. Decimal strings, or an SQL
 * expression (the first group of a search reads its span bound inside its own statement).
 */
export interface DocRange {
  lo?: string | SQL;
  hi?: string | SQL;
}

export interface Span {
  /** First doc_id of the span (decimal). */
  lo: string;
  docs: number;
}

/** One millisecond's documents (derived/constants.ts): doc_id >> BUCKET_BITS is the clamped created_at. */
const BITS = BigInt(BUCKET_BITS);
const MASK = BigInt(BUCKET_MASK);

const INTEGER = /^-?\d{1,19}$/;

/** A doc_id as an SQL integer literal (refuses anything that is not one). */
export function docIdLiteral(value: string): SQL {
  if (!INTEGER.test(value)) throw new Error(`not a doc_id: ${value}`);
  return sql.raw(value);
}

const bound = (value: string | SQL) => (typeof value === "string" ? docIdLiteral(value) : sql`(${value})`);

/** `column >= lo AND column < hi` for the bounds the range has. */
export function rangeConditions(column: SQL, range: DocRange): SQL[] {
  const out: SQL[] = [];
  if (range.lo !== undefined) out.push(sql`${column} >= ${bound(range.lo)}`);
  if (range.hi !== undefined) out.push(sql`${column} < ${bound(range.hi)}`);
  return out;
}

/**
 * The highest span, [its lo, ∞), bounded inside the statement that searches it: a search in the
 * default order (newest first) usually finds its page there without reading the spans first.
 */
export const HIGHEST_SPAN: DocRange = { lo: sql`select max(lo) from search_spans` };

/** First doc_id of the bucket `docId` is in. */
export function bucketStart(docId: string): string {
  return (BigInt(docId) & ~MASK).toString();
}

/** First doc_id of the bucket of users created at `createdAt` (clamped as the triggers clamp it). */
export function bucketOfCreatedAt(createdAt: number): string {
  return (BigInt(clampedCreatedAt(createdAt)) << BITS).toString();
}

/** First doc_id after the bucket `docId` is in. */
export function nextBucket(docId: string): string {
  return ((BigInt(docId) | MASK) + 1n).toString();
}

export const compareDocIds = (a: string, b: string) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Every span, lowest first (about one row per span_docs users). */
export async function readSpans(db: Db): Promise<Span[]> {
  const rows = await db.all<{ lo: string; docs: number }>(sql`select cast(lo as text) as lo, docs from search_spans order by lo`);
  return rows.map((r) => ({ lo: String(r.lo), docs: Number(r.docs) }));
}

/**
 * How much one statement takes on: starts small and doubles while statements come back fast,
 * halves when one was slow. "Fast" is D1's own execution time of the statement (the result's
 * meta.duration, summed by the request's meter), not the time the Worker waited: under load a
 * statement also waits in D1's queue behind other requests' statements, and judging by that wait
 * kept every search at its smallest chunks (a 10-connection benchmark of a search that needs 35
 * one-span statements ran 15× slower). Without a meter, or where D1 reports no duration, the
 * wait around the await is all there is, and it is used.
 */
export class Chunker {
  constructor(
    public size: number,
    private readonly min: number,
    private readonly max: number,
    private readonly meter?: DbMeter,
  ) {}

  /** Runs one statement and adjusts the size for the next from how long it took. */
  async run<T>(statement: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const executedBefore = this.meter?.durationMs ?? 0;
    const result = await statement();
    const waited = performance.now() - started;
    const executed = (this.meter?.durationMs ?? 0) - executedBefore;
    const elapsed = this.meter && this.meter.durationMs > 0 ? executed : waited;
    if (elapsed < CHUNK_GROW_BELOW_MS) this.size = Math.min(this.max, this.size * 2);
    else if (elapsed > CHUNK_SHRINK_ABOVE_MS) this.size = Math.max(this.min, Math.floor(this.size / 2));
    await yieldToOtherRequests();
    return result;
  }
}

/**
 * A statement that executed in less than this takes on twice as much next time, one slower than
 * CHUNK_SHRINK_ABOVE_MS half as much: statements stay around 10–40 ms, well inside the 100 ms
 * no request may hold D1 for, whatever else the machine is doing.
 */
export const CHUNK_GROW_BELOW_MS = 12;
export const CHUNK_SHRINK_ABOVE_MS = 40;

/**
 * Lets requests that arrived meanwhile run before this one's next statement. Local D1 lives in the
 * same workerd process and answers through the same event loop, and its answer's continuation
 * runs ahead of requests waiting to start: without a turn through the timer queue, a search of
 * fifty statements held every other request of the isolate for its whole length (measured: a
 * get-by-id sent during a 0.9 s search waited 0.9 s). Deployed, D1's answers come over the
 * network and this costs one event-loop turn.
 */
const yieldToOtherRequests = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The spans as consecutive ranges of `chunker.size` spans each (read anew for every group), in
 * doc_id order or its reverse, starting at the span that holds `from` (when given) and leaving
 * out the first `skip` spans.
 */
export function* spanGroups(spans: Span[], descending: boolean, chunker: Chunker, from?: string, skip = 0): Generator<DocRange> {
  const bounds = spans.map((s) => s.lo);
  if (bounds.length === 0) {
    // No span rows (they are derived data; scripts/rebuild-derived-data.sql restores them): one
    // unbounded range, still correct.
    yield {};
    return;
  }
  // Index of the span holding `from`: the last span whose lo ≤ from.
  let start = descending ? bounds.length - 1 : 0;
  if (from !== undefined) {
    const target = BigInt(from);
    start = 0;
    for (let i = 0; i < bounds.length; i++) if (BigInt(bounds[i]) <= target) start = i;
  }
  start += descending ? -skip : skip;
  const lowest = (i: number) => (i <= 0 ? undefined : bounds[i]);
  const above = (i: number) => (i + 1 < bounds.length ? bounds[i + 1] : undefined);
  if (descending) {
    for (let hiIndex = start; hiIndex >= 0; ) {
      const loIndex = Math.max(0, hiIndex - chunker.size + 1);
      yield { lo: lowest(loIndex), hi: above(hiIndex) };
      hiIndex = loIndex - 1;
    }
  } else {
    for (let loIndex = start; loIndex < bounds.length; ) {
      const hiIndex = Math.min(bounds.length - 1, loIndex + chunker.size - 1);
      yield { lo: lowest(loIndex), hi: above(hiIndex) };
      loIndex = hiIndex + 1;
    }
  }
}
