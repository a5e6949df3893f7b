/**
 * Clerk-API-Version handling (docs/wire-contract.md, API versions). A version is chosen by the
 * `Clerk-API-Version` header or the `__clerk_api_version` query parameter; both at once, or a
 * value that is not a version, is an invalid request. This Worker implements one version,
 * 2026-05-12; older dated versions are served with its behaviour (a deliberate leniency, so an
 * older SDK keeps working) except where a route accepts an older shape (asksForVersionBefore),
 * while a version newer than it cannot be honoured and is refused.
 */
import { errors } from "./errors";

export const API_VERSION = "2026-05-12";
const VERSION_QUERY_PARAM = "__clerk_api_version";

/** True for a real calendar date written YYYY-MM-DD. */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The version the request asks for (header or query parameter), or undefined for none. */
function requestedVersion(request: Request): string | undefined {
  const header = request.headers.get("clerk-api-version");
  const query = new URL(request.url).searchParams.get(VERSION_QUERY_PARAM);
  if (header !== null && query !== null) {
    throw errors.apiVersionInvalid(
      `provide the version either in the Clerk-API-Version header or in the ${VERSION_QUERY_PARAM} query parameter, not both`,
    );
  }
  return (header ?? query)?.trim();
}

/**
 * Whether the request asks for an API version older than `version`, or for none (as older
 * clients do): a route may then accept the shapes those versions had. Call after assertApiVersion.
 */
export function asksForVersionBefore(request: Request, version: string): boolean {
  const requested = requestedVersion(request);
  // ISO dates compare correctly as strings.
  return requested === undefined || requested < version;
}

/** Throws 400 api_version_invalid unless the request asks for no version or one we can serve. */
export function assertApiVersion(request: Request): void {
  const version = requestedVersion(request);
  if (version === undefined) return;
  if (!isCalendarDate(version)) throw errors.apiVersionInvalid(`'${version.slice(0, 40)}' is not a valid version; use ${API_VERSION}`);
  // ISO dates compare correctly as strings.
  if (version > API_VERSION) throw errors.apiVersionInvalid(`version ${version} is not supported; the latest supported version is ${API_VERSION}`);
}
