-- Derived objects (workers/db/derived/), placed by npm run db:generate around drizzle-kit's statements:
-- every view and trigger re-created as defined there (--recreate), no data recomputed
--
-- Issue 14: every derived object now has one definition, workers/db/derived/, and sqlite_master
-- must hold exactly those (test/routes/derived-objects.test.ts). The views and triggers that
-- migrations 0001-0009 created mean the same but are written differently (layout, quoting, one
-- pair of parentheses in users_search_created_at_au), so they are re-created here; that changes
-- no row. The tables and the FTS table already match and are left alone: no index rebuild.
DROP TRIGGER IF EXISTS users_totals_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_totals_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS backup_codes_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS backup_codes_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS backup_codes_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS external_accounts_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS external_accounts_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS external_accounts_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS passkeys_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS passkeys_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS passkeys_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_children_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_children_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_children_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS search_spans_merge_empty;
--> statement-breakpoint
DROP TRIGGER IF EXISTS search_spans_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS search_spans_split;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_span_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_span_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_span_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_search_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_search_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS web3_wallets_search_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_search_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_search_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS phone_numbers_search_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_search_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_search_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS email_addresses_search_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_search_sort_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_search_created_at_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_search_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_search_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS users_search_ai;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_au;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_ad;
--> statement-breakpoint
DROP TRIGGER IF EXISTS user_search_documents_ai;
--> statement-breakpoint
DROP VIEW IF EXISTS user_children_documents;
--> statement-breakpoint
DROP VIEW IF EXISTS user_search_source;
--> statement-breakpoint
DROP VIEW IF EXISTS user_sort_keys;
--> statement-breakpoint
CREATE VIEW user_sort_keys AS
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
CREATE VIEW user_search_source AS
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
CREATE VIEW user_children_documents AS SELECT
	u.id AS user_id,
	json_object(
		'e', json((SELECT json_group_array(json_object('id', id, 'email_address', email_address, 'email_address_normalized', email_address_normalized, 'reserved', reserved, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM email_addresses WHERE user_id = u.id)),
		'p', json((SELECT json_group_array(json_object('id', id, 'phone_number', phone_number, 'reserved', reserved, 'reserved_for_second_factor', reserved_for_second_factor, 'default_second_factor', default_second_factor, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM phone_numbers WHERE user_id = u.id)),
		'w', json((SELECT json_group_array(json_object('id', id, 'web3_wallet', web3_wallet, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM web3_wallets WHERE user_id = u.id)),
		'k', json((SELECT json_group_array(json_object('id', id, 'name', name, 'last_used_at', last_used_at, 'created_at', created_at, 'updated_at', updated_at)) FROM passkeys WHERE user_id = u.id)),
		'x', json((SELECT json_group_array(json_object('id', id, 'provider', provider, 'identification_id', identification_id, 'provider_user_id', provider_user_id, 'approved_scopes', approved_scopes, 'email_address', email_address, 'first_name', first_name, 'last_name', last_name, 'username', username, 'image_url', image_url, 'phone_number', phone_number, 'label', label, 'public_metadata', public_metadata, 'token_expires_at', token_expires_at, 'created_at', created_at, 'updated_at', updated_at)) FROM external_accounts WHERE user_id = u.id)),
		'b', (SELECT count(*) FROM backup_codes WHERE user_id = u.id)
	) AS doc
FROM users u;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_ai AFTER INSERT ON user_search_documents BEGIN
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets) VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_ad AFTER DELETE ON user_search_documents BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets) VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
END;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_au AFTER UPDATE OF doc_id, user_id, name, username, emails, phones, wallets ON user_search_documents BEGIN
	INSERT INTO user_search(user_search, rowid, user_id, name, username, emails, phones, wallets) VALUES ('delete', old.doc_id, old.user_id, old.name, old.username, old.emails, old.phones, old.wallets);
	INSERT INTO user_search(rowid, user_id, name, username, emails, phones, wallets) VALUES (new.doc_id, new.user_id, new.name, new.username, new.emails, new.phones, new.wallets);
END;
--> statement-breakpoint
CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
	SELECT raise(ABORT, 'user_search_documents: too many users created in the same millisecond')
	WHERE (SELECT max(doc_id) FROM user_search_documents WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575) = (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575;
	INSERT INTO user_search_documents(doc_id, user_id, name, username, sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at)
	SELECT coalesce((SELECT max(doc_id) + 1 FROM user_search_documents WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575), (max(0, min(new.created_at, 8796093022207)) << 20)), new.id, trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')), coalesce(new.username_normalized, ''), k.sort_updated_at, k.sort_email_address, k.sort_web3wallet, k.sort_first_name, k.sort_last_name, k.sort_phone_number, k.sort_username, k.sort_last_active_at, k.sort_last_sign_in_at
	FROM user_sort_keys k WHERE k.user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER users_search_au AFTER UPDATE OF first_name, last_name, username_normalized ON users BEGIN
	UPDATE user_search_documents SET name = trim(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')), username = coalesce(new.username_normalized, '') WHERE user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
	DELETE FROM user_search_documents WHERE user_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER users_search_created_at_au AFTER UPDATE OF created_at ON users
WHEN max(0, min(old.created_at, 8796093022207)) <> max(0, min(new.created_at, 8796093022207)) BEGIN
	SELECT raise(ABORT, 'user_search_documents: too many users created in the same millisecond')
	WHERE (SELECT max(doc_id) FROM user_search_documents WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575) = (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575;
	UPDATE user_search_documents SET doc_id = coalesce((SELECT max(doc_id) + 1 FROM user_search_documents WHERE doc_id BETWEEN (max(0, min(new.created_at, 8796093022207)) << 20) AND (max(0, min(new.created_at, 8796093022207)) << 20) + 1048575), (max(0, min(new.created_at, 8796093022207)) << 20)) WHERE user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER users_search_sort_au AFTER UPDATE OF updated_at, primary_email_address_sort, primary_web3_wallet_sort, first_name, last_name, primary_phone_number_sort, username_normalized, last_active_at, last_sign_in_at ON users BEGIN
	UPDATE user_search_documents SET (sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at) = (SELECT sort_updated_at, sort_email_address, sort_web3wallet, sort_first_name, sort_last_name, sort_phone_number, sort_username, sort_last_active_at, sort_last_sign_in_at FROM user_sort_keys k WHERE k.user_id = new.id)
	WHERE user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_search_ai AFTER INSERT ON email_addresses BEGIN
	UPDATE user_search_documents SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = new.user_id), '') WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_search_au AFTER UPDATE OF email_address_normalized, user_id ON email_addresses BEGIN
	UPDATE user_search_documents SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = user_search_documents.user_id), '') WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_search_ad AFTER DELETE ON email_addresses BEGIN
	UPDATE user_search_documents SET emails = coalesce((SELECT group_concat(email_address_normalized, ' ') FROM email_addresses WHERE user_id = old.user_id), '') WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_search_ai AFTER INSERT ON phone_numbers BEGIN
	UPDATE user_search_documents SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = new.user_id), '') WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_search_au AFTER UPDATE OF phone_number, user_id ON phone_numbers BEGIN
	UPDATE user_search_documents SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = user_search_documents.user_id), '') WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_search_ad AFTER DELETE ON phone_numbers BEGIN
	UPDATE user_search_documents SET phones = coalesce((SELECT group_concat(phone_number, ' ') FROM phone_numbers WHERE user_id = old.user_id), '') WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_search_ai AFTER INSERT ON web3_wallets BEGIN
	UPDATE user_search_documents SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = new.user_id), '') WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_search_au AFTER UPDATE OF web3_wallet, user_id ON web3_wallets BEGIN
	UPDATE user_search_documents SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = user_search_documents.user_id), '') WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_search_ad AFTER DELETE ON web3_wallets BEGIN
	UPDATE user_search_documents SET wallets = coalesce((SELECT group_concat(web3_wallet, ' ') FROM web3_wallets WHERE user_id = old.user_id), '') WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_span_ai AFTER INSERT ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs + 1 WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo <= new.doc_id);
END;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_span_ad AFTER DELETE ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs - 1 WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo <= old.doc_id);
END;
--> statement-breakpoint
CREATE TRIGGER user_search_documents_span_au AFTER UPDATE OF doc_id ON user_search_documents BEGIN
	UPDATE search_spans SET docs = docs - 1 WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo <= old.doc_id);
	UPDATE search_spans SET docs = docs + 1 WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo <= new.doc_id);
END;
--> statement-breakpoint
CREATE TRIGGER search_spans_split AFTER UPDATE OF docs ON search_spans
WHEN new.docs > old.docs AND new.docs >= 2 * (SELECT span_docs FROM search_settings WHERE id = 1) BEGIN
	INSERT INTO search_spans (lo, docs)
	SELECT c.at, (SELECT count(*) FROM user_search_documents d WHERE d.doc_id >= c.at AND d.doc_id < c.hi)
	FROM (
		SELECT
			CASE WHEN (m.mid & ~1048575) > new.lo THEN m.mid & ~1048575 ELSE (m.mid | 1048575) + 1 END AS at,
			m.hi AS hi
		FROM (
			SELECT
				(SELECT doc_id FROM user_search_documents WHERE doc_id >= new.lo ORDER BY doc_id LIMIT 1 OFFSET (SELECT span_docs FROM search_settings WHERE id = 1)) AS mid,
				coalesce((SELECT min(lo) FROM search_spans WHERE lo > new.lo), 9223372036854775807) AS hi
		) m
		WHERE m.mid IS NOT NULL
	) c
	WHERE c.at < c.hi;
END;
--> statement-breakpoint
CREATE TRIGGER search_spans_ai AFTER INSERT ON search_spans BEGIN
	UPDATE search_spans SET docs = docs - new.docs WHERE lo = (SELECT max(lo) FROM search_spans WHERE lo < new.lo);
END;
--> statement-breakpoint
CREATE TRIGGER search_spans_merge_empty AFTER UPDATE OF docs ON search_spans
WHEN new.docs = 0 AND new.lo <> -9223372036854775808 BEGIN
	DELETE FROM search_spans WHERE lo = new.lo;
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_children_ai AFTER INSERT ON email_addresses BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_children_au AFTER UPDATE OF user_id, email_address, email_address_normalized, reserved, verification_status, verification_strategy, created_at, updated_at ON email_addresses BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER email_addresses_children_ad AFTER DELETE ON email_addresses BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_children_ai AFTER INSERT ON phone_numbers BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_children_au AFTER UPDATE OF user_id, phone_number, reserved, reserved_for_second_factor, default_second_factor, verification_status, verification_strategy, created_at, updated_at ON phone_numbers BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER phone_numbers_children_ad AFTER DELETE ON phone_numbers BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_children_ai AFTER INSERT ON web3_wallets BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_children_au AFTER UPDATE OF user_id, web3_wallet, verification_status, verification_strategy, created_at, updated_at ON web3_wallets BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER web3_wallets_children_ad AFTER DELETE ON web3_wallets BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER passkeys_children_ai AFTER INSERT ON passkeys BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER passkeys_children_au AFTER UPDATE OF user_id, name, last_used_at, created_at, updated_at ON passkeys BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER passkeys_children_ad AFTER DELETE ON passkeys BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER external_accounts_children_ai AFTER INSERT ON external_accounts BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER external_accounts_children_au AFTER UPDATE OF user_id, provider, identification_id, provider_user_id, approved_scopes, email_address, first_name, last_name, username, image_url, phone_number, label, public_metadata, token_expires_at, created_at, updated_at ON external_accounts BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER external_accounts_children_ad AFTER DELETE ON external_accounts BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER backup_codes_children_ai AFTER INSERT ON backup_codes BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER backup_codes_children_au AFTER UPDATE OF user_id ON backup_codes BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER backup_codes_children_ad AFTER DELETE ON backup_codes BEGIN
	UPDATE users SET children_json = (SELECT doc FROM user_children_documents d WHERE d.user_id = users.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER users_totals_ai AFTER INSERT ON users BEGIN
	UPDATE user_totals SET users = users + 1 WHERE id = 1;
END;
--> statement-breakpoint
CREATE TRIGGER users_totals_ad AFTER DELETE ON users BEGIN
	UPDATE user_totals SET users = users - 1 WHERE id = 1;
END;
