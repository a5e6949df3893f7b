CREATE TABLE `backup_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`digest` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `backup_codes_user_id_idx` ON `backup_codes` (`user_id`);--> statement-breakpoint
CREATE TABLE `email_addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`email_address` text NOT NULL,
	`email_address_normalized` text NOT NULL,
	`reserved` integer DEFAULT false NOT NULL,
	`verification_status` text,
	`verification_strategy` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_addresses_normalized_unique` ON `email_addresses` (`email_address_normalized`);--> statement-breakpoint
CREATE INDEX `email_addresses_user_id_idx` ON `email_addresses` (`user_id`);--> statement-breakpoint
CREATE TABLE `external_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`provider` text NOT NULL,
	`identification_id` text NOT NULL,
	`provider_user_id` text NOT NULL,
	`approved_scopes` text DEFAULT '' NOT NULL,
	`email_address` text DEFAULT '' NOT NULL,
	`first_name` text,
	`last_name` text,
	`username` text,
	`image_url` text,
	`phone_number` text,
	`label` text,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`access_token_encrypted` text,
	`refresh_token_encrypted` text,
	`id_token_encrypted` text,
	`token_secret_encrypted` text,
	`token_expires_at` integer,
	`refresh_lease_id` text,
	`refresh_lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `external_accounts_provider_user_unique` ON `external_accounts` (`provider`,`provider_user_id`);--> statement-breakpoint
CREATE INDEX `external_accounts_user_id_idx` ON `external_accounts` (`user_id`,`provider`);--> statement-breakpoint
CREATE TABLE `images` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`organization_id` text,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`etag` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `images_user_id_idx` ON `images` (`user_id`);--> statement-breakpoint
CREATE INDEX `images_organization_id_idx` ON `images` (`organization_id`);--> statement-breakpoint
CREATE TABLE `organization_invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`email_address` text NOT NULL,
	`email_address_normalized` text NOT NULL,
	`role` text NOT NULL,
	`inviter_user_id` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`url` text,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organization_invitations_org_idx` ON `organization_invitations` (`organization_id`,`status`);--> statement-breakpoint
CREATE INDEX `organization_invitations_email_idx` ON `organization_invitations` (`email_address_normalized`,`status`);--> statement-breakpoint
CREATE TABLE `organization_memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organization_memberships_org_user_unique` ON `organization_memberships` (`organization_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `organization_memberships_user_id_idx` ON `organization_memberships` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `organization_memberships_created_at_idx` ON `organization_memberships` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`image_id` text,
	`created_by` text,
	`max_allowed_memberships` integer DEFAULT 0 NOT NULL,
	`admin_delete_enabled` integer DEFAULT true NOT NULL,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_slug_unique` ON `organizations` (`slug`);--> statement-breakpoint
CREATE INDEX `organizations_created_at_idx` ON `organizations` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`credential_id` text NOT NULL,
	`public_key` text NOT NULL,
	`sign_count` integer DEFAULT 0 NOT NULL,
	`transports` text DEFAULT '[]' NOT NULL,
	`last_used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `passkeys_credential_id_unique` ON `passkeys` (`credential_id`);--> statement-breakpoint
CREATE INDEX `passkeys_user_id_idx` ON `passkeys` (`user_id`);--> statement-breakpoint
CREATE TABLE `phone_numbers` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`phone_number` text NOT NULL,
	`reserved` integer DEFAULT false NOT NULL,
	`reserved_for_second_factor` integer DEFAULT false NOT NULL,
	`default_second_factor` integer DEFAULT false NOT NULL,
	`verification_status` text,
	`verification_strategy` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `phone_numbers_phone_number_unique` ON `phone_numbers` (`phone_number`);--> statement-breakpoint
CREATE INDEX `phone_numbers_user_id_idx` ON `phone_numbers` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`external_id` text,
	`username` text,
	`username_normalized` text,
	`first_name` text,
	`last_name` text,
	`locale` text,
	`image_id` text,
	`primary_email_address_id` text,
	`primary_phone_number_id` text,
	`primary_web3_wallet_id` text,
	`primary_email_address_sort` text,
	`primary_phone_number_sort` text,
	`primary_web3_wallet_sort` text,
	`public_metadata` text DEFAULT '{}' NOT NULL,
	`private_metadata` text DEFAULT '{}' NOT NULL,
	`unsafe_metadata` text DEFAULT '{}' NOT NULL,
	`password_digest` text,
	`password_hasher` text,
	`password_last_updated_at` integer,
	`totp_secret_encrypted` text,
	`totp_last_used_step` integer,
	`backup_code_salt` text,
	`mfa_enabled_at` integer,
	`mfa_disabled_at` integer,
	`banned` integer DEFAULT false NOT NULL,
	`locked_at` integer,
	`locked_until` integer,
	`failed_verification_attempts` integer DEFAULT 0 NOT NULL,
	`delete_self_enabled` integer DEFAULT true NOT NULL,
	`create_organization_enabled` integer DEFAULT true NOT NULL,
	`create_organizations_limit` integer,
	`bypass_client_trust` integer DEFAULT false NOT NULL,
	`legal_accepted_at` integer,
	`last_active_at` integer,
	`last_sign_in_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_external_id_unique` ON `users` (`external_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_normalized_unique` ON `users` (`username_normalized`);--> statement-breakpoint
CREATE INDEX `users_created_at_idx` ON `users` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_updated_at_idx` ON `users` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_first_name_idx` ON `users` (`first_name`,`id`);--> statement-breakpoint
CREATE INDEX `users_last_name_idx` ON `users` (`last_name`,`id`);--> statement-breakpoint
CREATE INDEX `users_last_active_at_idx` ON `users` (`last_active_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_last_sign_in_at_idx` ON `users` (`last_sign_in_at`,`id`);--> statement-breakpoint
CREATE INDEX `users_banned_idx` ON `users` (`banned`,`created_at`);--> statement-breakpoint
CREATE INDEX `users_primary_email_sort_idx` ON `users` (`primary_email_address_sort`,`id`);--> statement-breakpoint
CREATE INDEX `users_primary_phone_sort_idx` ON `users` (`primary_phone_number_sort`,`id`);--> statement-breakpoint
CREATE INDEX `users_primary_web3_wallet_sort_idx` ON `users` (`primary_web3_wallet_sort`,`id`);--> statement-breakpoint
CREATE INDEX `users_username_sort_idx` ON `users` (`username_normalized`,`id`);--> statement-breakpoint
CREATE TABLE `web3_wallets` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`web3_wallet` text NOT NULL,
	`verification_status` text,
	`verification_strategy` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web3_wallets_web3_wallet_unique` ON `web3_wallets` (`web3_wallet`);--> statement-breakpoint
CREATE INDEX `web3_wallets_user_id_idx` ON `web3_wallets` (`user_id`);