/**
 * Organizations: create (with the creator as admin), get by id or slug, list, update,
 * metadata merge/replace, delete. Slugs are unique; one is derived from the name when absent.
 */
import type { AppContext } from "../context";
import { newId } from "../crypto/ids";
import { isForeignKeyViolation } from "../db/constraint-errors";
import {
  countOrganizationMembers,
  deleteOrganizationRow,
  findOrganizationByIdOrSlug,
  insertOrganization,
  isSlugTaken,
  isUniqueViolationOn,
  listOrganizationRows,
  updateOrganizationRow,
  type OrderBy,
  type OrganizationCounts,
  type OrganizationOrderField,
} from "../db/organizations";
import type { OrganizationRow } from "../db/schema";
import { findUserRowById } from "../db/users";
import { errors } from "../http/errors";
import { boolParam, firstValue, includeExcludeParam, pagination, type Query } from "../http/query";
import type { CreateOrganizationInput, OrganizationMetadataInput, UpdateOrganizationInput } from "../schemas/organizations";
import { assertMetadataSize, nextMetadata, type MetadataMode } from "./metadata";
import { parseOrderBy } from "./ordering";
import { parseJsonObject } from "../serializers/user";

export interface OrganizationWithCounts {
  organization: OrganizationRow;
  counts?: OrganizationCounts;
}

const SLUG_ATTEMPTS = 5;

/**
 * A slug from a name, the way Clerk derives one: accents stripped, lower-cased, every run of
 * other characters turned into one dash. Names with no Latin letters or digits give "".
 */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 200);
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

/** The organization with this id or slug, or 404. */
export async function requireOrganization(ctx: AppContext, idOrSlug: string): Promise<OrganizationRow> {
  const row = await findOrganizationByIdOrSlug(ctx.db, idOrSlug);
  if (!row) throw errors.organizationNotFound();
  return row;
}

function checkMetadata(publicMetadata: Record<string, unknown>, privateMetadata: Record<string, unknown>): void {
  assertMetadataSize({ public_metadata: publicMetadata, private_metadata: privateMetadata, unsafe_metadata: {} });
}

/**
 * The public/private metadata columns after a merge (deep, `null` removes a key) or a replace
 * of each given field; an omitted field is kept, `null` for a whole field clears it. Size-checked.
 */
export function nextMetadataColumns(
  current: { publicMetadata: string; privateMetadata: string },
  input: OrganizationMetadataInput,
  mode: MetadataMode,
): { publicMetadata: string; privateMetadata: string } {
  const publicMetadata = nextMetadata(parseJsonObject(current.publicMetadata), input.public_metadata, mode);
  const privateMetadata = nextMetadata(parseJsonObject(current.privateMetadata), input.private_metadata, mode);
  checkMetadata(publicMetadata, privateMetadata);
  return { publicMetadata: JSON.stringify(publicMetadata), privateMetadata: JSON.stringify(privateMetadata) };
}

/**
 * Creates an organization. `created_by` must be an existing user and becomes an `org:admin`
 * member in the same batch (a creator deleted meanwhile → 400 organization_creator_not_found, as
 * when it had been gone first, with nothing written). A given slug that is taken → 422
 * form_identifier_exists; a derived slug that is taken gets a random suffix instead. Returns the
 * organization as the insert wrote it, whatever a concurrent request does to it next.
 */
export async function createOrganization(ctx: AppContext, input: CreateOrganizationInput): Promise<OrganizationRow> {
  const now = ctx.now();
  const createdAt = input.created_at ?? now;
  if (input.created_by && !(await findUserRowById(ctx.db, input.created_by))) throw errors.organizationCreatorNotFound(input.created_by);
  const publicMetadata = input.public_metadata ?? {};
  const privateMetadata = input.private_metadata ?? {};
  checkMetadata(publicMetadata, privateMetadata);
  const givenSlug = input.slug || null;
  const base = slugify(input.name);
  const name = input.name.trim();
  for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
    const slug = givenSlug ?? (attempt === 0 && base ? base : `${base || "org"}-${randomSuffix()}`);
    if (givenSlug && (await isSlugTaken(ctx.db, slug))) throw errors.identifierExists("slug", "slug");
    const id = newId("org", createdAt);
    try {
      return await insertOrganization(
        ctx.db,
        {
          id,
          name,
          slug,
          imageId: null,
          createdBy: input.created_by ?? null,
          maxAllowedMemberships: input.max_allowed_memberships ?? 0,
          adminDeleteEnabled: true,
          publicMetadata: JSON.stringify(publicMetadata),
          privateMetadata: JSON.stringify(privateMetadata),
          createdAt,
          updatedAt: now,
        },
        input.created_by
          ? {
              id: newId("orgmem", now),
              organizationId: id,
              userId: input.created_by,
              role: "org:admin",
              publicMetadata: "{}",
              privateMetadata: "{}",
              createdAt: now,
              updatedAt: now,
            }
          : null,
      );
    } catch (error) {
      if (input.created_by && isForeignKeyViolation(error)) throw errors.organizationCreatorNotFound(input.created_by);
      // A concurrent create took the slug between the check and the insert.
      if (!isUniqueViolationOn(error, "organizations")) throw error;
      if (givenSlug) throw errors.identifierExists("slug", "slug");
    }
  }
  throw errors.identifierExists("slug", "slug");
}

/** The organization, with member counts when `include_members_count` is set. */
export async function getOrganization(ctx: AppContext, idOrSlug: string, query: Query): Promise<OrganizationWithCounts> {
  const organization = await requireOrganization(ctx, idOrSlug);
  if (!boolParam(query, "include_members_count")) return { organization };
  const counts = await countOrganizationMembers(ctx.db, [organization.id], ctx.now());
  return { organization, counts: counts.get(organization.id) };
}

const ORGANIZATION_ORDER_FIELDS: readonly OrganizationOrderField[] = ["created_at", "name", "members_count"];

/** GET /organizations: limit/offset, order_by (name, created_at, members_count), query, organization_id and user_id filters. */
export async function listOrganizations(ctx: AppContext, query: Query): Promise<{ data: OrganizationWithCounts[]; total: number }> {
  const { limit, offset } = pagination(query);
  const order: OrderBy<OrganizationOrderField> = parseOrderBy(query, ORGANIZATION_ORDER_FIELDS, { field: "created_at", desc: true });
  const orgIds = includeExcludeParam(query, "organization_id");
  const userIds = includeExcludeParam(query, "user_id");
  const { rows, total } = await listOrganizationRows(
    ctx.db,
    {
      query: firstValue(query.query)?.trim() || undefined,
      includeIds: orgIds.include,
      excludeIds: orgIds.exclude,
      memberUserIds: userIds.include,
      nonMemberUserIds: userIds.exclude,
    },
    order,
    limit,
    offset,
  );
  if (!boolParam(query, "include_members_count")) return { data: rows.map((organization) => ({ organization })), total };
  const counts = await countOrganizationMembers(
    ctx.db,
    rows.map((r) => r.id),
    ctx.now(),
  );
  return { data: rows.map((organization) => ({ organization, counts: counts.get(organization.id) })), total };
}

/** PATCH /organizations/{id}: name, slug (unique), max_allowed_memberships, admin_delete_enabled, created_at. */
export async function updateOrganization(ctx: AppContext, idOrSlug: string, input: UpdateOrganizationInput): Promise<OrganizationRow> {
  const organization = await requireOrganization(ctx, idOrSlug);
  const values: Partial<OrganizationRow> = { updatedAt: ctx.now() };
  if (input.name != null) values.name = input.name.trim();
  if (input.slug) {
    if (await isSlugTaken(ctx.db, input.slug, organization.id)) throw errors.identifierExists("slug", "slug");
    values.slug = input.slug;
  }
  if (input.max_allowed_memberships != null) values.maxAllowedMemberships = input.max_allowed_memberships;
  if (input.admin_delete_enabled != null) values.adminDeleteEnabled = input.admin_delete_enabled;
  if (input.created_at != null) values.createdAt = input.created_at;
  try {
    await updateOrganizationRow(ctx.db, organization.id, values);
  } catch (error) {
    if (isUniqueViolationOn(error, "organizations")) throw errors.identifierExists("slug", "slug");
    throw error;
  }
  return requireOrganization(ctx, organization.id);
}

/** PATCH (merge) or PUT (replace) of an organization's public/private metadata. */
export async function updateOrganizationMetadata(
  ctx: AppContext,
  idOrSlug: string,
  input: OrganizationMetadataInput,
  mode: "merge" | "replace",
): Promise<OrganizationRow> {
  const organization = await requireOrganization(ctx, idOrSlug);
  await updateOrganizationRow(ctx.db, organization.id, { ...nextMetadataColumns(organization, input, mode), updatedAt: ctx.now() });
  return requireOrganization(ctx, organization.id);
}

/** Deletes the organization; its memberships and invitations go with it (FK cascade). */
export async function deleteOrganization(ctx: AppContext, idOrSlug: string): Promise<OrganizationRow> {
  const organization = await requireOrganization(ctx, idOrSlug);
  await deleteOrganizationRow(ctx.db, organization.id);
  return organization;
}
