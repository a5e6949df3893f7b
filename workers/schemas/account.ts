/**
 * Body of the bulk ban/unban endpoints: 1..50 user ids.
 */
import { z } from "zod";

export const bulkUserIdsBody = z
  .object({
    user_ids: z.array(z.string().min(1).max(128)).min(1).max(50),
  })
  .strict();

export type BulkUserIdsInput = z.output<typeof bulkUserIdsBody>;
