/**
 * Profile images in the R2 bucket IMAGES, keyed by their img_ id.
 */
import type { AppContext } from "../context";

/** Deletes the R2 objects of the given image ids (after their rows are gone). */
export async function deleteImageObjects(ctx: Pick<AppContext, "env">, imageIds: string[]): Promise<void> {
  if (imageIds.length === 0) return;
  await ctx.env.IMAGES.delete(imageIds);
}
