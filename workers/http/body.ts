/**
 * Request-body reading. The SDK sends `Content-Type: application/json` with an empty body on
 * GET, DELETE and body-less POST (docs/wire-contract.md, What the SDK sends), so an empty body
 * reads as `{}`.
 * Bodies are read with a byte budget, so an oversized or unbounded body is refused early.
 */
import { errors } from "./errors";

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Deepest nesting of objects and arrays a JSON body may have (the body itself is level 1).
 * Validation, metadata merging and serialisation recurse over the value, so a 1 MB body of
 * `[[[[…` would otherwise overflow the stack; 8 KB of metadata never needs more.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether the JSON text nests objects/arrays deeper than `max` (brackets inside strings do not count). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Reads at most `maxBytes` of the body; throws `onTooLarge()` past that. Refuses on Content-Length first. */
export async function readBodyBytes(request: Request, maxBytes: number, onTooLarge: () => Error): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw onTooLarge();
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw onTooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * A bulk import body (POST /v1/users/import): up to 500 users, each of which may carry 8 KB of
 * metadata, so about 500 × 10 KB; larger bodies answer 413 and the caller sends smaller batches.
 */
export const MAX_IMPORT_BODY_BYTES = 5 * 1024 * 1024;

/** The JSON object body of a request; `{}` when there is no body. Larger than `maxBytes` → 413. */
export async function readJsonBody(request: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<Record<string, unknown>> {
  const bytes = await readBodyBytes(request, maxBytes, () => errors.requestBodyTooLarge(maxBytes));
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw errors.requestBodyInvalid(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw errors.requestBodyInvalid();
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw errors.requestBodyInvalid();
  return parsed as Record<string, unknown>;
}
