-- Partial-match search over users (GET /v1/users?query=…, *_query). Hand-written: drizzle-kit
-- cannot generate FTS5 tables or triggers.
--
-- user_search_documents holds one row per user with the text that can be searched, folded where
-- the app already folds it (email_address_normalized, username_normalized). Multi-valued fields
-- are joined with a space: search terms never contain whitespace, so no term can match across two
-- values. The FTS5 table indexes those rows as external content (content_rowid = doc_id, an
-- INTEGER PRIMARY KEY, so rowids survive VACUUM, unlike users' implicit rowid).
--
-- The trigram tokenizer with case_sensitive 0 folds case with Unicode rules (É = é), and makes
-- every quoted phrase of 3+ characters a substring match.
--
-- Triggers keep both in step on every write to users, email_addresses, phone_numbers and
-- web3_wallets, so no service code has to remember the index. A user delete removes its document
-- through users_search_ad (independent of whether cascaded child deletes fire their triggers).
CREATE TABLE `user_search_documents` (
	`doc_id` integer PRIMARY KEY,
	`user_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`username` text DEFAULT '' NOT NULL,
	`emails` text DEFAULT '' NOT NULL,
	`phones` text DEFAULT '' NOT NULL,
	`wallets` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_search_documents_user_id_unique` ON `user_search_documents` (`user_id`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `user_search` USING fts5(
	user_id, name, username, emails, phones, wallets,
	content='user_search_documents', content_rowid='doc_id',
	tokenize='trigram case_sensitive 0'
);
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
CREATE TRIGGER `users_search_ai` AFTER INSERT ON `users` BEGIN
	INSERT INTO user_search_documents(user_id, name, username)
	VALUES (new.id, trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')), coalesce(new.username_normalized, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_au` AFTER UPDATE OF first_name, last_name, username_normalized ON `users` BEGIN
	UPDATE user_search_documents
	SET name = trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')), username = coalesce(new.username_normalized, '')
	WHERE user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `users_search_ad` AFTER DELETE ON `users` BEGIN
	DELETE FROM user_search_documents WHERE user_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_search_ai` AFTER INSERT ON `email_addresses` BEGIN
	UPDATE user_search_documents
	SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = new.user_id), '')
	WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_search_au` AFTER UPDATE OF email_address_normalized, user_id ON `email_addresses` BEGIN
	UPDATE user_search_documents
	SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = user_search_documents.user_id), '')
	WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_search_ad` AFTER DELETE ON `email_addresses` BEGIN
	UPDATE user_search_documents
	SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = old.user_id), '')
	WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_search_ai` AFTER INSERT ON `phone_numbers` BEGIN
	UPDATE user_search_documents
	SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = new.user_id), '')
	WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_search_au` AFTER UPDATE OF phone_number, user_id ON `phone_numbers` BEGIN
	UPDATE user_search_documents
	SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = user_search_documents.user_id), '')
	WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_search_ad` AFTER DELETE ON `phone_numbers` BEGIN
	UPDATE user_search_documents
	SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = old.user_id), '')
	WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_search_ai` AFTER INSERT ON `web3_wallets` BEGIN
	UPDATE user_search_documents
	SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = new.user_id), '')
	WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_search_au` AFTER UPDATE OF web3_wallet, user_id ON `web3_wallets` BEGIN
	UPDATE user_search_documents
	SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = user_search_documents.user_id), '')
	WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_search_ad` AFTER DELETE ON `web3_wallets` BEGIN
	UPDATE user_search_documents
	SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = old.user_id), '')
	WHERE user_id = old.user_id;
END;
--> statement-breakpoint
-- Backfill users that existed before this migration; the documents' insert trigger indexes them.
INSERT INTO user_search_documents(user_id, name, username, emails, phones, wallets)
SELECT
	u.id,
	trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')),
	coalesce(u.username_normalized, ''),
	coalesce((SELECT group_concat(e.email_address_normalized, ' ') FROM email_addresses e WHERE e.user_id = u.id), ''),
	coalesce((SELECT group_concat(p.phone_number, ' ') FROM phone_numbers p WHERE p.user_id = u.id), ''),
	coalesce((SELECT group_concat(w.web3_wallet, ' ') FROM web3_wallets w WHERE w.user_id = u.id), '')
FROM users u;
