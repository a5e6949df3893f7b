/**
 * A thin wrapper around the D1 binding that sums the `meta` of every statement a request runs
 * (D1 time, rows read, rows written), for the `Server-Timing` header.
 *
 * Why a wrapper: drizzle's D1 driver reads selects with `stmt.raw()`, and D1's raw() drops the
 * result's `meta`. Here raw() is served by the inner all() (which keeps `meta`) and each row
 * object is turned into an array with Object.values — exactly what drizzle itself does with
 * batch results (d1ToRawMapping in drizzle-orm/d1/session.js).
 *
 * One trap: all() returns objects, so two result columns with the same name (a join selecting
 * `users.id` and `email_addresses.id`) would collapse into one key and shift every later
 * column. Such statements keep the inner raw() (correct rows, no meta) and are counted as
 * `unmetered`, so a test can see that a number is incomplete rather than silently wrong.
 */

/** Per-request totals. Only counts and durations: nothing from the data ever reaches it. */
export class DbMeter {
  durationMs = 0;
  rowsRead = 0;
  rowsWritten = 0;
  /** Statements run (with meta). */
  statements = 0;
  /** Statements whose meta could not be collected (see the module comment). */
  unmetered = 0;
  /** D1 calls made (a batch is one call): each is a turn of the database's single queue. */
  queries = 0;
  /**
   * The longest single D1 call, in ms, as this Worker saw it around the await (queueing
   * included). D1 runs one statement at a time per database, so this is how long the request
   * could have held everyone else up. workerd's clock advances across I/O, so the await is
   * measurable even where D1's own meta.duration reads 0 (local dev).
   */
  maxQueryMs = 0;

  /** Runs one D1 call and records its count and wall time (whether it succeeds or not). */
  async call<T>(run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.queries += 1;
      this.maxQueryMs = Math.max(this.maxQueryMs, performance.now() - started);
    }
  }

  record(meta: Partial<D1Meta> | undefined): void {
    if (!meta) return;
    this.statements += 1;
    this.durationMs += Number(meta.duration) || 0;
    this.rowsRead += Number(meta.rows_read) || 0;
    this.rowsWritten += Number(meta.rows_written) || 0;
  }

  /**
   * `db;dur=1.8;desc="rows_read=12 rows_written=0 queries=2 max_query_ms=3.1"` (plus
   * ` unmetered=n` when n > 0).
   */
  serverTiming(): string {
    const dur = Math.round(this.durationMs * 1000) / 1000;
    const longest = (Math.round(this.maxQueryMs * 10) / 10).toFixed(1);
    const extra = this.unmetered > 0 ? ` unmetered=${this.unmetered}` : "";
    return `db;dur=${dur};desc="rows_read=${this.rowsRead} rows_written=${this.rowsWritten} queries=${this.queries} max_query_ms=${longest}${extra}"`;
  }
}

type RawOptions = { columnNames?: boolean };

class MeteredStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly sql: string,
    private readonly meter: DbMeter,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new MeteredStatement(this.inner.bind(...values), this.sql, this.meter) as unknown as D1PreparedStatement;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const result = await this.meter.call(() => this.inner.all<T>());
    this.meter.record(result.meta);
    return result;
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const result = await this.meter.call(() => this.inner.run<T>());
    this.meter.record(result.meta);
    return result;
  }

  /** Same contract as D1's first(): the first row (or one of its columns), or null. */
  async first<T = unknown>(colName?: string): Promise<T | null> {
    const row = (await this.all<Record<string, unknown>>()).results[0];
    if (row === undefined) return null;
    if (colName === undefined) return row as T;
    if (row[colName] === undefined) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`);
    return row[colName] as T;
  }

  async raw<T = unknown[]>(options?: RawOptions): Promise<T[]> {
    if (mayHaveDuplicateColumns(this.sql)) {
      this.meter.unmetered += 1;
      return (await this.meter.call(() => this.inner.raw(options as { columnNames?: false }))) as T[];
    }
    const { results } = await this.all<Record<string, unknown>>();
    const rows: unknown[] = results.map((row) => Object.values(row));
    if (options?.columnNames) {
      // Without a row there are no keys to name the columns by: ask D1 (an empty result, so cheap).
      const names = results.length > 0 ? Object.keys(results[0]) : ((await this.meter.call(() => this.inner.raw({ columnNames: true })))[0] ?? []);
      rows.unshift(names);
    }
    return rows as T[];
  }
}

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return statement instanceof MeteredStatement ? statement.inner : statement;
}

class MeteredSession {
  constructor(
    protected readonly target: Pick<D1Database, "prepare" | "batch">,
    protected readonly meter: DbMeter,
  ) {}

  prepare(query: string): D1PreparedStatement {
    return new MeteredStatement(this.target.prepare(query), query, this.meter) as unknown as D1PreparedStatement;
  }

  async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const results = await this.meter.call(() => this.target.batch<T>(statements.map(unwrap)));
    for (const result of results) this.meter.record(result.meta);
    return results;
  }
}

class MeteredDatabase extends MeteredSession {
  constructor(
    private readonly db: D1Database,
    meter: DbMeter,
  ) {
    super(db, meter);
  }

  async exec(query: string): Promise<D1ExecResult> {
    // exec() reports only a duration, no row counts.
    const result = await this.meter.call(() => this.db.exec(query));
    this.meter.durationMs += Number(result.duration) || 0;
    return result;
  }

  withSession(constraintOrBookmark?: string): D1DatabaseSession {
    const session = this.db.withSession(constraintOrBookmark);
    const metered = new MeteredSession(session, this.meter);
    return Object.assign(metered, { getBookmark: () => session.getBookmark() }) as unknown as D1DatabaseSession;
  }

  dump(): Promise<ArrayBuffer> {
    return this.db.dump();
  }
}

/** The D1 binding with every statement's meta added to `meter`. */
export function meteredD1(db: D1Database, meter: DbMeter): D1Database {
  return new MeteredDatabase(db, meter) as unknown as D1Database;
}

// --- duplicate result-column detection -------------------------------------------------------

const duplicateCheckCache = new Map<string, boolean>();
const CACHE_LIMIT = 1000;

/**
 * True when the statement's result columns could share a name (so all() would lose values).
 * Only joins can do that in the SQL drizzle writes; the select list is parsed once per SQL text.
 * Anything the small parser does not understand counts as "may have duplicates" (safe side).
 */
export function mayHaveDuplicateColumns(sql: string): boolean {
  if (!/\bjoin\b/i.test(sql)) return false;
  let answer = duplicateCheckCache.get(sql);
  if (answer === undefined) {
    const names = selectListNames(sql);
    answer = names === undefined || new Set(names).size !== names.length;
    if (duplicateCheckCache.size >= CACHE_LIMIT) duplicateCheckCache.clear();
    duplicateCheckCache.set(sql, answer);
  }
  return answer;
}

/** Result-column names of the outermost SELECT, or undefined if unsure (e.g. `*`). */
function selectListNames(sql: string): string[] | undefined {
  const items: string[] = [];
  let depth = 0;
  let inSelect = false;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === "`") {
      const close = sql.indexOf(ch, i + 1);
      if (close < 0) return undefined;
      i = close;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (depth === 0 && /[a-z]/i.test(ch) && (i === 0 || !/\w/.test(sql[i - 1]))) {
      const word = /^[a-z_]+/i.exec(sql.slice(i))![0].toLowerCase();
      if (!inSelect && word === "select") {
        inSelect = true;
        start = i + word.length;
      } else if (inSelect && word === "from") {
        items.push(sql.slice(start, i));
        break;
      }
      i += word.length - 1;
    } else if (inSelect && depth === 0 && ch === ",") {
      items.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  if (items.length === 0) return undefined;
  const names: string[] = [];
  for (const raw of items) {
    const item = raw.trim().replace(/^(distinct|all)\s+/i, "");
    const alias = /\bas\s+("(?:[^"]|"")+"|\w+)$/i.exec(item);
    const column = /^(?:(?:"(?:[^"]|"")+"|\w+)\.)*("(?:[^"]|"")+"|\w+)$/.exec(item);
    const name = alias?.[1] ?? column?.[1];
    if (name === "*" || item.endsWith("*")) return undefined;
    names.push(name ? name.replace(/^"|"$/g, "").replace(/""/g, '"') : item);
  }
  return names;
}
