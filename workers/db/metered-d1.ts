/**
 * A thin wrapper around the D1 binding that sums the `meta` of every statement a request runs
 * (D1 time, rows read, rows written), counts D1 calls and times each one, for the
 * `Server-Timing` header.
 *
 * Why a wrapper: drizzle's D1 driver reads selects (and `returning` lists) with `stmt.raw()`,
 * and D1's raw() drops the result's `meta`.
 *
 * Why raw() is served from all(), and why only sometimes. There is no supported way to get
 * `meta` together with array rows (checked against workerd 1.20260426 / workers-types
 * 4.20260426, the versions installed, and workerd's src/cloudflare/internal/d1-api.ts):
 * - raw() fetches rows, columns and meta from D1 but hands `meta` only to its tracing span;
 *   its one option is `columnNames`.
 * - all(), first() and batch() return rows as objects built from the column list
 *   (Object.fromEntries), so batch is no way round: drizzle turns batch rows back into arrays
 *   with Object.keys (d1ToRawMapping in drizzle-orm/d1/session.js), with the same limits.
 * - `D1Database.query()`, which returns columns + rows + meta, exists only in later workerd
 *   releases and only behind the experimental `d1_binding_jsrpc` compatibility flag, which a
 *   deployed Worker cannot enable. The binding's fetch protocol underneath is internal to it.
 * So raw() can be metered only by rebuilding its arrays from all()'s objects, and that is exact
 * only when the object keeps every column, in order: the result-column names must be distinct
 * (else later columns overwrite earlier ones) and none may be an array index such as "2" (JS
 * puts those keys first, in numeric order). `select({ name: sql`'x'`, n: sql`2` })` (columns
 * `'x'` and `2`) came back as `{ name: 2, n: "x" }`, and a comma join selecting two columns
 * named `v` lost one, before this rule.
 *
 * The rule fails closed: raw() is served from all() only when `meterableColumns` can prove the
 * names from the SQL text (a plain SELECT whose every result column is a column reference or
 * has an `AS` alias, with distinct names, none an array index). Anything else, or anything it
 * does not understand, runs D1's own raw() and counts as `unmetered`, so the header says a
 * number is incomplete instead of a row being wrong. Every statement that is metered is
 * therefore a plain SELECT (no RETURNING, no CTE), so the check made after all() — each row's
 * keys are the names the parser predicted — can throw without having written anything.
 * App code gives expressions an alias (`sql`…`.as("name")`) so that its statements stay metered.
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

  /**
   * Same contract as D1's raw(). Served from all() (so the meta is recorded) when the SQL's
   * result-column names are proven safe (module comment); otherwise D1's own raw(), unmetered.
   * `columnNames` always takes D1's raw(): the names D1 reports for a column reference are the
   * declared ones, which the SQL text alone cannot tell for an empty result.
   */
  async raw<T = unknown[]>(options?: RawOptions): Promise<T[]> {
    const names = options?.columnNames ? undefined : meterableColumns(this.sql);
    if (names === undefined) {
      this.meter.unmetered += 1;
      return (await this.meter.call(() => this.inner.raw(options as { columnNames?: false }))) as T[];
    }
    const { results } = await this.all<Record<string, unknown>>();
    return results.map((row) => valuesInColumnOrder(row, names)) as T[];
  }
}

/**
 * The row's values in the statement's column order, after checking that the row's keys are the
 * predicted names in that order (ASCII case aside: for a column reference SQLite reports the
 * column's declared spelling). Equal counts mean no column was overwritten, and names that are
 * not array indexes keep their insertion order; a mismatch means the parser was wrong, and
 * returning rows that might be shifted is worse than failing (the statement is a plain SELECT,
 * so nothing was written).
 */
function valuesInColumnOrder(row: Record<string, unknown>, names: readonly string[]): unknown[] {
  const keys = Object.keys(row);
  if (keys.length !== names.length || keys.some((key, i) => asciiLower(key) !== asciiLower(names[i]))) {
    throw new Error(`metered D1: result columns [${keys.join(", ")}] are not the predicted [${names.join(", ")}]`);
  }
  return keys.map((key) => row[key]);
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

// --- which statements raw() may serve from all() ---------------------------------------------

const columnsCache = new Map<string, readonly string[] | null>();
const CACHE_LIMIT = 1000;

/**
 * The result-column names of `sql` when they are provably distinct and none is an array index,
 * i.e. when all()'s row objects hold every column in order; undefined otherwise (also whenever
 * the SQL is not of the plain shape below, or is not understood). Parsed once per SQL text.
 *
 * Accepted: `select [distinct|all] <items> from <tables> [where …]` with no comment, no `;`, no
 * compound (union/intersect/except), no comma in the FROM clause (a comma join: use JOIN), and no
 * RETURNING; each item is either a column reference (`"t"."c"`, `c`) or `<expression> as <name>`
 * with no subquery in it. Not accepted, among others: `*`, expressions without an alias (their
 * names are unspecified by SQLite), CTEs (`with …`), INSERT/UPDATE/DELETE … RETURNING.
 */
export function meterableColumns(sql: string): readonly string[] | undefined {
  let names = columnsCache.get(sql);
  if (names === undefined) {
    names = provableColumnNames(sql) ?? null;
    if (columnsCache.size >= CACHE_LIMIT) columnsCache.clear();
    columnsCache.set(sql, names);
  }
  return names ?? undefined;
}

/** A top-level token; a parenthesised group is one token that records whether it holds a SELECT. */
type Token = { kind: "word" | "quoted" | "other"; text: string } | { kind: "group"; hasSelect: boolean };

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /0[xX][0-9A-Fa-f]+|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const CLOSE: Record<string, string> = { "'": "'", '"': '"', "`": "`", "[": "]" };

/**
 * Top-level tokens of `sql`, or undefined for a comment, an unterminated quote or unbalanced
 * parentheses. Quotes may be doubled inside quotes (`'it''s'`), which reads as two adjacent
 * tokens: harmless, as no accepted item has two quoted tokens side by side.
 */
function tokenize(sql: string): Token[] | undefined {
  const top: Token[] = [];
  const groups: { hasSelect: boolean }[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ((ch === "-" && sql[i + 1] === "-") || (ch === "/" && sql[i + 1] === "*")) return undefined;
    let token: Token;
    if (ch in CLOSE) {
      const end = sql.indexOf(CLOSE[ch], i + 1);
      if (end < 0) return undefined;
      token = { kind: ch === '"' || ch === "`" || ch === "[" ? "quoted" : "other", text: sql.slice(i, end + 1) };
      i = end + 1;
    } else if (ch === "(") {
      groups.push({ hasSelect: false });
      i++;
      continue;
    } else if (ch === ")") {
      const group = groups.pop();
      if (!group) return undefined;
      if (groups.length > 0) groups[groups.length - 1].hasSelect ||= group.hasSelect;
      token = { kind: "group", hasSelect: group.hasSelect };
      i++;
    } else {
      // A number first, so that the letters of `1e5` or `0x1F` are not read as a word.
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(sql);
      WORD.lastIndex = i;
      const word = number ? null : WORD.exec(sql);
      const text = number?.[0] ?? word?.[0] ?? ch;
      token = { kind: word ? "word" : "other", text };
      i += text.length;
    }
    if (groups.length > 0) {
      if (token.kind === "word" && token.text.toLowerCase() === "select") groups[groups.length - 1].hasSelect = true;
    } else {
      top.push(token);
    }
  }
  return groups.length === 0 ? top : undefined;
}

const isWord = (token: Token | undefined, ...words: string[]): boolean => token?.kind === "word" && words.includes(token.text.toLowerCase());
const isOther = (token: Token | undefined, text: string): boolean => token?.kind === "other" && token.text === text;

/** Clauses that end a FROM clause (commas after them, e.g. in ORDER BY, are not joins). */
const AFTER_FROM = ["where", "group", "having", "window", "order", "limit"];

function provableColumnNames(sql: string): string[] | undefined {
  const tokens = tokenize(sql);
  if (!tokens || !isWord(tokens[0], "select")) return undefined;
  // One plain SELECT: no second statement, no compound, no RETURNING, no INSERT … SELECT.
  if (tokens.some((t, i) => isOther(t, ";") || isWord(t, "union", "intersect", "except", "returning") || (i > 0 && isWord(t, "select"))))
    return undefined;
  const from = tokens.findIndex((t) => isWord(t, "from"));
  if (from < 0) return undefined;
  let fromEnd = tokens.findIndex((t, i) => i > from && isWord(t, ...AFTER_FROM));
  if (fromEnd < 0) fromEnd = tokens.length;
  if (tokens.slice(from + 1, fromEnd).some((t) => isOther(t, ","))) return undefined;

  const list = tokens.slice(isWord(tokens[1], "distinct", "all") ? 2 : 1, from);
  const items: Token[][] = [[]];
  for (const token of list) {
    if (isOther(token, ",")) items.push([]);
    else items[items.length - 1].push(token);
  }
  const names: string[] = [];
  for (const item of items) {
    const name = itemName(item);
    if (name === undefined || /^(0|[1-9][0-9]*)$/.test(name)) return undefined;
    names.push(name);
  }
  const distinct = new Set(names.map(asciiLower));
  return distinct.size === names.length ? names : undefined;
}

/** The result-column name of one select-list item, if the item has one of the accepted shapes. */
function itemName(item: Token[]): string | undefined {
  if (item.some((t) => t.kind === "group" && t.hasSelect)) return undefined;
  const n = item.length;
  if (n >= 3 && isWord(item[n - 2], "as")) return identifier(item[n - 1]);
  // A column reference: name, table.name or schema.table.name.
  if (n % 2 === 0 || n > 5) return undefined;
  for (let i = 0; i < n; i++) {
    if (i % 2 === 1 ? !isOther(item[i], ".") : identifier(item[i]) === undefined) return undefined;
  }
  const name = identifier(item[n - 1])!;
  // SQLite names a rowid reference after the table's INTEGER PRIMARY KEY column if it has one
  // (`select rowid, id from user_totals` has two columns named "id"), so its name is unknown here.
  return ROWID_NAMES.includes(asciiLower(name)) ? undefined : name;
}

const ROWID_NAMES = ["rowid", "oid", "_rowid_"];

/** The name an identifier token stands for: a bare word, or a "double-quoted" name. */
function identifier(token: Token): string | undefined {
  if (token.kind === "word") return token.text;
  if (token.kind === "quoted" && token.text.startsWith('"') && token.text.length >= 2) return token.text.slice(1, -1);
  return undefined;
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
