-- Search results in created_at order without sorting every match (issue 8, rows read).
--
-- FTS5 returns matches in rowid order and can stop after LIMIT rows, but only an order on rowid
-- is free. So doc_id (the FTS rowid) now follows users.created_at: the documents of users created
-- in millisecond t get doc_ids in the bucket [t << 20, (t + 1) << 20), in insertion order within
-- the bucket. Bucket order is created_at order; inside one bucket (one millisecond) the order is
-- not the API's (created_at, id) order, so a query that stops early reads the whole bucket of its
-- last row and sorts that bucket exactly (workers/db/user-search.ts).
--
-- created_at is clamped to [0, 2^43 - 1] (1970 to 2248) so every doc_id fits a signed 64-bit
-- integer; clamping keeps bucket order a (non-strict) created_at order, which is all the query
-- relies on. A bucket holds 2^20 users created in the same millisecond; the triggers refuse the
-- next one rather than let it spill into the following millisecond's bucket.
--
-- The index is rebuilt from scratch: triggers and the FTS table are dropped, the documents are
-- renumbered with a window function (an INSERT … SELECT reading its own target would see none of
-- its own rows), then the FTS table is rebuilt from them.
DROP TRIGGER `users_search_ai`;
--> statement-breakpoint
DROP TRIGGER `user_search_documents_ai`;
--> statement-breakpoint
DROP TRIGGER `user_search_documents_ad`;
--> statement-breakpoint
DROP TRIGGER `user_search_documents_au`;
--> statement-breakpoint
DROP TABLE `user_search`;
--> statement-breakpoint
DELETE FROM `user_search_documents`;
--> statement-breakpoint
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
--> statement-breakpoint
CREATE VIRTUAL TABLE `user_search` USING fts5(
	user_id, name, username, emails, phones, wallets,
	content='user_search_documents', content_rowid='doc_id',
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
CREATE TRIGGER `user_search_documents_au` AFTER UPDATE ON `user_search_documents` BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets)
	VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets)
	VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
--> statement-breakpoint
-- The next free doc_id of new.created_at's bucket. The bucket's highest doc_id is one read
-- (a backwards seek on the primary key), so a user insert costs one extra row read.
CREATE TRIGGER `users_search_ai` AFTER INSERT ON `users` BEGIN
	SELECT raise(ABORT, 'user_search_documents: too many users created in the same millisecond')
	WHERE (SELECT max(doc_id) FROM user_search_documents
		WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575)
		= (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575;
	INSERT INTO user_search_documents(doc_id, user_id, name, username)
	VALUES (
		coalesce(
			(SELECT max(doc_id) + 1 FROM user_search_documents
				WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575),
			max(0, min(new.created_at, 8796093022207)) << 20
		),
		new.id,
		trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')),
		coalesce(new.username_normalized, '')
	);
END;
--> statement-breakpoint
-- created_at can be changed (UpdateUser accepts it): move the document to its new bucket. The
-- documents' update trigger re-indexes it under the new rowid.
CREATE TRIGGER `users_search_created_at_au` AFTER UPDATE OF created_at ON `users`
WHEN max(0, min(old.created_at, 8796093022207)) <> max(0, min(new.created_at, 8796093022207)) BEGIN
	SELECT raise(ABORT, 'user_search_documents: too many users created in the same millisecond')
	WHERE (SELECT max(doc_id) FROM user_search_documents
		WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575)
		= (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575;
	UPDATE user_search_documents
	SET doc_id = coalesce(
		(SELECT max(doc_id) + 1 FROM user_search_documents
			WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575),
		max(0, min(new.created_at, 8796093022207)) << 20
	)
	WHERE user_id = new.id;
END;
