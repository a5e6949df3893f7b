/** The parts of the API's JSON (README, Endpoints; workers/serializers/) that dash-pages' pages read. */
import type { JsonObject } from "./metadata-patch";

export type Verification = { status: string; strategy: string } | null;
export type EmailAddress = { id: string; email_address: string; verification: Verification; linked_to: { type: string; id: string }[] };
export type PhoneNumber = { id: string; phone_number: string; verification: Verification; reserved_for_second_factor: boolean };
export type Web3Wallet = { id: string; web3_wallet: string; verification: Verification };
export type Passkey = { id: string; name: string; last_used_at: number | null };
export type ExternalAccount = { id: string; provider: string; provider_user_id: string; email_address: string | null; username: string | null };

export type User = {
  id: string;
  external_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  primary_phone_number_id: string | null;
  primary_web3_wallet_id: string | null;
  email_addresses: EmailAddress[];
  phone_numbers: PhoneNumber[];
  web3_wallets: Web3Wallet[];
  passkeys: Passkey[];
  external_accounts: ExternalAccount[];
  public_metadata: JsonObject;
  private_metadata: JsonObject;
  unsafe_metadata: JsonObject;
  password_enabled: boolean;
  password_last_updated_at: number | null;
  two_factor_enabled: boolean;
  totp_enabled: boolean;
  backup_code_enabled: boolean;
  mfa_enabled_at: number | null;
  mfa_disabled_at: number | null;
  banned: boolean;
  locked: boolean;
  lockout_expires_in_seconds: number | null;
  verification_attempts_remaining: number | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
  last_active_at: number | null;
};

export type Organization = {
  id: string;
  name: string;
  slug: string;
  image_url: string;
  members_count?: number;
  pending_invitations_count?: number;
  max_allowed_memberships: number;
  public_metadata: JsonObject;
  private_metadata: JsonObject;
  created_by?: string;
  created_at: number;
  updated_at: number;
};

export type PublicUserData = {
  user_id: string;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  identifier: string | null;
  username: string | null;
  banned: boolean;
};

export type Membership = {
  id: string;
  role: string;
  role_name: string;
  organization: Organization;
  public_user_data: PublicUserData;
  created_at: number;
};

export type Invitation = {
  id: string;
  email_address: string;
  role: string;
  role_name: string;
  status: string;
  expires_at: number | null;
  created_at: number;
};

export type WebhookEndpoint = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  disabled: boolean;
  created_at: number;
  updated_at: number;
};

export type WebhookAttempt = {
  message_id: string;
  event_type: string;
  status: string;
  response_status: number | null;
  attempt: number;
  created_at: number;
  next_attempt_at: number | null;
};

export type Paginated<T> = { data: T[]; total_count: number };

/** "Ada Lovelace", else the username, else the primary email, else the id. */
export function displayName(user: Pick<User, "id" | "first_name" | "last_name" | "username"> & { email?: string | null }): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return name || user.username || user.email || user.id;
}
