/**
 * The secret a read names in the replay summary table and the HTML report: its key, else
 * `(BatchGetSecretValue)` for a batch call, else `(none)`.
 */
import { isBatchRead, type SecretAccess } from "@secretwatch/core";

export function secretLabel(hit: SecretAccess): string {
  return hit.secretId ?? (isBatchRead(hit) ? "(BatchGetSecretValue)" : "(none)");
}
