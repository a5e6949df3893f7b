-- Rebuilds the user search index (user_search_documents + the user_search FTS5 table) from the
-- users, email_addresses, phone_numbers and web3_wallets tables. Run it after restoring data
-- that was imported without going through the API (e.g. a `wrangler d1 export --table …` backup):
--   wrangler d1 execute <database> --remote --file scripts/rebuild-user-search.sql
-- Same statements as the backfill in migrations/0002_search_created_at_order.sql: doc_id follows
-- created_at (buckets of one millisecond, see that migration), which searches ordered by
-- created_at rely on.
DELETE FROM user_search_documents;
INSERT INTO user_search(user_search) VALUES ('delete-all');
INSERT INTO user_search_documents(doc_id, user_id, name, username, emails, phones, wallets)
SELECT
	(max(0, min(u.created_at, 8796093022207)) << 20)
		+ row_number() OVER (PARTITION BY max(0, min(u.created_at, 8796093022207)) ORDER BY u.id) - 1,
	u.id,
	trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')),
	coalesce(u.username_normalized, ''),
	coalesce((SELECT group_concat(e.email_address_normalized, ' ') FROM email_addresses e WHERE e.user_id = u.id), ''),
	coalesce((SELECT group_concat(p.phone_number, ' ') FROM phone_numbers p WHERE p.user_id = u.id), ''),
	coalesce((SELECT group_concat(w.web3_wallet, ' ') FROM web3_wallets w WHERE w.user_id = u.id), '')
FROM users u;
