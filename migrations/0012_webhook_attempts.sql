-- The webhook attempts log (issue 16 §2: GET /v1/webhook_endpoints/{id}/attempts lists one row
-- per attempt): webhook_attempts gets one row per attempt made, written in the batch that records
-- the attempt on its delivery. The list merges it with the endpoint's pending deliveries (the
-- upcoming attempt of each), both read newest first from an index: webhook_deliveries_endpoint_idx
-- (endpoint_id, created_at) becomes webhook_deliveries_endpoint_state_idx (endpoint_id, status,
-- updated_at, event_id). Attempts made before this migration are not backfilled: a delivery kept
-- only their count and the last one's status.
CREATE TABLE `webhook_attempts` (
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`endpoint_id`, `event_id`, `attempt`),
	FOREIGN KEY (`event_id`,`endpoint_id`) REFERENCES `webhook_deliveries`(`event_id`,`endpoint_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_attempts_endpoint_idx` ON `webhook_attempts` (`endpoint_id`,`created_at`,`event_id`,`attempt`);--> statement-breakpoint
DROP INDEX `webhook_deliveries_endpoint_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_endpoint_state_idx` ON `webhook_deliveries` (`endpoint_id`,`status`,`updated_at`,`event_id`);