/**
 * SQL for uploaded images (the images table) and the user's current image (users.image_id).
 */
import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "./client";
import { images, users, type UserRow } from "./schema";
import type { BatchRunner } from "./users";

/** Deletes all of the user's image rows, returning their ids: the R2 objects to delete next. */
export function deleteImagesOfUserStatement(db: Db, userId: string) {
  return db.delete(images).where(eq(images.userId, userId)).returning({ id: images.id });
}

/**
 * Records `image` as the user's image and drops the user's other image rows, in one batch.
 * Returns the ids of the rows it dropped, read by the same statement, so an image a concurrent
 * upload added in the meantime is among them and its object is not left behind; and the user
 * row as the batch wrote it, or undefined when the user no longer existed (user_id has no
 * foreign key, so a user deleted since the caller looked is detected inside the batch, which
 * then keeps no row for the image).
 */
export async function replaceUserImage(
  db: Db,
  run: BatchRunner,
  image: typeof images.$inferInsert & { userId: string },
  now: number,
): Promise<{ user: UserRow | undefined; dropped: string[] }> {
  const [, updated, dropped] = (await run([
    db.insert(images).values(image),
    db.update(users).set({ imageId: image.id, updatedAt: now }).where(eq(users.id, image.userId)).returning(),
    db
      .delete(images)
      .where(and(eq(images.userId, image.userId), ne(images.id, image.id)))
      .returning({ id: images.id }),
    db
      .delete(images)
      .where(and(eq(images.id, image.id), sql`not exists (select 1 from ${users} where ${users.id} = ${image.userId})`))
      .returning({ id: images.id }),
  ])) as [unknown, UserRow[], { id: string }[]];
  return { user: updated[0], dropped: dropped.map((row) => row.id) };
}

/**
 * Clears the user's image and deletes all of the user's image rows (one batch); returns their
 * ids and the user row as written (undefined when the user no longer exists).
 */
export async function clearUserImage(
  db: Db,
  run: BatchRunner,
  userId: string,
  now: number,
): Promise<{ user: UserRow | undefined; dropped: string[] }> {
  const [updated, dropped] = (await run([
    db.update(users).set({ imageId: null, updatedAt: now }).where(eq(users.id, userId)).returning(),
    deleteImagesOfUserStatement(db, userId),
  ])) as [UserRow[], { id: string }[]];
  return { user: updated[0], dropped: dropped.map((row) => row.id) };
}
