/**
 * AWS calls that may fail: a failed call becomes a ✗ line for the checks that needed it
 * (with its reason and a fix), never a crash; when every call failed for lack of
 * credentials, or because AWS cannot be reached at all, one clear line replaces the report.
 */
import { describeError, isUnreachable, UserError } from "../errors.js";
import { EXIT } from "../exit-codes.js";
import { type CheckResult, type FixHints, fail, type Link } from "./report.js";

/** Error names of the SDK when no usable credentials were found or they expired. */
const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "ExpiredTokenException", "ExpiredToken"]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

/** The fix for a failed AWS call: a permission to grant, a stage to deploy, or a retry. */
export function errorFix(error: unknown, action: string, hints: FixHints): string {
  const name = errorName(error);
  if (/AccessDenied|Authorization|Unauthorized/.test(name)) return `allow ${action} to your AWS identity`;
  if (/NotFound/.test(name)) return `deploy the stage: ${hints.deploy}`;
  return "retry; if it persists, check the error above";
}

export class Attempts {
  private calls = 0;
  private readonly errors: unknown[] = [];

  constructor(private readonly hints: FixHints) {}

  /**
   * Runs one AWS-backed check.
   * @param action the IAM action it needs, e.g. `cloudtrail:GetTrailStatus`
   * @param what what it does, for the ✗ line: `read the status of trail X`
   */
  async run(link: Link, action: string, what: string, check: () => Promise<CheckResult[]>): Promise<CheckResult[]> {
    this.calls++;
    try {
      return await check();
    } catch (error) {
      this.errors.push(error);
      return [fail(link, `cannot ${what} (${action}): ${describeError(error)}`, errorFix(error, action, this.hints))];
    }
  }

  /**
   * Throws a UserError (one line, exit 3) when every attempt failed for lack of credentials,
   * or when AWS could not be reached (no network, DNS, proxy): then every call fails alike.
   */
  assertReachable(): void {
    const all = this.calls > 0 && this.errors.length === this.calls;
    if (!all) return;
    if (this.errors.every(isUnreachable)) throw new UserError(describeError(this.errors[0]), EXIT.aws);
    if (this.errors.every((e) => CREDENTIAL_ERRORS.has(errorName(e)))) {
      throw new UserError(describeError(this.errors[0]), EXIT.aws);
    }
  }
}
