-- Searches in any order read about the page's rows, not every match (issue 8, rows read).
--
-- FTS5 can sort its matches itself: with `rank MATCH 'highlight(<column>, '''', '''')'` and
-- `ORDER BY rank`, it ranks every match by the text of one of its columns, sorts them inside the
-- virtual table and hands the query only the rows the query consumes (LIMIT/OFFSET): a page
-- reads about two rows per row instead of about four rows per match (see
-- workers/db/user-search.ts, userRowsRankedQuery). So every search document now carries one
-- sort key per order other than created_at (FTS rowids already follow created_at, migration
-- 0002), in UNINDEXED columns: stored with the document, never tokenised, so a key change never
-- touches the FTS index.
--
-- A key's bytes sort exactly like the API's order `value nulls last, id` (BINARY collation) for
-- the values the API stores (text in the text columns, integers in the timestamps):
-- - text: '1', hex() of the value's UTF-8 bytes (hex digits sort like the bytes they spell, and
--   the value may hold U+0000, which SQLite's text functions stop at), a space (below every hex
--   digit, so a value sorts before the values it is a prefix of), the user id;
-- - integer timestamps: '1', then '0' and the 19 digits of value + 2^63 for negative values or
--   '1' and the 19 digits of the value otherwise, a space, the user id;
-- - NULL values have NULL keys. The FTS table's content is the view user_search_source, which
--   puts them last in both directions: '2' || id in the ascending column and '0' || id in the
--   descending one (every non-NULL key starts with '1').
--
-- user_sort_keys is the one definition of the keys: the backfill and the triggers read it.
-- Every update of a column a key depends on (updated_at changes on almost every user update)
-- rewrites the user's keys: one more row written per user update.
DROP TRIGGER `user_search_documents_ai`;
--> statement-breakpoint
DROP TRIGGER `user_search_documents_ad`;
--> statement-breakpoint
DROP TRIGGER `user_search_documents_au`;
--> statement-breakpoint
DROP TRIGGER `users_search_ai`;
--> statement-breakpoint
DROP TABLE `user_search`;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_updated_at` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_email_address` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_web3wallet` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_first_name` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_last_name` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_phone_number` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_username` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_last_active_at` text;
--> statement-breakpoint
ALTER TABLE `user_search_documents` ADD COLUMN `sort_last_sign_in_at` text;
--> statement-breakpoint
CREATE VIEW `user_sort_keys` AS
SELECT
	u.id AS user_id,
	CASE WHEN u.updated_at < 0 THEN '10' || printf('%019d', u.updated_at + 9223372036854775807 + 1) WHEN u.updated_at >= 0 THEN '11' || printf('%019d', u.updated_at) END || ' ' || u.id AS sort_updated_at,
	CASE WHEN u.primary_email_address_sort IS NOT NULL THEN '1' || hex(u.primary_email_address_sort) || ' ' || u.id END AS sort_email_address,
	CASE WHEN u.primary_web3_wallet_sort IS NOT NULL THEN '1' || hex(u.primary_web3_wallet_sort) || ' ' || u.id END AS sort_web3wallet,
	CASE WHEN u.first_name IS NOT NULL THEN '1' || hex(u.first_name) || ' ' || u.id END AS sort_first_name,
	CASE WHEN u.last_name IS NOT NULL THEN '1' || hex(u.last_name) || ' ' || u.id END AS sort_last_name,
	CASE WHEN u.primary_phone_number_sort IS NOT NULL THEN '1' || hex(u.primary_phone_number_sort) || ' ' || u.id END AS sort_phone_number,
	CASE WHEN u.username_normalized IS NOT NULL THEN '1' || hex(u.username_normalized) || ' ' || u.id END AS sort_username,
	CASE WHEN u.last_active_at < 0 THEN '10' || printf('%019d', u.last_active_at + 9223372036854775807 + 1) WHEN u.last_active_at >= 0 THEN '11' || printf('%019d', u.last_active_at) END || ' ' || u.id AS sort_last_active_at,
	CASE WHEN u.last_sign_in_at < 0 THEN '10' || printf('%019d', u.last_sign_in_at + 9223372036854775807 + 1) WHEN u.last_sign_in_at >= 0 THEN '11' || printf('%019d', u.last_sign_in_at) END || ' ' || u.id AS sort_last_sign_in_at
FROM users u;
--> statement-breakpoint
UPDATE user_search_documents SET (sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at) = (SELECT sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at FROM user_sort_keys k WHERE k.user_id = user_search_documents.user_id);
--> statement-breakpoint
CREATE VIEW `user_search_source` AS
SELECT
	doc_id, user_id, name, username, emails, phones, wallets,
	coalesce(sort_updated_at, '2' || user_id) AS updated_at_asc, coalesce(sort_updated_at, '0' || user_id) AS updated_at_desc,
	coalesce(sort_email_address, '2' || user_id) AS email_address_asc, coalesce(sort_email_address, '0' || user_id) AS email_address_desc,
	coalesce(sort_web3wallet, '2' || user_id) AS web3wallet_asc, coalesce(sort_web3wallet, '0' || user_id) AS web3wallet_desc,
	coalesce(sort_first_name, '2' || user_id) AS first_name_asc, coalesce(sort_first_name, '0' || user_id) AS first_name_desc,
	coalesce(sort_last_name, '2' || user_id) AS last_name_asc, coalesce(sort_last_name, '0' || user_id) AS last_name_desc,
	coalesce(sort_phone_number, '2' || user_id) AS phone_number_asc, coalesce(sort_phone_number, '0' || user_id) AS phone_number_desc,
	coalesce(sort_username, '2' || user_id) AS username_asc, coalesce(sort_username, '0' || user_id) AS username_desc,
	coalesce(sort_last_active_at, '2' || user_id) AS last_active_at_asc, coalesce(sort_last_active_at, '0' || user_id) AS last_active_at_desc,
	coalesce(sort_last_sign_in_at, '2' || user_id) AS last_sign_in_at_asc, coalesce(sort_last_sign_in_at, '0' || user_id) AS last_sign_in_at_desc
FROM user_search_documents;
--> statement-breakpoint
-- Column order matters: workers/db/user-search.ts addresses the key columns by index
-- (SEARCH_SORT_COLUMNS): 6 + 2·i for the ascending and 7 + 2·i for the descending column of the
-- i-th order of that list.
CREATE VIRTUAL TABLE `user_search` USING fts5(
	user_id, name, username, emails, phones, wallets,
	updated_at_asc UNINDEXED, updated_at_desc UNINDEXED,
	email_address_asc UNINDEXED, email_address_desc UNINDEXED,
	web3wallet_asc UNINDEXED, web3wallet_desc UNINDEXED,
	first_name_asc UNINDEXED, first_name_desc UNINDEXED,
	last_name_asc UNINDEXED, last_name_desc UNINDEXED,
	phone_number_asc UNINDEXED, phone_number_desc UNINDEXED,
	username_asc UNINDEXED, username_desc UNINDEXED,
	last_active_at_asc UNINDEXED, last_active_at_desc UNINDEXED,
	last_sign_in_at_asc UNINDEXED, last_sign_in_at_desc UNINDEXED,
	content='user_search_source', content_rowid='doc_id',
	tokenize='trigram case_sensitive 0'
);
--> statement-breakpoint
INSERT INTO user_search(user_search) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `user_search_documents_ai` AFTER INSERT ON `user_search_documents` BEGIN
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets)
	VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
--> statement-breakpoint
CREATE TRIGGER `user_search_documents_ad` AFTER DELETE ON `user_search_documents` BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets)
	VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
END;
--> statement-breakpoint
-- Only the indexed columns and the rowid: a sort key change leaves the index alone.
CREATE TRIGGER `user_search_documents_au` AFTER UPDATE OF doc_id, user_id, name, username, emails, phones, wallets ON `user_search_documents` BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets)
	VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets)
	VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
--> statement-breakpoint
-- As in migration 0002, plus the sort keys.
CREATE TRIGGER `users_search_ai` AFTER INSERT ON `users` BEGIN
	SELECT raise(ABORT, 'user_search_documents: too many users created in the same millisecond')
	WHERE (SELECT max(doc_id) FROM user_search_documents
		WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575)
		= (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575;
	INSERT INTO user_search_documents(doc_id, user_id, name, username, sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at)
	SELECT
		coalesce(
			(SELECT max(doc_id) + 1 FROM user_search_documents
				WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575),
			(max(0, min(new.created_at, 8796093022207)) << 20)
		),
		new.id,
		trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')),
		coalesce(new.username_normalized, ''),
		k.sort_updated_at, k.sort_email_address, k.sort_web3wallet, k.sort_first_name, k.sort_last_name, k.sort_phone_number, k.sort_username, k.sort_last_active_at, k.sort_last_sign_in_at
	FROM user_sort_keys k WHERE k.user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_sort_au` AFTER UPDATE OF updated_at, primary_email_address_sort, primary_web3_wallet_sort, first_name, last_name, primary_phone_number_sort, username_normalized, last_active_at, last_sign_in_at ON `users` BEGIN
	UPDATE user_search_documents SET (sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at) = (SELECT sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at FROM user_sort_keys k WHERE k.user_id = new.id)
	WHERE user_id = new.id;
END;
