/**
 * The folded forms used for case-insensitive uniqueness and exact matching: emails and
 * usernames fold differently (see identifier-folding.mjs for the rules and why).
 */
import { foldEmail, foldUsername } from "./identifier-folding.mjs";

/** An email address's folded form (`email_address_normalized`): NFC, lower-cased. */
export const normalizeEmail: (value: string) => string = foldEmail;

/** A username's folded form (`username_normalized`): NFKC and lower-cased, so "ｅｘａｍｐｌｅ" is "example". */
export const normalizeUsername: (value: string) => string = foldUsername;

/** An OAuth provider's stored form: with the `oauth_` prefix, as Clerk names them (oauth_google). */
export function normalizeProvider(provider: string): string {
  return provider.startsWith("oauth_") ? provider : `oauth_${provider}`;
}
