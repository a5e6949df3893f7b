-- Rebuilds every derived copy from the tables it is derived from: the user search index
-- (user_search_documents + the user_search FTS5 table), its spans (search_spans),
-- users.children_json and user_totals.
-- Run it after restoring data that was imported without going through the API (e.g. a
-- `wrangler d1 export --table …` backup):
--   wrangler d1 execute <database> --remote --file scripts/rebuild-derived-data.sql
-- Same statements as the backfill in migrations/0002_search_created_at_order.sql: doc_id follows
-- created_at (buckets of one millisecond, see that migration), which searches ordered by
-- created_at rely on; the sort keys come from the view user_sort_keys
-- (migrations/0007_search_sort_keys.sql).
-- The triggers that feed the FTS index from the documents are dropped first: deleting a document
-- tells FTS5 to delete its entries, which it refuses ("database disk image is malformed") when a
-- damaged index no longer holds them. The index is then rebuilt from the documents in one step,
-- and the triggers are put back exactly as migrations/0007_search_sort_keys.sql made them.
DROP TRIGGER IF EXISTS user_search_documents_ai;
DROP TRIGGER IF EXISTS user_search_documents_ad;
DROP TRIGGER IF EXISTS user_search_documents_au;
DELETE FROM user_search_documents;
INSERT INTO user_search_documents(doc_id, user_id, name, username, emails, phones, wallets,
	sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at)
SELECT
	(max(0, min(u.created_at, 8796093022207)) << 20)
		+ row_number() OVER (PARTITION BY max(0, min(u.created_at, 8796093022207)) ORDER BY u.id) - 1,
	u.id,
	trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')),
	coalesce(u.username_normalized, ''),
	coalesce((SELECT group_concat(e.email_address_normalized, ' ') FROM email_addresses e WHERE e.user_id = u.id), ''),
	coalesce((SELECT group_concat(p.phone_number, ' ') FROM phone_numbers p WHERE p.user_id = u.id), ''),
	coalesce((SELECT group_concat(w.web3_wallet, ' ') FROM web3_wallets w WHERE w.user_id = u.id), ''),
	k.sort_updated_at, k.sort_email_address, k.sort_web3wallet, k.sort_first_name, k.sort_last_name, k.sort_phone_number, k.sort_username, k.sort_last_active_at, k.sort_last_sign_in_at
FROM users u JOIN user_sort_keys k ON k.user_id = u.id;
INSERT INTO user_search(user_search) VALUES ('rebuild');
CREATE TRIGGER `user_search_documents_ai` AFTER INSERT ON `user_search_documents` BEGIN
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets)
	VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
CREATE TRIGGER `user_search_documents_ad` AFTER DELETE ON `user_search_documents` BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets)
	VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
END;
CREATE TRIGGER `user_search_documents_au` AFTER UPDATE OF doc_id, user_id, name, username, emails, phones, wallets ON `user_search_documents` BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets)
	VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets)
	VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
-- Same document as migrations/0004_children_json.sql and its triggers.
UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id);
-- The user count of migrations/0005_user_totals.sql.
INSERT OR REPLACE INTO user_totals (id, users) SELECT 1, count(*) FROM users;
-- The spans of migrations/0009_search_spans.sql, recomputed from the documents as that
-- migration's backfill does (every span_docs documents, at bucket starts).
DELETE FROM search_spans;
INSERT INTO search_spans (lo, docs) VALUES (-9223372036854775808, 0);
INSERT OR IGNORE INTO search_spans (lo, docs)
SELECT doc_id & ~1048575, 0 FROM (SELECT doc_id, row_number() OVER (ORDER BY doc_id) AS n FROM user_search_documents)
WHERE n > 1 AND (n - 1) % (SELECT span_docs FROM search_settings WHERE id = 1) = 0;
UPDATE search_spans SET docs = (
	SELECT count(*) FROM user_search_documents d
	WHERE d.doc_id >= search_spans.lo
		AND d.doc_id < coalesce((SELECT min(s.lo) FROM search_spans s WHERE s.lo > search_spans.lo), 9223372036854775807)
);
