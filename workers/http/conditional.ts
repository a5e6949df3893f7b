/**
 * Conditional GET: does an If-None-Match header match an entity tag? If-None-Match uses the weak
 * comparison (RFC 9110 §13.1.2), so `W/"x"` matches `"x"`; `*` matches any current entity.
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}

/** A strong entity tag for generated content: the quoted hex of its SHA-256 (first 128 bits). */
export async function strongEtagOf(content: string | Uint8Array): Promise<string> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `"${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, "0")).join("")}"`;
}
