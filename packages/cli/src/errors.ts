/**
 * Errors the user can act on are printed as one line (`secretwatch: ...`) with a non-zero
 * exit code, never as a stack trace.
 */

/** A mistake or missing precondition the user can fix; `main` prints only its message. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly exitCode = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "ExpiredTokenException", "ExpiredToken"]);
const ACCESS_ERRORS = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);

/**
 * One readable line for an error from an AWS SDK call: credentials and permissions get a
 * hint; anything else keeps the service's own name and message.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.message;
  if (!(error instanceof Error)) return String(error);
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return `no usable AWS credentials (${error.message.split("\n")[0]}); set AWS_PROFILE or run \`aws sso login\``;
  }
  if (ACCESS_ERRORS.has(error.name)) return `access denied by AWS: ${error.message.split("\n")[0]}`;
  return `${error.name}: ${error.message.split("\n")[0]}`;
}
