/**
 * Spans of search documents: searches that never hold the database for long (issue 13).
 *
 * D1 runs one statement at a time, so a search is cut into statements that each look at a bounded
 * number of users (workers/db/user-search/spans.ts). search_spans cuts the documents' doc_id range
 * into spans of search_settings.span_docs to twice that many documents, an equi-depth partition
 * kept by triggers, like a B-tree's leaves:
 * - a span is the doc_id range from its `lo` up to the next span's `lo`; the lowest span starts at
 *   the smallest integer (LOWEST_SPAN), so every doc_id has exactly one span;
 * - every document insert/delete/move adds/subtracts one in its span's `docs` (one row written);
 * - a span that reaches 2 × span_docs documents is split at the bucket of its span_docs-th
 *   document (reading about span_docs index entries, once per span_docs inserts);
 * - a span left empty by deletions is removed (not the lowest one).
 * Span boundaries are bucket starts, so the users of one millisecond are never split between
 * spans and a span's users in created_at order are exactly its buckets in doc_id order. Only a
 * millisecond with more than 2 × span_docs users makes a larger span.
 *
 * span_docs lives in a table, not in the triggers, so tests can use small spans; changing it takes
 * effect at the next split (the refill, scripts/rebuild-derived-data.sql, recomputes every span).
 */
import { BUCKET_MASK, DEFAULT_SPAN_DOCS, LOWEST_SPAN } from "./constants";
import { trigger, type DerivedGroup } from "./model";

/** Above every doc_id: the end of the highest span. */
const ABOVE_ALL = "9223372036854775807";
const SPAN_DOCS = "(SELECT span_docs FROM search_settings WHERE id = 1)";
/** The span holding `docId`. */
const spanOf = (docId: string) => `(SELECT max(lo) FROM search_spans WHERE lo <= ${docId})`;

export const searchSpans: DerivedGroup = {
  name: "search-spans",
  title: "the spans of search documents: search_spans, sized by search_settings",
  after: ["search"],
  objects: [
    {
      kind: "table",
      name: "search_settings",
      sql: `CREATE TABLE search_settings (
	id integer PRIMARY KEY CHECK (id = 1),
	span_docs integer NOT NULL CHECK (span_docs >= 1)
)`,
      seed: [`INSERT OR IGNORE INTO search_settings (id, span_docs) VALUES (1, ${DEFAULT_SPAN_DOCS})`],
    },
    {
      kind: "table",
      name: "search_spans",
      sql: `CREATE TABLE search_spans (
	lo integer PRIMARY KEY,
	docs integer NOT NULL DEFAULT 0
)`,
    },
    trigger(
      "user_search_documents_span_ai",
      `CREATE TRIGGER user_search_documents_span_ai AFTER INSERT ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs + 1 WHERE lo = ${spanOf("new.doc_id")};
END`,
    ),
    trigger(
      "user_search_documents_span_ad",
      `CREATE TRIGGER user_search_documents_span_ad AFTER DELETE ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs - 1 WHERE lo = ${spanOf("old.doc_id")};
END`,
    ),
    trigger(
      "user_search_documents_span_au",
      `CREATE TRIGGER user_search_documents_span_au AFTER UPDATE OF doc_id ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs - 1 WHERE lo = ${spanOf("old.doc_id")};
	UPDATE search_spans SET docs = docs + 1 WHERE lo = ${spanOf("new.doc_id")};
END`,
    ),
    // The split. `docs` grows by one per document insert, so `new.docs > old.docs` holds when an
    // insert brought the span to the threshold, never for the subtraction below: the trigger
    // cannot fire itself again, whether or not recursive triggers are on. The new span starts at
    // the bucket of the span's span_docs-th document, or at the next bucket when that bucket is
    // the span's first; when the span is a single bucket there is nowhere to split.
    trigger(
      "search_spans_split",
      `CREATE TRIGGER search_spans_split AFTER UPDATE OF docs ON search_spans
WHEN new.docs > old.docs AND new.docs >= 2 * ${SPAN_DOCS} BEGIN
	INSERT INTO search_spans (lo, docs)
	SELECT c.at, (SELECT count(*) FROM user_search_documents d WHERE d.doc_id >= c.at AND d.doc_id < c.hi)
	FROM (
		SELECT
			CASE WHEN (m.mid & ~${BUCKET_MASK}) > new.lo THEN m.mid & ~${BUCKET_MASK} ELSE (m.mid | ${BUCKET_MASK}) + 1 END AS at,
			m.hi AS hi
		FROM (
			SELECT
				(SELECT doc_id FROM user_search_documents WHERE doc_id >= new.lo ORDER BY doc_id LIMIT 1 OFFSET ${SPAN_DOCS}) AS mid,
				coalesce((SELECT min(lo) FROM search_spans WHERE lo > new.lo), ${ABOVE_ALL}) AS hi
		) m
		WHERE m.mid IS NOT NULL
	) c
	WHERE c.at < c.hi;
END`,
    ),
    // A new span takes its documents from the span below it (the one that was split).
    trigger(
      "search_spans_ai",
      `CREATE TRIGGER search_spans_ai AFTER INSERT ON search_spans BEGIN
	UPDATE search_spans SET docs = docs - new.docs WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo < new.lo);
END`,
    ),
    trigger(
      "search_spans_merge_empty",
      `CREATE TRIGGER search_spans_merge_empty AFTER UPDATE OF docs ON search_spans
WHEN new.docs = 0 AND new.lo <> ${LOWEST_SPAN} BEGIN
	DELETE FROM search_spans WHERE lo = new.lo;
END`,
    ),
  ],
  // A span starts at every span_docs-th document's bucket; then each span's documents are counted.
  refill: [
    "DELETE FROM search_spans",
    `INSERT INTO search_spans (lo, docs) VALUES (${LOWEST_SPAN}, 0)`,
    `INSERT OR IGNORE INTO search_spans (lo, docs)
SELECT doc_id & ~${BUCKET_MASK}, 0 FROM (SELECT doc_id, row_number() OVER (ORDER BY doc_id) AS n FROM user_search_documents)
WHERE n > 1 AND (n - 1) % ${SPAN_DOCS} = 0`,
    `UPDATE search_spans SET docs = (
	SELECT count(*) FROM user_search_documents d
	WHERE d.doc_id >= search_spans.lo
		AND d.doc_id < coalesce((SELECT min(s.lo) FROM search_spans s WHERE s.lo > search_spans.lo), ${ABOVE_ALL})
)`,
  ],
};
