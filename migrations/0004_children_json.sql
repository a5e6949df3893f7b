ALTER TABLE `users` ADD `children_json` text;
--> statement-breakpoint
-- Issue 8 (rows read): a page of N users must cost about N rows, but reading each user's emails,
-- phones, wallets, passkeys and external accounts from their own tables costs one row per child
-- row plus one per non-empty list. So the user row carries a JSON copy of exactly the child
-- columns the User JSON is built from (never digests, keys or tokens), and the backup-code
-- count: {"e": emails, "p": phones, "w": wallets, "k": passkeys, "x": external accounts,
-- "b": backup codes}, keys of each element being the child table's column names.
--
-- The document is defined once, by the view below; every trigger recomputes it whole for the
-- user(s) whose child rows changed, inside the same statement, so it can never disagree with
-- the child tables. Element order is not guaranteed here: the reader sorts (created_at, id).
-- When a user is deleted, the cascaded child deletes update no row.
CREATE VIEW `user_children_documents` AS SELECT
	u.id AS user_id,
	json_object(
		'e', json((SELECT json_group_array(json_object('id', id, 'email_address', email_address, 'email_address_normalized', email_address_normalized, 'reserved', reserved, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM `email_addresses` WHERE user_id = u.id)),
		'p', json((SELECT json_group_array(json_object('id', id, 'phone_number', phone_number, 'reserved', reserved, 'reserved_for_second_factor', reserved_for_second_factor, 'default_second_factor', default_second_factor, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM `phone_numbers` WHERE user_id = u.id)),
		'w', json((SELECT json_group_array(json_object('id', id, 'web3_wallet', web3_wallet, 'verification_status', verification_status, 'verification_strategy', verification_strategy, 'created_at', created_at, 'updated_at', updated_at)) FROM `web3_wallets` WHERE user_id = u.id)),
		'k', json((SELECT json_group_array(json_object('id', id, 'name', name, 'last_used_at', last_used_at, 'created_at', created_at, 'updated_at', updated_at)) FROM `passkeys` WHERE user_id = u.id)),
		'x', json((SELECT json_group_array(json_object('id', id, 'provider', provider, 'identification_id', identification_id, 'provider_user_id', provider_user_id, 'approved_scopes', approved_scopes, 'email_address', email_address, 'first_name', first_name, 'last_name', last_name, 'username', username, 'image_url', image_url, 'phone_number', phone_number, 'label', label, 'public_metadata', public_metadata, 'token_expires_at', token_expires_at, 'created_at', created_at, 'updated_at', updated_at)) FROM `external_accounts` WHERE user_id = u.id)),
		'b', (SELECT count(*) FROM `backup_codes` WHERE user_id = u.id)
	) AS doc
FROM `users` u;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_children_ai` AFTER INSERT ON `email_addresses` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_children_au` AFTER UPDATE OF user_id, email_address, email_address_normalized, reserved, verification_status, verification_strategy, created_at, updated_at ON `email_addresses` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `email_addresses_children_ad` AFTER DELETE ON `email_addresses` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_children_ai` AFTER INSERT ON `phone_numbers` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_children_au` AFTER UPDATE OF user_id, phone_number, reserved, reserved_for_second_factor, default_second_factor, verification_status, verification_strategy, created_at, updated_at ON `phone_numbers` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `phone_numbers_children_ad` AFTER DELETE ON `phone_numbers` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_children_ai` AFTER INSERT ON `web3_wallets` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_children_au` AFTER UPDATE OF user_id, web3_wallet, verification_status, verification_strategy, created_at, updated_at ON `web3_wallets` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `web3_wallets_children_ad` AFTER DELETE ON `web3_wallets` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `passkeys_children_ai` AFTER INSERT ON `passkeys` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `passkeys_children_au` AFTER UPDATE OF user_id, name, last_used_at, created_at, updated_at ON `passkeys` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `passkeys_children_ad` AFTER DELETE ON `passkeys` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `external_accounts_children_ai` AFTER INSERT ON `external_accounts` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `external_accounts_children_au` AFTER UPDATE OF user_id, provider, identification_id, provider_user_id, approved_scopes, email_address, first_name, last_name, username, image_url, phone_number, label, public_metadata, token_expires_at, created_at, updated_at ON `external_accounts` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `external_accounts_children_ad` AFTER DELETE ON `external_accounts` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `backup_codes_children_ai` AFTER INSERT ON `backup_codes` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER `backup_codes_children_au` AFTER UPDATE OF user_id ON `backup_codes` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER `backup_codes_children_ad` AFTER DELETE ON `backup_codes` BEGIN
	UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id) WHERE id = old.user_id;
END;
--> statement-breakpoint
-- Backfill: users that already have child rows (the rest keep NULL, read as "no children").
UPDATE `users` SET children_json = (SELECT doc FROM `user_children_documents` d WHERE d.user_id = `users`.id)
WHERE EXISTS (SELECT 1 FROM `email_addresses` c WHERE c.user_id = `users`.id)
	OR EXISTS (SELECT 1 FROM `phone_numbers` c WHERE c.user_id = `users`.id)
	OR EXISTS (SELECT 1 FROM `web3_wallets` c WHERE c.user_id = `users`.id)
	OR EXISTS (SELECT 1 FROM `passkeys` c WHERE c.user_id = `users`.id)
	OR EXISTS (SELECT 1 FROM `external_accounts` c WHERE c.user_id = `users`.id)
	OR EXISTS (SELECT 1 FROM `backup_codes` c WHERE c.user_id = `users`.id);
