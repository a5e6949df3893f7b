/** The one shape of a parsed `order_by`, for every list (users, organizations, memberships, invitations). */
export interface OrderBy<F extends string> {
  field: F;
  descending: boolean;
}

/** The default order of every list: newest first. */
export const NEWEST_FIRST: OrderBy<"created_at"> = { field: "created_at", descending: true };
