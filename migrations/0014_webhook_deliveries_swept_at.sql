-- When a sweep last sent a webhook delivery to the queue again (workers/webhooks/scheduler.ts), so
-- a message still waiting in a backlogged queue is not sent again on every sweep.
ALTER TABLE `webhook_deliveries` ADD `swept_at` integer;