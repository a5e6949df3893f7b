/**
 * The bundled breached-password check (form_password_pwned). The list is the most common
 * breached passwords that the length rules would otherwise let through; see
 * scripts/generate-pwned-passwords.mjs. No network: the check is exact and local.
 */
import { PWNED_PASSWORDS } from "./pwned-passwords-data";

let set: Set<string> | undefined;

/** True when `password` is on the bundled list of common breached passwords (exact match). */
export function isPwnedPassword(password: string): boolean {
  // Built on first use so isolates that never set a password do not pay for it.
  set ??= new Set(PWNED_PASSWORDS.split("\n"));
  return set.has(password);
}
