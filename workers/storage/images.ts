/**
 * Profile images in the R2 bucket IMAGES, keyed by their img_ id.
 */
import type { AppContext } from "../context";

/** Stores an image under its id with its (sniffed) content type; returns the stored object. */
export async function putImageObject(ctx: Pick<AppContext, "env">, imageId: string, bytes: Uint8Array, contentType: string): Promise<R2Object> {
  const stored = await ctx.env.IMAGES.put(imageId, bytes, { httpMetadata: { contentType } });
  // put() resolves to null only when an onlyIf precondition fails, and none is given here.
  if (!stored) throw new Error(`R2 put of ${imageId} returned no object`);
  return stored;
}

/** The object's metadata without its body (for conditional requests), or null. */
export async function headImageObject(ctx: Pick<AppContext, "env">, imageId: string): Promise<R2Object | null> {
  return ctx.env.IMAGES.head(imageId);
}

/** The object with its body, or null. */
export async function getImageObject(ctx: Pick<AppContext, "env">, imageId: string): Promise<R2ObjectBody | null> {
  return ctx.env.IMAGES.get(imageId);
}

/** Deletes the R2 objects of the given image ids (after their rows are gone). */
export async function deleteImageObjects(ctx: Pick<AppContext, "env">, imageIds: string[]): Promise<void> {
  if (imageIds.length === 0) return;
  await ctx.env.IMAGES.delete(imageIds);
}
