/**
 * The one error type every handler throws, and the table of Clerk's error codes we use.
 * Codes, statuses and messages come from Clerk's catalogue (test/fixtures/clerk-bapi/api_errors.tsv);
 * only `errorResponse` in workers/http/respond.ts turns an ApiError into a response body.
 */
export interface ApiErrorMeta {
  param_name?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly longMessage: string,
    readonly meta?: ApiErrorMeta,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** "42 seconds", "1 minute", "59 minutes", "2 hours" — rounded up, for error texts. */
function describeDuration(seconds: number): string {
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? "" : "s"}`;
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 3600) return unit(Math.ceil(seconds / 60), "minute");
  return unit(Math.ceil(seconds / 3600), "hour");
}

const withParam = (param?: string): ApiErrorMeta | undefined => (param ? { param_name: param } : undefined);

/** Factories for every Clerk error this API emits, keyed by meaning rather than code. */
export const errors = {
  notFound: (longMessage = "Resource not found") => new ApiError(404, "resource_not_found", "not found", longMessage),
  userNotFound: (id: string) => new ApiError(404, "resource_not_found", "not found", `No user was found with id ${id}`),
  routeNotFound: () => new ApiError(404, "resource_not_found", "Resource not found", "The requested resource was not found"),
  authorizationHeaderInvalid: () =>
    new ApiError(
      401,
      "authorization_header_format_invalid",
      "Invalid Authorization header format",
      "Invalid Authorization header format. Must be 'Bearer <YOUR_API_KEY>'",
    ),
  secretKeyInvalid: () => {
    const text = "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.";
    return new ApiError(401, "clerk_key_invalid", text, text);
  },
  requestBodyInvalid: (longMessage = "The request body is invalid. Please consult the API documentation for more information.") =>
    new ApiError(400, "request_body_invalid", "Request body invalid", longMessage),
  apiVersionInvalid: (reason: string) => new ApiError(400, "api_version_invalid", "invalid API version", `Invalid Clerk API version: ${reason}`),
  requestBodyTooLarge: (maxBytes: number) =>
    new ApiError(413, "request_body_too_large", "Request body too large", `The request body exceeds the maximum allowed size of ${maxBytes} bytes.`),
  internal: () =>
    new ApiError(
      500,
      "internal_clerk_error",
      "Oops, an unexpected error occurred",
      "There was an internal error on our servers. We've been notified and are working on fixing it.",
    ),
  paramUnknown: (param: string) =>
    new ApiError(422, "form_param_unknown", "is unknown", `${param} is not a valid parameter for this request.`, withParam(param)),
  paramMissing: (param: string, status = 422) =>
    new ApiError(status, "form_param_missing", "is missing", `${param} must be included.`, withParam(param)),
  paramNil: (param: string) => new ApiError(422, "form_param_nil", "is nil", `${param} cannot be null.`, withParam(param)),
  paramTypeInvalid: (param: string, type: string) =>
    new ApiError(422, "form_param_type_invalid", "is invalid", `\`${param}\` must be a \`${type}\`.`, withParam(param)),
  paramFormatInvalid: (param: string, longMessage: string) =>
    new ApiError(422, "form_param_format_invalid", "is invalid", longMessage, withParam(param)),
  paramValueInvalid: (param: string, longMessage?: string, status = 422) =>
    new ApiError(
      status,
      "form_param_value_invalid",
      "is invalid",
      longMessage ?? `The value does not match one of the allowed values for parameter ${param}`,
      withParam(param),
    ),
  paramInvalidEncoding: (param: string) =>
    new ApiError(422, "form_param_value_invalid", "invalid character encoding", `${param} contains invalid UTF-8 characters`, withParam(param)),
  paramInvalidTime: (param: string) =>
    new ApiError(
      422,
      "form_param_invalid_time",
      "invalid format",
      `${param} must contain a datetime specified in RFC3339 format (e.g. \`2022-10-20T10:00:27.645Z\`).`,
      withParam(param),
    ),
  paramMaxLengthExceeded: (param: string, max: number) =>
    new ApiError(422, "form_param_max_length_exceeded", "exceeds maximum length", `${param} should not exceed ${max} characters.`, withParam(param)),
  paramArraySizeExceeded: (param: string, max: number, longMessage = `${param} should not exceed ${max} items.`) =>
    new ApiError(422, "form_param_array_size_exceeded", "exceeds maximum size", longMessage, withParam(param)),
  /** Clerk's FormAtLeastOneItemInArrayRequired. */
  arrayItemRequired: (param: string) =>
    new ApiError(
      422,
      "form_param_missing",
      "at least one item must be provided",
      `at least one item must be provided for \`${param}\``,
      withParam(param),
    ),
  paramArrayLengthMismatch: (param: string, other: string) =>
    new ApiError(
      422,
      "form_param_array_length_mismatch",
      "length mismatch",
      `${param} must contain exactly one item for each item in ${other}.`,
      withParam(param),
    ),
  paramExceedsAllowedSize: (param: string, longMessage: string) =>
    new ApiError(422, "form_param_exceeds_allowed_size", "exceeds allowed size", longMessage, withParam(param)),
  identifierExists: (param: string, what: string) =>
    new ApiError(
      422,
      "form_identifier_exists",
      `That ${what} is taken. Please try another.`,
      `That ${what} is taken. Please try another.`,
      withParam(param),
    ),
  verificationNeeded: (param: string) =>
    new ApiError(
      422,
      "form_verification_needed",
      "is unverified",
      "This identification needs to be verified before you can perform this action.",
      withParam(param),
    ),
  /** An URL with a scheme we do not store (e.g. `javascript:`); Clerk's InvalidURLScheme. */
  urlSchemeInvalid: (param: string, schemes: readonly string[]) =>
    new ApiError(
      422,
      "invalid_url_scheme",
      "Invalid URL scheme",
      `Please provide a URL with one of the following schemes: ${schemes.join(", ")}`,
      withParam(param),
    ),
  formResourceNotFound: (param: string) =>
    new ApiError(422, "form_resource_not_found", "is missing", `The resource associated with the supplied ${param} was not found.`, withParam(param)),
  usernameInvalidLength: (param: string, min: number, max: number) =>
    new ApiError(
      422,
      "form_username_invalid_length",
      `Username must be between ${min} and ${max} characters long.`,
      `Username must be between ${min} and ${max} characters long.`,
      withParam(param),
    ),
  usernameInvalidCharacter: (param: string) =>
    new ApiError(
      422,
      "form_username_invalid_character",
      "Username can only contain letters, numbers, '_', '-' and '.'.",
      "Username can only contain letters, numbers, '_', '-' and '.'.",
      withParam(param),
    ),
  passwordTooShort: (param = "password", min = 8) =>
    new ApiError(
      422,
      "form_password_length_too_short",
      `Passwords must be ${min} character${min === 1 ? "" : "s"} or more.`,
      `Passwords must be ${min} character${min === 1 ? "" : "s"} or more.`,
      withParam(param),
    ),
  oauthTokenProviderNotEnabled: () =>
    new ApiError(
      404,
      "oauth_token_provider_not_enabled",
      "OAuth provider not enabled",
      "Single-sign on for this OAuth provider is not enabled in the instance settings.",
    ),
  oauthMissingRefreshToken: () =>
    new ApiError(
      422,
      "oauth_missing_refresh_token",
      "Cannot refresh OAuth access token",
      "The current access token has expired and we cannot refresh it, because the authorization server hasn't provided us with a refresh token",
    ),
  oauthMissingAccessToken: () => new ApiError(422, "oauth_missing_access_token", "Missing OAuth access token", "OAuth access token is missing"),
  /** `meta` says why: the provider's HTTP status, or a timeout/network/invalid-response reason. */
  oauthTokenRetrievalError: (meta: ApiErrorMeta) =>
    new ApiError(400, "oauth_token_retrieval_error", "Token retrieval failed", "Failed to retrieve a new access token from the OAuth provider", meta),
  // Organizations (organizations.go in Clerk's catalogue).
  webhookEndpointNotFound: (id: string) => new ApiError(404, "resource_not_found", "not found", `No webhook endpoint was found with id ${id}`),
  webhookMessageNotFound: (id: string) =>
    new ApiError(404, "resource_not_found", "not found", `No message was found with id ${id} for this endpoint`),
  organizationNotFound: () => new ApiError(404, "resource_not_found", "not found", "Given organization not found."),
  organizationCreatorNotFound: (userId: string) =>
    new ApiError(400, "organization_creator_not_found", "creator not found", `No users found with id ${userId}.`, withParam("created_by")),
  organizationNameInvalid: (name: string, reason: string) =>
    new ApiError(
      422,
      "form_param_value_invalid",
      "invalid organization name",
      `The organization name ${JSON.stringify(name)} is invalid: ${reason}`,
      withParam("name"),
    ),
  alreadyAMemberInOrganization: (userId: string) =>
    new ApiError(400, "already_a_member_in_organization", "already a member", `${userId} is already a member of the organization.`),
  organizationMembershipQuotaExceeded: (max: number) =>
    new ApiError(
      403,
      "organization_membership_quota_exceeded",
      "organization membership quota exceeded",
      `You have reached your limit of ${max} organization memberships, including outstanding invitations.`,
    ),
  notAnAdminInOrganization: (who: string) =>
    new ApiError(
      403,
      "not_an_admin_in_organization",
      "not an administrator",
      `${who} is not an administrator in the organization. Only administrators can perform this action.`,
    ),
  organizationInvitationNotUnique: () =>
    new ApiError(
      400,
      "organization_invitation_not_unique",
      "organization invitation not unique",
      "Organizations cannot have duplicate pending invitations for an email address.",
      withParam("email_address"),
    ),
  organizationInvitationNotFound: (id: string) => new ApiError(404, "resource_not_found", "not found", `No invitation was found with id ${id}.`),
  organizationInvitationNotPending: () =>
    new ApiError(404, "organization_invitation_not_pending", "not pending", "The organization invitation is not in the 'pending' status."),
  organizationInvitationAlreadyAccepted: () =>
    new ApiError(
      400,
      "organization_invitation_already_accepted",
      "invitation has already been accepted",
      "This invitation has already been accepted. Sign in instead.",
    ),
  organizationInvitationRevoked: () =>
    new ApiError(
      400,
      "organization_invitation_revoked_code",
      "invitation has been revoked",
      "This invitation has been revoked and cannot be used anymore.",
    ),
  passwordSizeExceeded: (param = "password") =>
    new ApiError(
      422,
      "form_password_size_in_bytes_exceeded",
      "Your password is too long. Please use a shorter one.",
      "Your password is too long. Please use a shorter one.",
      withParam(param),
    ),
  passwordPwned: (param = "password") =>
    new ApiError(
      422,
      "form_password_pwned",
      "Password has been found in an online data breach. For account safety, please use a different password.",
      "Password has been found in an online data breach. For account safety, please use a different password.",
      withParam(param),
    ),
  passwordDigestInvalid: (param = "password_digest") =>
    new ApiError(
      422,
      "form_password_digest_invalid_code",
      "is invalid",
      "provided password_digest is not valid for the provided password_hasher",
      withParam(param),
    ),
  noPasswordSet: () => new ApiError(400, "no_password_set", "no password set", "This user does not have a password set for their account"),
  incorrectPassword: () =>
    new ApiError(422, "incorrect_password", "incorrect password", "The provided password is not the one the user has set", withParam("password")),
  totpDisabled: () => new ApiError(400, "totp_disabled", "TOTP is disabled", "This user does not have TOTP enabled in their account"),
  totpIncorrectCode: () => new ApiError(422, "totp_incorrect_code", "incorrect TOTP", "The provided TOTP code is incorrect", withParam("code")),
  totpInvalidLength: () =>
    new ApiError(422, "totp_invalid_length", "invalid length", "The provided TOTP code must be 6 characters long.", withParam("code")),
  /** 403 user_locked; `expiresInSeconds` null means locked until an unlock. */
  userLocked: (expiresInSeconds: number | null) =>
    new ApiError(
      403,
      "user_locked",
      "Account locked",
      expiresInSeconds === null
        ? "Your account is locked. For more information, please contact support."
        : `Your account is locked. You will be able to try again in ${describeDuration(expiresInSeconds)}. For more information, please contact support.`,
      { lockout_expires_in_seconds: expiresInSeconds },
    ),
  identificationNotFound: () => new ApiError(404, "resource_not_found", "Resource not found", "Resource not found"),
  lastIdentificationDeletionFailed: () =>
    new ApiError(400, "identification_deletion_failed", "Deletion failed", "You cannot delete your last identification."),
  /**
   * 403 feature_not_enabled (Clerk's FeatureNotEnabledWithMeta, features.go): the instance does
   * not offer what the request asked for; `param` names the parameter that asked.
   */
  featureNotEnabled: (longMessage: string, param?: string) => new ApiError(403, "feature_not_enabled", "not enabled", longMessage, withParam(param)),
  imageMissing: () =>
    new ApiError(400, "form_param_missing", "Image file missing", "There was no image file present in the request", withParam("file")),
  imageTooLarge: () =>
    new ApiError(413, "image_too_large", "Image too large", "The image being uploaded is more than 10MB. Please choose a smaller one."),
  imageTypeNotSupported: (imageType: string) =>
    new ApiError(
      400,
      "request_body_invalid",
      "Unsupported image type",
      `'${imageType}' images are not currently supported. Please consult the API documentation for more information.`,
    ),
  imageNotFound: () => new ApiError(404, "image_not_found", "Image not found", "Image not found"),
  /** A dashboard session cookie that is missing, malformed, expired or made with a key no longer configured. */
  dashboardSessionInvalid: () =>
    new ApiError(
      401,
      "authentication_invalid",
      "Invalid authentication",
      "Unable to authenticate the request, you need to supply an active session. Sign in to the dashboard again.",
    ),
  /**
   * A state-changing request carrying the dashboard cookie from another origin (README, Dashboard,
   * Security model). Clerk's `authorization_invalid` (403) is the closest code: `origin_invalid`
   * is a 400 about Frontend API subdomains, and `csrf_token_invalid` asks for a CSRF token this
   * API does not use.
   */
  crossSiteRequest: () =>
    new ApiError(
      403,
      "authorization_invalid",
      "Unauthorized request",
      "Requests authenticated by the dashboard session cookie must come from the dashboard's own origin.",
    ),
  /** Too many dashboard sign-in attempts from one client; the text says how long to wait. */
  signInRateLimited: (retryAfterSeconds: number) =>
    new ApiError(
      429,
      "too_many_requests",
      "Too many requests",
      `Too many sign-in attempts. Try again in ${describeDuration(retryAfterSeconds)}.`,
      undefined,
      { "Retry-After": String(retryAfterSeconds) },
    ),
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, "too_many_requests", "Too many requests", "Too many requests, retry later", undefined, {
      "Retry-After": String(retryAfterSeconds),
    }),
} as const;
