/**
 * Metadata rules: merge (PATCH …/metadata, RFC 7396 merge-patch: nested objects merge, `null`
 * removes a key at any level, anything else replaces), replace (PUT …/metadata, and metadata
 * on PATCH of the object), and the 8 KB limit on the objects of one row together (Clerk docs:
 * "Metadata is limited to 8KB maximum"): a user's public, private and unsafe metadata, an
 * organization's or membership's public and private metadata.
 *
 * Updates are single statements built by workers/db/metadata.ts, which also check the limit, so
 * concurrent writes never lose one another's keys nor exceed it together; inserts check the
 * limit here before writing.
 */
import type { AppContext } from "../context";
import { batchWithEvents, type EventSpec } from "../webhooks/outbox";
import {
  isMetadataTooLarge,
  readMetadataSizes,
  updateRowWithMetadata,
  updateRowWithMetadataStatement,
  type JsonObject,
  type MetadataMode,
  type MetadataTable,
  type MetadataWrite,
  type RowUpdate,
} from "../db/metadata";
import { errors, type ApiError } from "../http/errors";

export type { MetadataMode } from "../db/metadata";

export const METADATA_MAX_BYTES = 8 * 1024;

/** "Metadata (public, private and unsafe together) must not exceed 8192 bytes" for these parameters. */
function limitText(params: string[]): string {
  const names = params.map((param) => param.replace(/_metadata$/, ""));
  const together = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)} together` : names[0];
  return `Metadata (${together}) must not exceed ${METADATA_MAX_BYTES} bytes`;
}

/** The 422 for metadata whose objects together have `sizes` bytes (by parameter): names the largest. */
function tooLarge(sizes: Record<string, number>): ApiError {
  const entries = Object.entries(sizes);
  const total = entries.reduce((sum, [, size]) => sum + size, 0);
  const [largest] = entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  return errors.paramExceedsAllowedSize(largest, `${limitText(Object.keys(sizes))}; got ${total}.`);
}

/**
 * The JSON texts of a new row's metadata objects (by parameter; absent or null is `{}`), after
 * checking the limit on them together (UTF-8 bytes of the texts). For inserts.
 */
export function metadataForInsert<P extends string>(objects: Record<P, JsonObject | null | undefined>): Record<P, string> {
  const texts = Object.fromEntries(Object.entries(objects).map(([param, value]) => [param, JSON.stringify(value ?? {})])) as Record<P, string>;
  const encoder = new TextEncoder();
  const sizes: Record<string, number> = Object.fromEntries(
    Object.entries(texts).map(([param, text]) => [param, encoder.encode(text as string).length]),
  );
  if (Object.values(sizes).reduce((sum, size) => sum + size, 0) > METADATA_MAX_BYTES) throw tooLarge(sizes);
  return texts;
}

/**
 * A metadata write for workers/db/metadata.ts: `columns` are all the row's metadata columns
 * (by drizzle key), `given` what the request sent for each (by parameter).
 */
export function metadataWrite(columns: MetadataWrite["columns"], given: MetadataWrite["given"], mode: MetadataMode): MetadataWrite {
  return { columns, given, mode, maxBytes: METADATA_MAX_BYTES };
}

/**
 * Applies `metadata` (merge or replace) to row `id` together with `values`, in one statement
 * that also checks the limit (workers/db/metadata.ts). Returns the row as written, undefined
 * when there is no such row; a write the limit refuses changes nothing and throws 422
 * form_param_exceeds_allowed_size, naming the largest object.
 */
export async function updateWithMetadata<T extends MetadataTable>(
  ctx: AppContext,
  table: T,
  id: string,
  metadata: MetadataWrite,
  values: RowUpdate<T>,
  events: EventSpec[] = [],
): Promise<T["$inferSelect"] | undefined> {
  // With events, the UPDATE and its event are one batch; the event is written only if the
  // UPDATE changed the row (a write the limit refuses matches no row).
  const row =
    events.length === 0
      ? await updateRowWithMetadata(ctx.db, table, id, metadata, values)
      : (
          (
            await batchWithEvents(
              ctx,
              [updateRowWithMetadataStatement(ctx.db, table, id, metadata, values)],
              events.map((e, i) => (i === 0 ? { ...e, onlyIfChanged: true } : e)),
            )
          )[0] as T["$inferSelect"][]
        )[0];
  if (row) return row;
  // No row: missing, or refused by the limit. A row that exists now existed then (ids are
  // never reused), so the limit refused it.
  const sizes = await readMetadataSizes(ctx.db, table, id, metadata);
  if (sizes) throw tooLarge(sizes);
  return undefined;
}

/**
 * Runs `batch`, which holds abortBatchUnlessMetadataFits(metadata) before its UPDATE, turning
 * that refusal into 422 form_param_exceeds_allowed_size. The sizes the error reports are read
 * afterwards (what the write would make of the row now).
 */
export async function runWithMetadataLimit<T>(
  ctx: AppContext,
  table: MetadataTable,
  id: string,
  metadata: MetadataWrite,
  batch: () => Promise<T>,
): Promise<T> {
  try {
    return await batch();
  } catch (error) {
    if (!isMetadataTooLarge(error)) throw error;
    const sizes = await readMetadataSizes(ctx.db, table, id, metadata);
    if (sizes) throw tooLarge(sizes);
    // Deleted since the refused write: it was still refused for its size, so name what it sent.
    const params = Object.values(metadata.columns).map((column) => column.name);
    const sent = params.find((param) => metadata.given[param] !== undefined) ?? params[0];
    throw errors.paramExceedsAllowedSize(sent, `${limitText(params)}.`);
  }
}
