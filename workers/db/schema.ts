/**
 * The only table definitions. Every timestamp is epoch milliseconds (integer), every
 * boolean an integer 0/1, every metadata object a JSON text column.
 *
 * Case-insensitive uniqueness: SQLite's NOCASE folds ASCII only, so each email address
 * and username also stores a folded copy (`*_normalized`: lower-cased, NFC for emails, NFKC for
 * usernames) that the unique index is built on. See workers/db/identifier-folding.mjs.
 *
 * Derived SQL objects read these tables and are invisible to drizzle-kit: the search index, its
 * spans, the children_json view and triggers, the user count triggers. They are defined once, in
 * workers/db/derived/. After changing this file, run `npm run db:generate` (never `drizzle-kit
 * generate` alone): when drizzle-kit recreates a table to change it (the `__new_<table>`
 * copy-and-rename it emits for SQLite, which would drop the table's triggers and fail on the views
 * that read it), the wrapper drops and re-creates every derived object that depends on the table
 * around it. It warns when the copied table is a parent of ON DELETE CASCADE keys: on D1 a
 * migration cannot turn foreign keys off, so dropping such a table deletes its children's rows;
 * such a migration has to be written by hand. CI fails while a change here has no migration.
 */

import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => integer("created_at").notNull();
const updatedAt = () => integer("updated_at").notNull();
const jsonObject = (name: string) => text(name).notNull().default("{}");

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    externalId: text("external_id"),
    username: text("username"),
    usernameNormalized: text("username_normalized"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    locale: text("locale"),
    imageId: text("image_id"),
    primaryEmailAddressId: text("primary_email_address_id"),
    primaryPhoneNumberId: text("primary_phone_number_id"),
    primaryWeb3WalletId: text("primary_web3_wallet_id"),
    // Denormalised copies of the primary identifiers' (normalised) values, kept in step by the
    // db layer whenever a primary changes, so that order_by on them is served by an index.
    primaryEmailAddressSort: text("primary_email_address_sort"),
    primaryPhoneNumberSort: text("primary_phone_number_sort"),
    primaryWeb3WalletSort: text("primary_web3_wallet_sort"),
    publicMetadata: jsonObject("public_metadata"),
    privateMetadata: jsonObject("private_metadata"),
    unsafeMetadata: jsonObject("unsafe_metadata"),
    // Password credential: digest in the hasher's own format, never serialised.
    passwordDigest: text("password_digest"),
    passwordHasher: text("password_hasher"),
    passwordLastUpdatedAt: integer("password_last_updated_at"),
    // Set by POST password/set_compromised, cleared by unset_compromised and whenever the
    // password changes or is removed. Stored for the sign-in flow; the 2026-05-12 User schema
    // has no field for it.
    passwordCompromisedAt: integer("password_compromised_at"),
    // TOTP secret, AES-GCM encrypted under CREDENTIALS_ENCRYPTION_KEY.
    totpSecretEncrypted: text("totp_secret_encrypted"),
    // Highest TOTP time step already accepted (replay protection).
    totpLastUsedStep: integer("totp_last_used_step"),
    // Per-user salt of the HMAC under which plain backup codes are stored.
    backupCodeSalt: text("backup_code_salt"),
    mfaEnabledAt: integer("mfa_enabled_at"),
    mfaDisabledAt: integer("mfa_disabled_at"),
    banned: integer("banned", { mode: "boolean" }).notNull().default(false),
    // Lockout: when the lock was applied and when it ends (null = indefinite while lockedAt is set).
    lockedAt: integer("locked_at"),
    lockedUntil: integer("locked_until"),
    // Failed attempts per factor (workers/services/lockout.ts): verify_password, and verify_totp
    // (TOTP and backup codes). The password's column keeps the name it had when it counted both.
    failedPasswordAttempts: integer("failed_verification_attempts").notNull().default(0),
    failedSecondFactorAttempts: integer("failed_second_factor_attempts").notNull().default(0),
    deleteSelfEnabled: integer("delete_self_enabled", { mode: "boolean" }).notNull().default(true),
    createOrganizationEnabled: integer("create_organization_enabled", { mode: "boolean" }).notNull().default(true),
    createOrganizationsLimit: integer("create_organizations_limit"),
    bypassClientTrust: integer("bypass_client_trust", { mode: "boolean" }).notNull().default(false),
    legalAcceptedAt: integer("legal_accepted_at"),
    lastActiveAt: integer("last_active_at"),
    lastSignInAt: integer("last_sign_in_at"),
    // JSON copy of the serialised columns of the user's child rows (emails, phones, wallets,
    // passkeys, external accounts) and the backup-code count, rebuilt by triggers on every child
    // write (workers/db/derived/children.ts) so a page of users is read without touching the child tables.
    // NULL until the user has had a child row. Decoded by workers/db/users.ts aggregateOf.
    childrenJson: text("children_json"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_external_id_unique").on(t.externalId),
    uniqueIndex("users_username_normalized_unique").on(t.usernameNormalized),
    index("users_created_at_idx").on(t.createdAt, t.id),
    index("users_updated_at_idx").on(t.updatedAt, t.id),
    index("users_first_name_idx").on(t.firstName, t.id),
    index("users_last_name_idx").on(t.lastName, t.id),
    index("users_last_active_at_idx").on(t.lastActiveAt, t.id),
    index("users_last_sign_in_at_idx").on(t.lastSignInAt, t.id),
    index("users_banned_idx").on(t.banned, t.createdAt, t.id),
    index("users_primary_email_sort_idx").on(t.primaryEmailAddressSort, t.id),
    index("users_primary_phone_sort_idx").on(t.primaryPhoneNumberSort, t.id),
    index("users_primary_web3_wallet_sort_idx").on(t.primaryWeb3WalletSort, t.id),
    index("users_username_sort_idx").on(t.usernameNormalized, t.id),
  ],
);

/**
 * One row (id 1): how many users exist, kept by triggers on users (workers/db/derived/totals.ts),
 * so counting every user reads one row (see userCountQuery in db/user-search.ts).
 */
export const userTotals = sqliteTable("user_totals", {
  id: integer("id").primaryKey(),
  users: integer("users").notNull().default(0),
});

export const emailAddresses = sqliteTable(
  "email_addresses",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    emailAddress: text("email_address").notNull(),
    emailAddressNormalized: text("email_address_normalized").notNull(),
    reserved: integer("reserved", { mode: "boolean" }).notNull().default(false),
    // "verified" (verification_admin / from_oauth) or "unverified" (reserved, no verification).
    verificationStatus: text("verification_status"),
    verificationStrategy: text("verification_strategy"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("email_addresses_normalized_unique").on(t.emailAddressNormalized), index("email_addresses_user_id_idx").on(t.userId)],
);

export const phoneNumbers = sqliteTable(
  "phone_numbers",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    phoneNumber: text("phone_number").notNull(),
    reserved: integer("reserved", { mode: "boolean" }).notNull().default(false),
    reservedForSecondFactor: integer("reserved_for_second_factor", { mode: "boolean" }).notNull().default(false),
    defaultSecondFactor: integer("default_second_factor", { mode: "boolean" }).notNull().default(false),
    verificationStatus: text("verification_status"),
    verificationStrategy: text("verification_strategy"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("phone_numbers_phone_number_unique").on(t.phoneNumber), index("phone_numbers_user_id_idx").on(t.userId)],
);

export const web3Wallets = sqliteTable(
  "web3_wallets",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    web3Wallet: text("web3_wallet").notNull(),
    verificationStatus: text("verification_status"),
    verificationStrategy: text("verification_strategy"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("web3_wallets_web3_wallet_unique").on(t.web3Wallet), index("web3_wallets_user_id_idx").on(t.userId)],
);

export const passkeys = sqliteTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    signCount: integer("sign_count").notNull().default(0),
    transports: text("transports").notNull().default("[]"),
    lastUsedAt: integer("last_used_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("passkeys_credential_id_unique").on(t.credentialId), index("passkeys_user_id_idx").on(t.userId)],
);

export const externalAccounts = sqliteTable(
  "external_accounts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Provider with the oauth_ prefix, e.g. "oauth_google".
    provider: text("provider").notNull(),
    // The idn_ identification that linked_to entries name.
    identificationId: text("identification_id").notNull(),
    providerUserId: text("provider_user_id").notNull(),
    approvedScopes: text("approved_scopes").notNull().default(""),
    emailAddress: text("email_address").notNull().default(""),
    firstName: text("first_name"),
    lastName: text("last_name"),
    username: text("username"),
    imageUrl: text("image_url"),
    phoneNumber: text("phone_number"),
    label: text("label"),
    publicMetadata: jsonObject("public_metadata"),
    // OAuth tokens, AES-GCM encrypted under CREDENTIALS_ENCRYPTION_KEY; never serialised.
    accessTokenEncrypted: text("access_token_encrypted"),
    refreshTokenEncrypted: text("refresh_token_encrypted"),
    idTokenEncrypted: text("id_token_encrypted"),
    tokenSecretEncrypted: text("token_secret_encrypted"),
    tokenExpiresAt: integer("token_expires_at"),
    // Single-flight refresh lease: holder token and when the lease lapses.
    refreshLeaseId: text("refresh_lease_id"),
    refreshLeaseUntil: integer("refresh_lease_until"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("external_accounts_provider_user_unique").on(t.provider, t.providerUserId),
    index("external_accounts_user_id_idx").on(t.userId, t.provider),
  ],
);

export const backupCodes = sqliteTable(
  "backup_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // "hmac" (hex HMAC-SHA256 under the user's backup_code_salt) or "bcrypt" (imported digest).
    kind: text("kind").notNull(),
    digest: text("digest").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("backup_codes_user_id_idx").on(t.userId)],
);

export const images = sqliteTable(
  "images",
  {
    id: text("id").primaryKey(),
    // Owner: a user or an organization (exactly one is set).
    userId: text("user_id"),
    organizationId: text("organization_id"),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    etag: text("etag"),
    createdAt: createdAt(),
  },
  (t) => [index("images_user_id_idx").on(t.userId), index("images_organization_id_idx").on(t.organizationId)],
);

export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    imageId: text("image_id"),
    createdBy: text("created_by"),
    maxAllowedMemberships: integer("max_allowed_memberships").notNull().default(0),
    adminDeleteEnabled: integer("admin_delete_enabled", { mode: "boolean" }).notNull().default(true),
    publicMetadata: jsonObject("public_metadata"),
    privateMetadata: jsonObject("private_metadata"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("organizations_slug_unique").on(t.slug), index("organizations_created_at_idx").on(t.createdAt, t.id)],
);

export const organizationMemberships = sqliteTable(
  "organization_memberships",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    publicMetadata: jsonObject("public_metadata"),
    privateMetadata: jsonObject("private_metadata"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("organization_memberships_org_user_unique").on(t.organizationId, t.userId),
    index("organization_memberships_user_id_idx").on(t.userId, t.createdAt),
    index("organization_memberships_created_at_idx").on(t.createdAt, t.id),
  ],
);

export const organizationInvitations = sqliteTable(
  "organization_invitations",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    emailAddress: text("email_address").notNull(),
    emailAddressNormalized: text("email_address_normalized").notNull(),
    role: text("role").notNull(),
    inviterUserId: text("inviter_user_id"),
    // "pending" | "accepted" | "revoked"; "expired" is derived from expiresAt at read time.
    status: text("status").notNull().default("pending"),
    publicMetadata: jsonObject("public_metadata"),
    privateMetadata: jsonObject("private_metadata"),
    url: text("url"),
    expiresAt: integer("expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("organization_invitations_org_idx").on(t.organizationId, t.status),
    index("organization_invitations_email_idx").on(t.emailAddressNormalized, t.status),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type EmailAddressRow = typeof emailAddresses.$inferSelect;
export type PhoneNumberRow = typeof phoneNumbers.$inferSelect;
export type Web3WalletRow = typeof web3Wallets.$inferSelect;
export type PasskeyRow = typeof passkeys.$inferSelect;
export type ExternalAccountRow = typeof externalAccounts.$inferSelect;
export type BackupCodeRow = typeof backupCodes.$inferSelect;
export type ImageRow = typeof images.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type OrganizationMembershipRow = typeof organizationMemberships.$inferSelect;
export type OrganizationInvitationRow = typeof organizationInvitations.$inferSelect;

/**
 * Webhook endpoints (extension, README "Webhooks"). `events` is a JSON array of event types
 * (empty = every type). Signing secrets (`whsec_…`) are sealed like TOTP secrets
 * (crypto/encryption.ts, associated data = the endpoint id); after a rotation the previous one
 * keeps signing until `previous_secret_expires_at`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    events: text("events").notNull().default("[]"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    secretEncrypted: text("secret_encrypted").notNull(),
    previousSecretEncrypted: text("previous_secret_encrypted"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_created_at_idx").on(t.createdAt, t.id)],
);

/**
 * The transactional outbox: one row per event, written by the same batch as the change it
 * describes (workers/webhooks/outbox.ts). `snapshot` is the changed row as that batch left it,
 * secrets left out; the consumer serialises it with the API's own serializer. The id is the
 * message id (`msg_…`, the `svix-id` header of every attempt).
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    snapshot: text("snapshot").notNull(),
    // What serialising needs from the request: the origin of image URLs, and event_attributes.
    origin: text("origin").notNull(),
    clientIp: text("client_ip").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_events_created_at_idx").on(t.createdAt)],
);

/**
 * One row per (event, subscribed endpoint), created in the event's batch: the source of truth
 * for delivery (a queue message only says "look at this row"). `pending` rows are due at
 * `next_attempt_at`; a consumer claims one by setting `lease_until` (one attempt at a time).
 * `attempts` counts the attempts made (rows in webhook_attempts); `updated_at` is when the
 * delivery last changed state (created, an attempt recorded, a resend): the attempts list's
 * pending entry for the upcoming attempt is dated by it (workers/db/webhook-deliveries.ts).
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    eventId: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    responseStatus: integer("response_status"),
    nextAttemptAt: integer("next_attempt_at"),
    leaseUntil: integer("lease_until"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /**
     * When a sweep last sent the delivery to the queue again (webhooks/scheduler.ts); null since
     * its last attempt or resend. A sweep skips a delivery it sent less than RESWEEP_MS ago, so a
     * message still waiting in a backlogged queue is not sent again every second.
     */
    // Last, where ALTER TABLE … ADD put it (migration 0014).
    sweptAt: integer("swept_at"),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.endpointId] }),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    // The attempts list reads an endpoint's pending deliveries newest first from this index,
    // merged with webhook_attempts_endpoint_idx; declared unique (it holds the primary key) so
    // SQLite knows (updated_at, event_id) orders them completely and sorts nothing. It also
    // serves the cascade when an endpoint is deleted (endpoint_id first).
    uniqueIndex("webhook_deliveries_endpoint_state_idx").on(t.endpointId, t.status, t.updatedAt, t.eventId),
  ],
);

/**
 * The attempts log: one row per attempt made (README, Webhooks), written in the same batch as
 * the delivery's state change that records the attempt (recordAttempt), so the two never
 * disagree. `attempt` numbers a delivery's attempts from 1 (a resend numbers on); `status` is
 * the attempt's outcome; `next_attempt_at` is when the retry it caused was due (null when it
 * caused none); `created_at` is when the attempt was sent (its svix-timestamp). Kept as long as
 * its delivery: deleting an endpoint deletes its deliveries and, through them, their attempts.
 */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: ["succeeded", "failed"] }).notNull(),
    responseStatus: integer("response_status"),
    nextAttemptAt: integer("next_attempt_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // Also the index the cascade from a deleted delivery looks its attempts up by.
    primaryKey({ columns: [t.endpointId, t.eventId, t.attempt] }),
    foreignKey({ columns: [t.eventId, t.endpointId], foreignColumns: [webhookDeliveries.eventId, webhookDeliveries.endpointId] }).onDelete("cascade"),
    // The endpoint's attempts newest first (the list); unique for the same reason as above.
    uniqueIndex("webhook_attempts_endpoint_idx").on(t.endpointId, t.createdAt, t.eventId, t.attempt),
  ],
);

/** Settings the deployment generates once and keeps, e.g. the webhook `instance_id`. */
export const instanceSettings = sqliteTable("instance_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Dashboard sessions signed out before they expired (README, Dashboard, Security model). The
 * session token itself is stateless (workers/services/dashboard-session.ts); a row here makes its
 * nonce refused until `expires_at`, the token's own expiry, after which the signature check
 * refuses the token anyway and the row is only waiting to be removed: each sign-out deletes a
 * bounded number of such rows (workers/db/dashboard-sessions.ts), found by the expires_at index.
 */
export const dashboardRevokedSessions = sqliteTable(
  "dashboard_revoked_sessions",
  {
    nonce: text("nonce").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("dashboard_revoked_sessions_expires_at_idx").on(t.expiresAt)],
);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;
