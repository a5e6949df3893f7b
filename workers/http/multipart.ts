/**
 * Reading one file from a multipart/form-data body without ever buffering an unbounded body:
 * the raw bytes are read under a byte budget first (refused on Content-Length before reading,
 * counted while streaming otherwise) and only then parsed.
 */
import { readBodyBytes } from "./body";
import { errors } from "./errors";

/** Room for the multipart envelope (boundaries, part headers, other small fields). */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export interface UploadedFile {
  bytes: Uint8Array;
  /** The client's claimed Content-Type of the part (never trusted for the stored type). */
  claimedType: string;
}

/**
 * The file in form field `field`, or null when the request is not multipart or has no such file.
 * A body or file over `maxFileBytes` → `onTooLarge()`; a malformed multipart body → 400.
 */
export async function readUploadedFile(request: Request, field: string, maxFileBytes: number, onTooLarge: () => Error): Promise<UploadedFile | null> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const raw = await readBodyBytes(request, maxFileBytes + MULTIPART_OVERHEAD_BYTES, onTooLarge);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw errors.requestBodyInvalid();
  }
  const value: unknown = form.get(field);
  if (value === null || typeof value === "string") return null;
  const file = value as File;
  if (file.size > maxFileBytes) throw onTooLarge();
  return { bytes: new Uint8Array(await file.arrayBuffer()), claimedType: file.type };
}
