/**
 * Profile images: POST/DELETE /v1/users/:user_id/profile_image, and the public image routes
 * (no auth; authenticate() guards /v1 only): GET /images/:img_id and the generated default
 * avatars GET /images/avatars/<initials>.svg.
 */
import type { AppContext } from "../context";
import { ifNoneMatchMatches, strongEtagOf } from "../http/conditional";
import { errors } from "../http/errors";
import { readUploadedFile } from "../http/multipart";
import { json } from "../http/respond";
import type { ApiRequest, RouterType } from "../http/router-types";
import { serializeUser } from "../serializers/user";
import { avatarInitialsFromPath, deleteUserProfileImage, MAX_IMAGE_BYTES, readPublicImage, setUserProfileImage } from "../services/images";
import { renderAvatarSvg } from "../storage/avatar-svg";

/** Uploaded images never change under their id. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Avatars are deterministic per URL, but a day lets a new design reach clients. */
const AVATAR_CACHE = "public, max-age=86400";

/**
 * Served from the API's own origin, so: no sniffing into another type, no scripts or loads even
 * when an image is opened directly, and embeddable from any site.
 */
const IMAGE_SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  "Cross-Origin-Resource-Policy": "cross-origin",
};

function notModified(etag: string, cacheControl: string): Response {
  return new Response(null, { status: 304, headers: { ETag: etag, "Cache-Control": cacheControl, ...IMAGE_SECURITY_HEADERS } });
}

async function serveUploadedImage(request: ApiRequest, ctx: AppContext): Promise<Response> {
  const image = await readPublicImage(ctx, request.params.image_id, request.headers.get("if-none-match"), request.method !== "HEAD");
  if (image.kind === "not_modified") return notModified(image.etag, IMMUTABLE);
  return new Response(image.body, {
    headers: {
      "Content-Type": image.contentType,
      "Content-Length": String(image.size),
      ETag: image.etag,
      "Cache-Control": IMMUTABLE,
      ...IMAGE_SECURITY_HEADERS,
    },
  });
}

async function serveDefaultAvatar(request: ApiRequest): Promise<Response> {
  const initials = avatarInitialsFromPath(request.params.initials);
  if (initials === null) throw errors.imageNotFound();
  const svg = renderAvatarSvg(initials);
  const etag = await strongEtagOf(svg);
  if (ifNoneMatchMatches(request.headers.get("if-none-match"), etag)) return notModified(etag, AVATAR_CACHE);
  return new Response(request.method === "HEAD" ? null : svg, {
    headers: { "Content-Type": "image/svg+xml", ETag: etag, "Cache-Control": AVATAR_CACHE, ...IMAGE_SECURITY_HEADERS },
  });
}

export function registerImageRoutes(router: RouterType): void {
  router.post("/v1/users/:user_id/profile_image", async (request: ApiRequest, ctx: AppContext) => {
    const upload = await readUploadedFile(request, "file", MAX_IMAGE_BYTES, errors.imageTooLarge);
    return json(serializeUser(ctx, await setUserProfileImage(ctx, request.params.user_id, upload)));
  });

  router.delete("/v1/users/:user_id/profile_image", async (request: ApiRequest, ctx: AppContext) =>
    json(serializeUser(ctx, await deleteUserProfileImage(ctx, request.params.user_id))),
  );

  // Avatars first: "avatars" is not an img_ id, but keep the more specific route ahead anyway.
  router.get("/images/avatars/:initials.svg", serveDefaultAvatar);
  router.head("/images/avatars/:initials.svg", serveDefaultAvatar);
  router.get("/images/:image_id", serveUploadedImage);
  router.head("/images/:image_id", serveUploadedImage);
}
