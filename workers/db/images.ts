/**
 * SQL for uploaded images (the images table) and the user's current image (users.image_id).
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "./client";
import { images, users } from "./schema";
import type { Statement } from "./users";

export async function findImageIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ id: images.id }).from(images).where(eq(images.userId, userId)).all();
  return rows.map((r) => r.id);
}

/** Records `image` as the user's image and drops the user's other image rows (one batch). */
export function replaceUserImageStatements(db: Db, image: typeof images.$inferInsert & { userId: string }, now: number): Statement[] {
  return [
    db.insert(images).values(image),
    db.update(users).set({ imageId: image.id, updatedAt: now }).where(eq(users.id, image.userId)),
    db.delete(images).where(and(eq(images.userId, image.userId), ne(images.id, image.id))),
  ];
}

/** Clears the user's image and deletes all of the user's image rows (one batch). */
export function clearUserImageStatements(db: Db, userId: string, now: number): Statement[] {
  return [db.update(users).set({ imageId: null, updatedAt: now }).where(eq(users.id, userId)), db.delete(images).where(eq(images.userId, userId))];
}
