/**
 * The one error type every handler throws, and the table of Clerk's error codes we use.
 * Codes, statuses and messages come from Clerk's catalogue (shared/clerk-bapi/api_errors.tsv);
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
  paramArraySizeExceeded: (param: string, max: number) =>
    new ApiError(422, "form_param_array_size_exceeded", "exceeds maximum size", `${param} should not exceed ${max} items.`, withParam(param)),
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
    new ApiError(422, "form_identifier_exists", `That ${what} is taken. Please try another.`, `That ${what} is taken. Please try another.`, withParam(param)),
  verificationNeeded: (param: string) =>
    new ApiError(
      422,
      "form_verification_needed",
      "is unverified",
      "This identification needs to be verified before you can perform this action.",
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
      `Passwords must be ${min} characters or more.`,
      `Passwords must be ${min} characters or more.`,
      withParam(param),
    ),
  identificationNotFound: () => new ApiError(404, "resource_not_found", "Resource not found", "Resource not found"),
  lastIdentificationDeletionFailed: () =>
    new ApiError(400, "identification_deletion_failed", "Deletion failed", "You cannot delete your last identification."),
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
  tooManyRequests: (retryAfterSeconds: number) =>
    new ApiError(429, "too_many_requests", "Too many requests", "Too many requests, retry later", undefined, {
      "Retry-After": String(retryAfterSeconds),
    }),
} as const;
