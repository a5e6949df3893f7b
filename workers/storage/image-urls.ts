/**
 * URLs of images served by this Worker (`GET /images/...`, no auth, like Clerk's image CDN).
 * PUBLIC_IMAGE_BASE_URL overrides the origin, e.g. for a custom domain.
 */
import type { AppContext } from "../context";

export function imageBaseUrl(ctx: Pick<AppContext, "config" | "origin">): string {
  return ctx.config.publicImageBaseUrl || ctx.origin;
}

export function uploadedImageUrl(ctx: Pick<AppContext, "config" | "origin">, imageId: string): string {
  return `${imageBaseUrl(ctx)}/images/${imageId}`;
}

/** Up to two initials (first letters of first and last name), upper-cased; "" when there is no name. */
export function initialsOf(firstName: string | null | undefined, lastName: string | null | undefined): string {
  const first = (s: string | null | undefined) => Array.from((s ?? "").trim())[0] ?? "";
  return (first(firstName) + first(lastName)).toUpperCase();
}

/** A stable URL for the generated default avatar: the same initials give the same URL. */
export function defaultAvatarUrl(
  ctx: Pick<AppContext, "config" | "origin">,
  firstName: string | null | undefined,
  lastName: string | null | undefined,
): string {
  const initials = initialsOf(firstName, lastName);
  return `${imageBaseUrl(ctx)}/images/avatars/${initials ? encodeURIComponent(initials) : "_"}.svg`;
}

/** A user's image: the uploaded one, else the default avatar of their initials. */
export function userImageUrl(
  ctx: Pick<AppContext, "config" | "origin">,
  user: { imageId: string | null; firstName: string | null; lastName: string | null },
): string {
  return user.imageId ? uploadedImageUrl(ctx, user.imageId) : defaultAvatarUrl(ctx, user.firstName, user.lastName);
}
