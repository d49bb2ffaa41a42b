/**
 * Errors the user can act on are printed as one line (`secretwatch: ...`) with the exit code
 * of exit-codes.ts, never as a stack trace.
 */
import { EXIT, type ExitCode } from "./exit-codes.js";

/** A mistake or missing precondition the user can fix; `main` prints only its message. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "TokenRefreshRequired",
]);
const ACCESS_ERRORS = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);
/** Node's socket and DNS error codes (https://nodejs.org/api/errors.html#common-system-errors). */
const NETWORK_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "NetworkingError"]);

const firstLine = (text: string) => text.split("\n")[0]?.trim() ?? "";

/** The system error code of `error` or of its causes (the SDK wraps socket errors). */
function systemCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || !(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
  return systemCode(error.cause, depth + 1);
}

/** True when `error` says AWS could not be reached at all (no network, DNS, a socket timeout). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof Error && (systemCode(error) !== undefined || NETWORK_NAMES.has(error.name));
}

/** True for errors about the caller's credentials or permissions (as opposed to the request). */
export function isCredentialError(error: unknown): boolean {
  return error instanceof Error && (CREDENTIAL_ERRORS.has(error.name) || ACCESS_ERRORS.has(error.name));
}

/**
 * One readable line for an error: the message of a {@link UserError}; for an AWS SDK error, a
 * hint for network, credentials and permissions, else the service's own name and message.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 */
export function describeError(error: unknown): string {
  // A UserError says exactly what it means (a policy file lists each of its problems on a line).
  if (error instanceof UserError) return error.message;
  if (!(error instanceof Error)) return firstLine(String(error));
  if (isUnreachable(error)) {
    const detail = systemCode(error) ?? error.name;
    return `cannot reach AWS (${detail}: ${firstLine(error.message)}): check the network, proxy and --region`;
  }
  if (CREDENTIAL_ERRORS.has(error.name)) {
    return `no usable AWS credentials (${firstLine(error.message)}); set AWS_PROFILE or run \`aws sso login\``;
  }
  if (ACCESS_ERRORS.has(error.name)) return `access denied by AWS: ${firstLine(error.message)}`;
  return `${error.name}: ${firstLine(error.message)}`;
}

/** The exit code for an error that ended a command (exit-codes.ts). */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UserError) return error.exitCode;
  if (isUnreachable(error) || isCredentialError(error)) return EXIT.aws;
  return EXIT.findings;
}
