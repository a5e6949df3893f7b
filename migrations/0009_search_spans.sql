-- Searches that never hold the database for long (issue 13: no single D1 call over 100 ms at 100k
-- users, whatever the search).
--
-- D1 runs one statement at a time, so a search must be cut into statements that each look at a
-- bounded number of users. search_spans cuts the search documents' doc_id range (the FTS rowids,
-- which follow created_at, migration 0002) into spans of search_settings.span_docs to twice that
-- many documents: a statement that restricts FTS (or a scan of the documents) to one span touches
-- at most 2 × span_docs users, however many terms, matches or filters the search has. The spans
-- are an equi-depth partition kept by triggers, like a B-tree's leaves:
-- - a span is the doc_id range from its `lo` up to the next span's `lo`; the lowest span starts at
--   the smallest integer, so every doc_id has exactly one span;
-- - every document insert/delete/move adds/subtracts one in its span's `docs` (one row written);
-- - a span that reaches 2 × span_docs documents is split at the bucket of its span_docs-th
--   document (reading about span_docs index entries, once per span_docs inserts);
-- - a span left empty by deletions is removed (not the lowest one).
-- Span boundaries are bucket starts (multiples of 2^20, one bucket = the users created in one
-- millisecond), so the users of one millisecond are never split between spans and a span's users
-- in created_at order are exactly its buckets in doc_id order. Only a millisecond with more than
-- 2 × span_docs users makes a larger span.
--
-- span_docs lives in a table, not in the triggers, so tests can use small spans; changing it
-- takes effect at the next split (scripts/rebuild-derived-data.sql recomputes every span).
CREATE TABLE `search_settings` (
	`id` integer PRIMARY KEY CHECK (`id` = 1),
	`span_docs` integer NOT NULL CHECK (`span_docs` >= 1)
);
--> statement-breakpoint
INSERT INTO `search_settings` (`id`, `span_docs`) VALUES (1, 2048);
--> statement-breakpoint
CREATE TABLE `search_spans` (
	`lo` integer PRIMARY KEY,
	`docs` integer NOT NULL DEFAULT 0
);
--> statement-breakpoint
INSERT INTO `search_spans` (`lo`, `docs`) VALUES (-9223372036854775808, 0);
--> statement-breakpoint
INSERT OR IGNORE INTO `search_spans` (`lo`, `docs`)
SELECT `doc_id` & ~1048575, 0 FROM (SELECT `doc_id`, row_number() OVER (ORDER BY `doc_id`) AS `n` FROM `user_search_documents`)
WHERE `n` > 1 AND (`n` - 1) % (SELECT `span_docs` FROM `search_settings` WHERE `id` = 1) = 0;
--> statement-breakpoint
UPDATE `search_spans` SET `docs` = (
	SELECT count(*) FROM `user_search_documents` d
	WHERE d.`doc_id` >= `search_spans`.`lo`
		AND d.`doc_id` < coalesce((SELECT min(s.`lo`) FROM `search_spans` s WHERE s.`lo` > `search_spans`.`lo`), 9223372036854775807)
);
--> statement-breakpoint
CREATE TRIGGER `user_search_documents_span_ai` AFTER INSERT ON `user_search_documents` BEGIN
	UPDATE `search_spans` SET `docs` = `docs` + 1 WHERE `lo` = (SELECT max(`lo`) FROM `search_spans` WHERE `lo` <= new.`doc_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `user_search_documents_span_ad` AFTER DELETE ON `user_search_documents` BEGIN
	UPDATE `search_spans` SET `docs` = `docs` - 1 WHERE `lo` = (SELECT max(`lo`) FROM `search_spans` WHERE `lo` <= old.`doc_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `user_search_documents_span_au` AFTER UPDATE OF `doc_id` ON `user_search_documents` BEGIN
	UPDATE `search_spans` SET `docs` = `docs` - 1 WHERE `lo` = (SELECT max(`lo`) FROM `search_spans` WHERE `lo` <= old.`doc_id`);
	UPDATE `search_spans` SET `docs` = `docs` + 1 WHERE `lo` = (SELECT max(`lo`) FROM `search_spans` WHERE `lo` <= new.`doc_id`);
END;
--> statement-breakpoint
-- The split. `docs` grows by one per document insert, so `new.docs > old.docs` holds when an
-- insert brought the span to the threshold, never for the subtraction below: the trigger cannot
-- fire itself again, whether or not recursive triggers are on. The new span starts at the bucket
-- of the span's span_docs-th document, or at the next bucket when that bucket is the span's
-- first; when the span is a single bucket there is nowhere to split and nothing happens.
CREATE TRIGGER `search_spans_split` AFTER UPDATE OF `docs` ON `search_spans`
WHEN new.`docs` > old.`docs` AND new.`docs` >= 2 * (SELECT `span_docs` FROM `search_settings` WHERE `id` = 1) BEGIN
	INSERT INTO `search_spans` (`lo`, `docs`)
	SELECT c.`at`, (SELECT count(*) FROM `user_search_documents` d WHERE d.`doc_id` >= c.`at` AND d.`doc_id` < c.`hi`)
	FROM (
		SELECT
			CASE WHEN (m.`mid` & ~1048575) > new.`lo` THEN m.`mid` & ~1048575 ELSE (m.`mid` | 1048575) + 1 END AS `at`,
			m.`hi` AS `hi`
		FROM (
			SELECT
				(SELECT `doc_id` FROM `user_search_documents` WHERE `doc_id` >= new.`lo` ORDER BY `doc_id`
					LIMIT 1 OFFSET (SELECT `span_docs` FROM `search_settings` WHERE `id` = 1)) AS `mid`,
				coalesce((SELECT min(`lo`) FROM `search_spans` WHERE `lo` > new.`lo`), 9223372036854775807) AS `hi`
		) m
		WHERE m.`mid` IS NOT NULL
	) c
	WHERE c.`at` < c.`hi`;
END;
--> statement-breakpoint
-- A new span takes its documents from the span below it (the one that was split).
CREATE TRIGGER `search_spans_ai` AFTER INSERT ON `search_spans` BEGIN
	UPDATE `search_spans` SET `docs` = `docs` - new.`docs` WHERE `lo` = (SELECT max(`lo`) FROM `search_spans` WHERE `lo` < new.`lo`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_spans_merge_empty` AFTER UPDATE OF `docs` ON `search_spans`
WHEN new.`docs` = 0 AND new.`lo` <> -9223372036854775808 BEGIN
	DELETE FROM `search_spans` WHERE `lo` = new.`lo`;
END;
