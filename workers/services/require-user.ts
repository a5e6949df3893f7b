/** The one "load the user row or answer 404" step every user service starts from. */
import type { AppContext } from "../context";
import type { UserRow } from "../db/schema";
import { findUserRowById } from "../db/users";
import { errors } from "../http/errors";

export async function requireUserRow(ctx: AppContext, userId: string): Promise<UserRow> {
  const row = await findUserRowById(ctx.db, userId);
  if (!row) throw errors.userNotFound(userId);
  return row;
}
