/**
 * SQL for "the search terms match".
 *
 * The meaning of a match is FTS5's trigram tokenizer with case_sensitive 0 (the index
 * `user_search`, workers/db/derived/search.ts, kept in step by triggers): a term of 3+
 * characters matches when it occurs in the field with both sides folded character by character.
 * For a term made only of ASCII characters a substring test computes exactly the same thing:
 * FTS5's folding sends exactly two non-ASCII characters to ASCII letters — checked by indexing
 * every code point up to U+2FFFF and searching each ASCII character (test/routes/search-terms
 * .test.ts keeps checking it): U+212A KELVIN SIGN and U+017F LONG S to k and s — so
 * `instr(replace(replace(lower(text), 'K', 'k'), 'ſ', 's'), lower(term))` is that match (SQLite's
 * lower() folds ASCII only). Terms with other characters can only be matched by FTS5; terms of 1–2
 * characters (no trigram) only by substring, against every case spelling of every character
 * (`spellings`).
 *
 * Why not always FTS5: it checks a rowid range only after it has found a match, so a conjunction
 * of common terms that rarely occur together makes it read on past the range, up to the whole
 * table (measured: 5 email domains ANDed, 0 matches, cost the same in a 1,500-user range as in
 * all 100k). So FTS5 gets the search's most selective terms (anchors: at most two, preferring
 * long ones), and the other terms are tested on the anchors' matches, which is bounded by the
 * range; where nothing can be tested by substring, FTS5 gets them all.
 */
import { and, sql, type SQL } from "drizzle-orm";
import type { SearchField, SearchTerm } from "./filter";
import { rangeConditions, type DocRange } from "./spans";

export const longTerms = (terms: SearchTerm[]) => terms.filter((t) => !t.short);
export const shortTerms = (terms: SearchTerm[]) => terms.filter((t) => t.short);

const isAscii = (term: SearchTerm) => [...term.variants[0]].every((ch) => ch.charCodeAt(0) < 0x80);

/** FTS5 phrases per statement, at most (when substring tests can take the rest). */
const MAX_ANCHORS = 2;
/**
 * An ASCII anchor longer than this goes to FTS5 as its first ANCHOR_MAX_CHARS characters (and is
 * tested whole by substring): FTS5 reads one doclist per trigram of a phrase, so a 256-character
 * term cost 254 doclists on every document it looked at.
 */
const ANCHOR_MAX_CHARS = 16;

/**
 * The terms FTS5 evaluates (`fts`) and those tested by substring on what it finds (`tested`),
 * for a statement that reads FTS matches. Long non-ASCII terms can only be FTS phrases; of the
 * ASCII ones, the longest are anchors until there are MAX_ANCHORS (a long one shortened, and
 * then tested whole too). No long term: no FTS.
 */
export function anchorTerms(terms: SearchTerm[]): { fts: SearchTerm[]; tested: SearchTerm[] } {
  const long = longTerms(terms);
  const fts = long.filter((t) => !isAscii(t));
  const tested = terms.filter((t) => !fts.includes(t));
  const ascii = long.filter(isAscii).sort((a, b) => b.variants[0].length - a.variants[0].length);
  for (const term of ascii.slice(0, MAX_ANCHORS - fts.length)) {
    const text = term.variants[0];
    if (text.length > ANCHOR_MAX_CHARS) {
      fts.push({ ...term, variants: [text.slice(0, ANCHOR_MAX_CHARS)] });
    } else {
      fts.push(term);
      tested.splice(tested.indexOf(term), 1);
    }
  }
  return { fts, tested };
}

/** For a statement that tests users one by one: FTS5 only where it must (long non-ASCII terms). */
export function perUserTerms(terms: SearchTerm[]): { fts: SearchTerm[]; tested: SearchTerm[] } {
  const fts = longTerms(terms).filter((t) => !isAscii(t));
  return { fts, tested: terms.filter((t) => !fts.includes(t)) };
}

/** `{a b} : (p1 OR p2)` — a phrase per variant, with inner quotes doubled so no input is FTS syntax. */
function ftsTermExpression(term: SearchTerm): string {
  const phrases = term.variants.map((v) => `"${v.replaceAll('"', '""')}"`).join(" OR ");
  return `{${term.fields.join(" ")}} : (${phrases})`;
}

/** The FTS5 query for terms of 3+ characters: every term must match. */
export function ftsMatchExpression(terms: SearchTerm[]): string {
  return terms.map(ftsTermExpression).join(" AND ");
}

/**
 * Above this many short-term spellings in one request, pass them as JSON lists instead of bound
 * parameters (half as many where a statement nests the search deeper, the walk), so that with
 * every filter a statement stays under D1's 100 bound parameters and SQLite's expression depth
 * of 100.
 */
export const MAX_INLINE_SPELLINGS = 40;
export const NESTED_INLINE_SPELLINGS = MAX_INLINE_SPELLINGS / 2;

/**
 * The term's fields of the document in `table`, joined with a space (which no term contains),
 * folded: lower() (ASCII), plus FTS5's two non-ASCII-to-ASCII folds when `ftsFold` (ASCII terms).
 */
function documentText(fields: readonly SearchField[], table: string, ftsFold: boolean): SQL {
  const lower = `lower(${fields.map((f) => `${table}.${f}`).join(" || ' ' || ")})`;
  return sql.raw(ftsFold ? `replace(replace(${lower}, '\u212a', 'k'), '\u017f', 's')` : lower);
}

/** The spellings instr() must try: ASCII terms are exact in lower case; others list their case forms. */
const spellingsOf = (term: SearchTerm) => (isAscii(term) ? [term.variants[0].toLowerCase()] : term.spellings);

/**
 * The short terms occur in their fields of document `table` (user_search_documents or the FTS
 * row itself). instr() rather than LIKE: no pattern characters to escape. lower() folds ASCII;
 * `spellings` already lists every case spelling of the non-ASCII characters. The fields are
 * joined with a space, which no term contains, so a term never matches across two fields.
 *
 * Few spellings are bound one parameter each. More travel as one JSON list of spelling lists
 * per set of fields (at most one per search parameter), "no term lacks a matching spelling", so
 * a search of many 1-character terms stays far below D1's 100 bound parameters.
 */
export function substringConditions(tested: SearchTerm[], table = "d", maxInline = MAX_INLINE_SPELLINGS): SQL[] {
  if (tested.reduce((n, t) => n + spellingsOf(t).length, 0) <= maxInline) {
    return tested.map((term) => {
      const text = documentText(term.fields, table, isAscii(term));
      return sql`(${sql.join(
        spellingsOf(term).map((s) => sql`instr(${text}, ${s}) > 0`),
        sql` or `,
      )})`;
    });
  }
  const groups = new Map<string, SearchTerm[]>();
  for (const term of tested) {
    const key = `${term.fields.join(" ")} ${isAscii(term)}`;
    groups.set(key, [...(groups.get(key) ?? []), term]);
  }
  return [...groups.values()].map((terms) => {
    const text = documentText(terms[0].fields, table, isAscii(terms[0]));
    const lists = JSON.stringify(terms.map(spellingsOf));
    return sql`not exists (select 1 from json_each(${lists}) t where not exists (select 1 from json_each(t.value) p where instr(${text}, p.value) > 0))`;
  });
}

/**
 * The users every search term matches whose document lies in `range`, as a FROM-clause
 * subquery `m(user_id, doc_id)` that yields them in doc_id order when asked to: FTS5 for the
 * long terms (restricted to the range, which it answers without reading matches outside it)
 * with the short terms tested on each match, or, when every term is short, the documents of the
 * range (a primary-key range) tested by substring.
 */
export function matchesIn(terms: SearchTerm[], range: DocRange): SQL {
  const { fts, tested } = anchorTerms(terms);
  const conditions = substringConditions(tested);
  if (fts.length > 0) {
    return sql`(select d.user_id as user_id, user_search.rowid as doc_id from user_search cross join user_search_documents d on d.doc_id = user_search.rowid where ${and(
      sql`user_search match ${ftsMatchExpression(fts)}`,
      ...rangeConditions(sql`user_search.rowid`, range),
      ...conditions,
    )}) m`;
  }
  return sql`(select d.user_id as user_id, d.doc_id as doc_id from user_search_documents d where ${and(
    sql`1`,
    ...rangeConditions(sql`d.doc_id`, range),
    ...conditions,
  )}) m`;
}

/**
 * The user whose id is `userId` matches every search term (the walks test users one by one):
 * the user's document is found by its user_id index and tested by substring, and by FTS rowid
 * (a seek in each term's doclists, much slower) only for long non-ASCII terms.
 */
export function userMatches(terms: SearchTerm[], userId: SQL): SQL {
  const { fts, tested } = perUserTerms(terms);
  // Nested in the walk's conditions: fewer spellings inline keep the expression tree within
  // SQLite's depth limit of 100.
  const conditions = substringConditions(tested, "d", NESTED_INLINE_SPELLINGS);
  if (fts.length === 0) return sql`exists (select 1 from user_search_documents d where ${and(sql`d.user_id = ${userId}`, ...conditions)})`;
  return sql`exists (select 1 from user_search_documents d cross join user_search on user_search.rowid = d.doc_id where ${and(
    sql`d.user_id = ${userId}`,
    sql`user_search match ${ftsMatchExpression(fts)}`,
    ...conditions,
  )})`;
}

/** Whether testing a user costs an FTS seek (long non-ASCII terms) or only substring tests. */
export const needsFtsPerUser = (terms: SearchTerm[]) => perUserTerms(terms).fts.length > 0;
