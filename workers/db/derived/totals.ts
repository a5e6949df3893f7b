/**
 * user_totals (a drizzle table): the user count, so that counting every user reads one row
 * (issue 8). Kept in step with every insert and delete, cascades included.
 */
import { trigger, type DerivedGroup } from "./model";

export const totals: DerivedGroup = {
  name: "totals",
  title: "user_totals, the user count",
  objects: [
    trigger(
      "users_totals_ai",
      "CREATE TRIGGER users_totals_ai AFTER INSERT ON users BEGIN\n\tUPDATE user_totals SET users = users + 1 WHERE id = 1;\nEND",
    ),
    trigger(
      "users_totals_ad",
      "CREATE TRIGGER users_totals_ad AFTER DELETE ON users BEGIN\n\tUPDATE user_totals SET users = users - 1 WHERE id = 1;\nEND",
    ),
  ],
  refill: ["INSERT OR REPLACE INTO user_totals (id, users) SELECT 1, count(*) FROM users"],
};
