/**
 * GET /v1/users/export: every user (or those created after a time, up to a limit) as user
 * records, in (created_at, id) order, a page at a time. The caller reads the next page only
 * when it wants more, so an export of any size holds one page in memory, and D1, which runs one
 * statement at a time, is held for one bounded statement per page (two with credentials).
 */
import type { AppContext } from "../context";
import type { StoredBackupCode } from "../crypto/backup-codes";
import { listBackupCodesOfUsers } from "../db/credentials";
import { aggregateOf, findUsersByCreation, type CreationCursor } from "../db/users";
import { errors } from "../http/errors";
import type { ExportUsersQuery } from "../schemas/user-queries";
import { serializeUserRecord, type UserRecord } from "../serializers/user-record";
import { exportedCredentials } from "./credentials";

/**
 * Users per page: one statement reads this many rows in index order (about 1 ms per 100 rows on
 * local D1), small enough to keep every statement short and a page's lines in memory, large
 * enough that a 100,000-user export is 200 statements. Mutable only so tests can cross page
 * boundaries with a few users; the output never depends on it.
 */
export const EXPORT_PAGING = { pageSize: 500 };

/**
 * The pages of an export. Refuses credentials (403 feature_not_enabled, param
 * include_credentials) unless the operator set EXPORT_CREDENTIALS=true, before reading anything.
 */
export function openUserExport(ctx: AppContext, query: ExportUsersQuery): AsyncGenerator<UserRecord[], void, undefined> {
  if (query.includeCredentials && !ctx.config.exportCredentials) {
    throw errors.featureNotEnabled(
      "Exporting credentials is not enabled on this instance: the operator has to set EXPORT_CREDENTIALS=true.",
      "include_credentials",
    );
  }
  return exportPages(ctx, query);
}

async function* exportPages(ctx: AppContext, query: ExportUsersQuery): AsyncGenerator<UserRecord[], void, undefined> {
  let remaining = query.limit ?? Number.POSITIVE_INFINITY;
  let after: CreationCursor | undefined;
  while (remaining > 0) {
    const limit = Math.min(EXPORT_PAGING.pageSize, remaining);
    const rows = await findUsersByCreation(ctx.db, { after, createdAfter: query.createdAfter, limit });
    if (rows.length === 0) return;
    const aggregates = rows.map(aggregateOf);
    let credentials: Awaited<ReturnType<typeof exportedCredentials>>[] | undefined;
    if (query.includeCredentials) {
      // The page's backup codes in one statement, only when a user of the page has any
      // (children_json counts them).
      const withCodes = aggregates.filter((a) => a.backupCodeCount > 0).map((a) => a.user.id);
      const codesByUser = new Map<string, StoredBackupCode[]>();
      for (const code of await listBackupCodesOfUsers(ctx.db, withCodes)) {
        const list = codesByUser.get(code.userId);
        if (list) list.push(code);
        else codesByUser.set(code.userId, [code]);
      }
      credentials = await Promise.all(aggregates.map((a) => exportedCredentials(ctx, a.user, codesByUser.get(a.user.id) ?? [])));
    }
    yield aggregates.map((a, i) => serializeUserRecord(ctx, a, credentials?.[i]));
    remaining -= rows.length;
    if (rows.length < limit) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.createdAt, id: last.id };
  }
}
