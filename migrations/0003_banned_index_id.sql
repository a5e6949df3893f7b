DROP INDEX `users_banned_idx`;--> statement-breakpoint
CREATE INDEX `users_banned_idx` ON `users` (`banned`,`created_at`,`id`);