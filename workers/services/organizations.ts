/**
 * Organizations: create (with the creator as admin), get by id or slug, list, update,
 * metadata merge/replace, delete. Slugs are unique; one is derived from the name when absent.
 */
import type { AppContext } from "../context";
import { newId } from "../crypto/ids";
import { isForeignKeyViolation } from "../db/constraint-errors";
import { isUniqueViolationOn } from "../db/organization-rules";
import {
  countOrganizationMembers,
  deleteOrganizationRow,
  findOrganizationByIdOrSlug,
  insertOrganization,
  isSlugTaken,
  listOrganizationRows,
  type OrganizationCounts,
} from "../db/organizations";
import type { JsonObject } from "../db/metadata";
import { organizations, type OrganizationRow } from "../db/schema";
import { findUserRowById } from "../db/users";
import { errors } from "../http/errors";
import type { ListOrganizationsQuery } from "../schemas/organization-queries";
import type { CreateOrganizationInput, OrganizationMetadataInput, UpdateOrganizationInput } from "../schemas/organizations";
import { batchWithEvents, objectEvent } from "../webhooks/outbox";
import { metadataForInsert, metadataWrite, updateWithMetadata, type MetadataMode } from "./metadata";

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

/**
 * The metadata columns of a new organization, membership or invitation (absent or null is
 * `{}`); the limit counts public and private metadata together.
 */
export function newMetadataColumns(input: { public_metadata?: JsonObject | null; private_metadata?: JsonObject | null }): {
  publicMetadata: string;
  privateMetadata: string;
} {
  const texts = metadataForInsert({ public_metadata: input.public_metadata, private_metadata: input.private_metadata });
  return { publicMetadata: texts.public_metadata, privateMetadata: texts.private_metadata };
}

/** An organization's metadata columns: the 8 KB limit counts the two together. */
const ORGANIZATION_METADATA_COLUMNS = { publicMetadata: organizations.publicMetadata, privateMetadata: organizations.privateMetadata };

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
  const metadata = newMetadataColumns(input);
  const givenSlug = input.slug || null;
  const base = slugify(input.name);
  const name = input.name.trim();
  for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
    const slug = givenSlug ?? (attempt === 0 && base ? base : `${base || "org"}-${randomSuffix()}`);
    if (givenSlug && (await isSlugTaken(ctx.db, slug))) throw errors.identifierExists("slug", "slug");
    const id = newId("org", createdAt);
    const membershipId = newId("orgmem", now);
    // organization.created, and the creator's organizationMembership.created, with the rows.
    const events = [objectEvent("organization.created", "organization", id)];
    if (input.created_by) events.push(objectEvent("organizationMembership.created", "membership", membershipId));
    try {
      return await insertOrganization(
        ctx.db,
        (statements) => batchWithEvents(ctx, statements, events),
        {
          id,
          name,
          slug,
          imageId: null,
          createdBy: input.created_by ?? null,
          maxAllowedMemberships: input.max_allowed_memberships ?? 0,
          adminDeleteEnabled: true,
          ...metadata,
          createdAt,
          updatedAt: now,
        },
        input.created_by
          ? {
              id: membershipId,
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

/** The organization, with its member and pending-invitation counts when `includeMembersCount`. */
export async function getOrganization(ctx: AppContext, idOrSlug: string, includeMembersCount: boolean): Promise<OrganizationWithCounts> {
  const organization = await requireOrganization(ctx, idOrSlug);
  if (!includeMembersCount) return { organization };
  const counts = await countOrganizationMembers(ctx.db, [organization.id], ctx.now());
  return { organization, counts: counts.get(organization.id) };
}

/** GET /organizations: a page of the organizations matching the filter, with counts when asked for. */
export async function listOrganizations(
  ctx: AppContext,
  { filter, order, page, includeMembersCount }: ListOrganizationsQuery,
): Promise<{ data: OrganizationWithCounts[]; total: number }> {
  const { rows, total } = await listOrganizationRows(ctx.db, filter, order, page.limit, page.offset);
  if (!includeMembersCount) return { data: rows.map((organization) => ({ organization })), total };
  const counts = await countOrganizationMembers(
    ctx.db,
    rows.map((r) => r.id),
    ctx.now(),
  );
  return { data: rows.map((organization) => ({ organization, counts: counts.get(organization.id) })), total };
}

/**
 * PATCH /organizations/{id}: name, slug (unique), max_allowed_memberships, admin_delete_enabled,
 * created_at; and, for API versions before 2026-05-12 only (the route decides), public and
 * private metadata, each replacing the stored object in the same statement as the other fields.
 */
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
  const metadata = metadataWrite(
    ORGANIZATION_METADATA_COLUMNS,
    { public_metadata: input.public_metadata, private_metadata: input.private_metadata },
    "replace",
  );
  let row: OrganizationRow | undefined;
  try {
    row = await updateWithMetadata(ctx, organizations, organization.id, metadata, values, [
      objectEvent("organization.updated", "organization", organization.id),
    ]);
  } catch (error) {
    if (isUniqueViolationOn(error, "organizations")) throw errors.identifierExists("slug", "slug");
    throw error;
  }
  if (!row) throw errors.organizationNotFound();
  return row;
}

/**
 * PATCH (merge, RFC 7396) or PUT (replace) of an organization's public/private metadata; an
 * omitted object is kept, `null` clears it. One statement, so concurrent updates never lose
 * one another's keys.
 */
export async function updateOrganizationMetadata(
  ctx: AppContext,
  idOrSlug: string,
  input: OrganizationMetadataInput,
  mode: MetadataMode,
): Promise<OrganizationRow> {
  const organization = await requireOrganization(ctx, idOrSlug);
  const metadata = metadataWrite(ORGANIZATION_METADATA_COLUMNS, input, mode);
  const row = await updateWithMetadata(ctx, organizations, organization.id, metadata, { updatedAt: ctx.now() }, [
    objectEvent("organization.updated", "organization", organization.id),
  ]);
  // Deleted since it was looked up.
  if (!row) throw errors.organizationNotFound();
  return row;
}

/** Deletes the organization; its memberships and invitations go with it (FK cascade). */
export async function deleteOrganization(ctx: AppContext, idOrSlug: string): Promise<OrganizationRow> {
  const organization = await requireOrganization(ctx, idOrSlug);
  // organization.deleted carries Clerk's DeletedObject (with the slug, as the route answers),
  // written only if this delete removed the row. Each membership the cascade removes gets
  // organizationMembership.deleted (the membership as it was, snapshotted just before in the same
  // transaction, so a concurrent membership DELETE and this one never both send it); its pending
  // invitations get nothing (Clerk has no invitation-deleted event).
  const deleted = { kind: "deleted", object: "organization", id: organization.id, slug: organization.slug } as const;
  await deleteOrganizationRow(
    ctx.db,
    (statements) =>
      batchWithEvents(ctx, statements, [
        { type: "organizationMembership.deleted", source: { kind: "memberships", of: "organization", id: organization.id }, before: true },
        { type: "organization.deleted", source: deleted, onlyIfChanged: true },
      ]),
    organization.id,
  );
  return organization;
}
