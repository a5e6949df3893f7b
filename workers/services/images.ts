/**
 * Profile images: upload (type decided from the bytes), replace, delete, and serving from R2.
 * Objects are written before their rows and deleted after their rows are gone, so a row never
 * points at a missing object; the objects deleted are those whose rows the same statement
 * removed, so concurrent uploads and deletes leave no object behind either.
 */
import type { AppContext } from "../context";
import { newId } from "../crypto/ids";
import { clearUserImage, replaceUserImage } from "../db/images";
import { aggregateOf, type Statement, type UserAggregate } from "../db/users";
import { ifNoneMatchMatches } from "../http/conditional";
import { errors } from "../http/errors";
import { sniffImageType, SUPPORTED_IMAGE_TYPES } from "../storage/image-types";
import { deleteImageObjects, getImageObject, headImageObject, putImageObject } from "../storage/images";
import { batchWithEvents, userEvent } from "../webhooks/outbox";
import { requireUserRow } from "./require-user";

/** The batch of an image change, with its user.updated (none when the user is gone: no row to snapshot). */
const withUserUpdated = (ctx: AppContext, userId: string) => (statements: Statement[]) =>
  batchWithEvents(ctx, statements, [userEvent("user.updated", userId)]);

/** Clerk's limit: "more than 10MB" is refused with 413 image_too_large. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The client's claimed type for the error text, when it is not one we would have accepted. */
function describeClaimedType(claimedType: string): string {
  const type = claimedType.trim().slice(0, 100);
  return type && !SUPPORTED_IMAGE_TYPES.includes(type.toLowerCase()) ? type : "unrecognized";
}

/**
 * Sets the user's profile image from uploaded bytes. No file (or an empty one) → 400
 * form_param_missing; bytes that are not PNG/JPEG/GIF/WebP → 400 request_body_invalid whatever
 * the client claimed. The previous image's row and R2 object are deleted. Returns the user as
 * the write left it; a user deleted meanwhile → 404.
 */
export async function setUserProfileImage(
  ctx: AppContext,
  userId: string,
  upload: { bytes: Uint8Array; claimedType: string } | null,
): Promise<UserAggregate> {
  await requireUserRow(ctx, userId);
  if (!upload || upload.bytes.byteLength === 0) throw errors.imageMissing();
  const contentType = sniffImageType(upload.bytes);
  if (!contentType) throw errors.imageTypeNotSupported(describeClaimedType(upload.claimedType));

  const now = ctx.now();
  const imageId = newId("img", now);
  const stored = await putImageObject(ctx, imageId, upload.bytes, contentType);
  let replaced: Awaited<ReturnType<typeof replaceUserImage>>;
  try {
    replaced = await replaceUserImage(
      ctx.db,
      withUserUpdated(ctx, userId),
      { id: imageId, userId, contentType, size: upload.bytes.byteLength, etag: stored.httpEtag, createdAt: now },
      now,
    );
  } catch (error) {
    // No row points at the new object: do not orphan it.
    await deleteImageObjects(ctx, [imageId]);
    throw error;
  }
  if (!replaced.user) {
    // The user was deleted after the check above; the batch kept no row for the image.
    await deleteImageObjects(ctx, [imageId, ...replaced.dropped]);
    throw errors.userNotFound(userId);
  }
  await deleteImageObjects(ctx, replaced.dropped);
  return aggregateOf(replaced.user);
}

/**
 * Removes the user's profile image (row and object); none set → 404 image_not_found. Returns
 * the user as the write left it; a user deleted meanwhile → 404.
 */
export async function deleteUserProfileImage(ctx: AppContext, userId: string): Promise<UserAggregate> {
  const user = await requireUserRow(ctx, userId);
  if (!user.imageId) throw errors.imageNotFound();
  const cleared = await clearUserImage(ctx.db, withUserUpdated(ctx, userId), userId, ctx.now());
  await deleteImageObjects(ctx, cleared.dropped);
  if (!cleared.user) throw errors.userNotFound(userId);
  return aggregateOf(cleared.user);
}

/** What the public image route serves: the object, or "not modified" for a matching If-None-Match. */
export type PublicImage =
  | { kind: "not_modified"; etag: string }
  | { kind: "object"; etag: string; contentType: string; size: number; body: ReadableStream | null };

const IMAGE_ID_RE = /^img_[0-9A-Za-z]{27}$/;

/**
 * Looks up an uploaded image by id for `GET /images/:id` (public, like Clerk's image CDN).
 * A conditional request reads only the object's metadata; an unknown id → 404 image_not_found.
 */
export async function readPublicImage(ctx: AppContext, imageId: string, ifNoneMatch: string | null, withBody: boolean): Promise<PublicImage> {
  if (!IMAGE_ID_RE.test(imageId)) throw errors.imageNotFound();
  if (ifNoneMatch !== null || !withBody) {
    const head = await headImageObject(ctx, imageId);
    if (!head) throw errors.imageNotFound();
    if (ifNoneMatchMatches(ifNoneMatch, head.httpEtag)) return { kind: "not_modified", etag: head.httpEtag };
    if (!withBody) return { kind: "object", etag: head.httpEtag, contentType: contentTypeOf(head), size: head.size, body: null };
  }
  const object = await getImageObject(ctx, imageId);
  if (!object) throw errors.imageNotFound();
  return { kind: "object", etag: object.httpEtag, contentType: contentTypeOf(object), size: object.size, body: object.body };
}

function contentTypeOf(object: R2Object): string {
  return object.httpMetadata?.contentType ?? "application/octet-stream";
}

/**
 * The initials named by a default-avatar URL (`_` = none), or null for anything that
 * `defaultAvatarUrl` would not produce (so arbitrary text cannot be rendered on our origin).
 */
export function avatarInitialsFromPath(segment: string): string | null {
  if (segment === "_") return "";
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    return null;
  }
  const chars = Array.from(text);
  // Two initials, each of which may upper-case to up to three characters (e.g. "ŉ" → "ʼN").
  if (chars.length === 0 || chars.length > 6 || /[\p{C}\p{Z}]/u.test(text)) return null;
  return text;
}
