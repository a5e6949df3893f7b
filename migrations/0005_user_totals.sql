CREATE TABLE `user_totals` (
	`id` integer PRIMARY KEY NOT NULL,
	`users` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Issue 8: a search in an order other than created_at decides between walking that order and
-- sorting its matches by how common the matches are relative to the number of users
-- (workers/db/user-search.ts userRowsWalkQuery); counting users would read every row, so the
-- count is kept here, in step with every insert and delete (cascades included).
INSERT INTO `user_totals` (`id`, `users`) SELECT 1, count(*) FROM `users`;
--> statement-breakpoint
CREATE TRIGGER `users_totals_ai` AFTER INSERT ON `users` BEGIN
	UPDATE `user_totals` SET `users` = `users` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `users_totals_ad` AFTER DELETE ON `users` BEGIN
	UPDATE `user_totals` SET `users` = `users` - 1 WHERE `id` = 1;
END;
