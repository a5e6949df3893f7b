/**
 * SQL text as tokens: enough of SQLite's lexer to compare two definitions of an object without
 * regard to layout, comments, identifier quoting or keyword case, and to find the names a
 * definition mentions.
 */

/** One token: whitespace and comments; quoted strings and identifiers; words; numbers; operators. */
const TOKEN =
  /\s+|--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d+)?|<<|>>|<=|>=|<>|!=|==|\|\||[\s\S]/gy;

export interface Token {
  kind: "name" | "string" | "other";
  /** Names lower-cased and unquoted (SQLite's names are case-insensitive); strings as written. */
  text: string;
}

export function tokens(sql: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(sql); match; match = TOKEN.exec(sql)) {
    const text = match[0];
    const first = text[0]!;
    if (/\s/.test(first) || text.startsWith("--") || text.startsWith("/*")) continue;
    if (first === "'") out.push({ kind: "string", text });
    else if (first === '"' || first === "`")
      out.push({
        kind: "name",
        text: text
          .slice(1, -1)
          .replaceAll(first + first, first)
          .toLowerCase(),
      });
    else if (first === "[") out.push({ kind: "name", text: text.slice(1, -1).toLowerCase() });
    else if (/[A-Za-z_]/.test(first)) out.push({ kind: "name", text: text.toLowerCase() });
    else out.push({ kind: "other", text });
  }
  return out;
}

/** The definition with only its tokens: equal for two texts SQLite reads the same way. */
export function normalizeSql(sql: string): string {
  return tokens(sql)
    .map((t) => t.text)
    .join(" ")
    .replace(/ ;$/, "");
}

/**
 * The names among `known` that the text mentions, as a name or as a string (FTS5 names its
 * content table in a string). Over-counts a column that shares a table's name, which only makes
 * a dependant look like one.
 */
export function mentions(sql: string, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  for (const t of tokens(sql)) {
    const name = t.kind === "string" ? t.text.slice(1, -1).toLowerCase() : t.text;
    if (t.kind !== "other" && known.has(name)) found.add(name);
  }
  return found;
}
