/**
 * DB rows → Clerk's User JSON (spec schema `User`, additionalProperties: false).
 * Secrets (digests, TOTP secrets, tokens) are never read here.
 */
import type { AppContext } from "../context";
import { storedJsonObject } from "../db/metadata";
import type { EmailAddressView, ExternalAccountView, PasskeyView, PhoneNumberView, UserAggregate, Web3WalletView } from "../db/users";
import { lockoutState } from "../services/lockout";
import { userImageUrl } from "../storage/image-urls";

type Ctx = Pick<AppContext, "config" | "origin" | "now">;

/** `verification` of an identification created or verified by the backend. */
function verificationOf(status: string | null, strategy: string | null) {
  if (status !== "verified") return null;
  if (strategy?.startsWith("from_oauth_")) {
    return { object: "verification_from_oauth", status: "verified", strategy, attempts: null, expire_at: null };
  }
  return { object: "verification_admin", status: "verified", strategy: "admin", attempts: null, expire_at: null };
}

/** linked_to entries: external accounts whose provider email matches this address. */
function linksFor(email: EmailAddressView, accounts: ExternalAccountView[]) {
  return accounts
    .filter((a) => a.emailAddress && a.emailAddress.normalize("NFC").toLowerCase() === email.emailAddressNormalized)
    .map((a) => ({ type: a.provider, id: a.identificationId }));
}

export function serializeEmailAddress(email: EmailAddressView, accounts: ExternalAccountView[] = []) {
  return {
    id: email.id,
    object: "email_address",
    email_address: email.emailAddress,
    reserved: email.reserved,
    verification: verificationOf(email.verificationStatus, email.verificationStrategy),
    linked_to: linksFor(email, accounts),
    created_at: email.createdAt,
    updated_at: email.updatedAt,
  };
}

export function serializePhoneNumber(phone: PhoneNumberView) {
  return {
    id: phone.id,
    object: "phone_number",
    phone_number: phone.phoneNumber,
    reserved_for_second_factor: phone.reservedForSecondFactor,
    default_second_factor: phone.defaultSecondFactor,
    reserved: phone.reserved,
    verification: verificationOf(phone.verificationStatus, phone.verificationStrategy),
    linked_to: [],
    backup_codes: null,
    created_at: phone.createdAt,
    updated_at: phone.updatedAt,
  };
}

export function serializeWeb3Wallet(wallet: Web3WalletView) {
  return {
    id: wallet.id,
    object: "web3_wallet",
    web3_wallet: wallet.web3Wallet,
    verification: verificationOf(wallet.verificationStatus, wallet.verificationStrategy),
    created_at: wallet.createdAt,
    updated_at: wallet.updatedAt,
  };
}

export function serializePasskey(passkey: PasskeyView) {
  return {
    id: passkey.id,
    object: "passkey",
    name: passkey.name,
    last_used_at: passkey.lastUsedAt ?? passkey.createdAt,
    verification: {
      object: "verification_passkey",
      status: "verified",
      strategy: "passkey",
      nonce: "nonce",
      attempts: null,
      expire_at: null,
    },
  };
}

/** ExternalAccount JSON. Tokens are deliberately absent: they are only served by the OAuth token route. */
export function serializeExternalAccount(account: ExternalAccountView) {
  return {
    object: "external_account",
    id: account.id,
    provider: account.provider,
    identification_id: account.identificationId,
    provider_user_id: account.providerUserId,
    approved_scopes: account.approvedScopes,
    email_address: account.emailAddress,
    email_address_verified: account.emailAddress ? true : null,
    first_name: account.firstName ?? "",
    last_name: account.lastName ?? "",
    avatar_url: account.imageUrl ?? "",
    image_url: account.imageUrl,
    username: account.username,
    phone_number: account.phoneNumber,
    public_metadata: storedJsonObject(account.publicMetadata),
    label: account.label,
    created_at: account.createdAt,
    updated_at: account.updatedAt,
    verification: {
      object: "verification_oauth",
      status: "verified",
      strategy: account.provider,
      attempts: null,
      expire_at: account.tokenExpiresAt ?? account.createdAt,
    },
  };
}

export function serializeUser(ctx: Ctx, aggregate: UserAggregate) {
  const { user } = aggregate;
  const lockout = lockoutState(user, ctx.config, ctx.now());
  const totpEnabled = user.totpSecretEncrypted !== null;
  const backupCodeEnabled = aggregate.backupCodeCount > 0;
  const phoneSecondFactor = aggregate.phoneNumbers.some((p) => p.reservedForSecondFactor);
  const imageUrl = userImageUrl(ctx, user);
  return {
    id: user.id,
    object: "user",
    external_id: user.externalId,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: user.primaryPhoneNumberId,
    primary_web3_wallet_id: user.primaryWeb3WalletId,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    locale: user.locale,
    profile_image_url: imageUrl,
    image_url: imageUrl,
    has_image: user.imageId !== null,
    public_metadata: storedJsonObject(user.publicMetadata),
    private_metadata: storedJsonObject(user.privateMetadata),
    unsafe_metadata: storedJsonObject(user.unsafeMetadata),
    email_addresses: aggregate.emailAddresses.map((e) => serializeEmailAddress(e, aggregate.externalAccounts)),
    phone_numbers: aggregate.phoneNumbers.map(serializePhoneNumber),
    web3_wallets: aggregate.web3Wallets.map(serializeWeb3Wallet),
    passkeys: aggregate.passkeys.map(serializePasskey),
    password_enabled: user.passwordDigest !== null,
    two_factor_enabled: totpEnabled || backupCodeEnabled || phoneSecondFactor,
    totp_enabled: totpEnabled,
    backup_code_enabled: backupCodeEnabled,
    mfa_enabled_at: user.mfaEnabledAt,
    mfa_disabled_at: user.mfaDisabledAt,
    password_last_updated_at: user.passwordLastUpdatedAt,
    external_accounts: aggregate.externalAccounts.map(serializeExternalAccount),
    saml_accounts: [],
    enterprise_accounts: [],
    last_sign_in_at: user.lastSignInAt,
    banned: user.banned,
    locked: lockout.locked,
    lockout_expires_in_seconds: lockout.lockoutExpiresInSeconds,
    verification_attempts_remaining: lockout.verificationAttemptsRemaining,
    updated_at: user.updatedAt,
    created_at: user.createdAt,
    delete_self_enabled: user.deleteSelfEnabled,
    create_organization_enabled: user.createOrganizationEnabled,
    create_organizations_limit: user.createOrganizationsLimit,
    last_active_at: user.lastActiveAt,
    legal_accepted_at: user.legalAcceptedAt,
    bypass_client_trust: user.bypassClientTrust,
  };
}

export type UserJson = ReturnType<typeof serializeUser>;
