/**
 * The default avatar: a small SVG with the user's initials, generated on request (no bundled
 * asset). The same initials always give the same bytes, so the URL is stable and cacheable.
 */

const PALETTE = ["#6C47FF", "#2F80ED", "#219653", "#F2994A", "#EB5757", "#9B51E0", "#00A3A3", "#56657F"];

/** Escapes text for an XML text node or attribute: the initials come from the URL. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function colorFor(initials: string): string {
  let hash = 0;
  for (const ch of initials) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

/** The avatar for `initials` ("" = no name: a neutral silhouette). */
export function renderAvatarSvg(initials: string): string {
  const open = '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"';
  if (!initials) {
    return (
      `${open} role="img" aria-label="avatar">` +
      '<rect width="128" height="128" fill="#CBD2D9"/>' +
      '<circle cx="64" cy="50" r="22" fill="#F5F7FA"/>' +
      '<path d="M22 118c4-24 21-38 42-38s38 14 42 38z" fill="#F5F7FA"/></svg>'
    );
  }
  const text = escapeXml(initials);
  return (
    `${open} role="img" aria-label="${text}">` +
    `<rect width="128" height="128" fill="${colorFor(initials)}"/>` +
    '<text x="64" y="64" dy="0.35em" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif" ' +
    `font-size="52" font-weight="600" fill="#FFFFFF">${text}</text></svg>`
  );
}
