-- Server-side sign-out for dashboard sessions (issue 17 "Sign out ends it"): the nonce of a session
-- token signed out before its expiry, kept until that expiry. The expires_at index lets each
-- sign-out find and delete a bounded number of rows whose tokens have expired.
CREATE TABLE `dashboard_revoked_sessions` (
	`nonce` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboard_revoked_sessions_expires_at_idx` ON `dashboard_revoked_sessions` (`expires_at`);