/**
 * Settings every AWS SDK client of the CLI shares: the enricher's explicit retry count, and
 * the Region when one was given (otherwise the SDK's default chain: AWS_REGION, the profile).
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import { SNS_MAX_ATTEMPTS } from "@secretwatch/functions/publish";

export function awsClientConfig(region?: string): { maxAttempts: number; region?: string } {
  return { maxAttempts: SNS_MAX_ATTEMPTS, ...(region && { region }) };
}
