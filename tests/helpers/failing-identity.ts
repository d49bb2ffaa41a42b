/**
 * A `vi.mock` factory for core's identity module whose `identityOf` throws for one principal ARN:
 * how the tests make enrichment (and tamper classification) fail on purpose for one record.
 * Use: `vi.mock("<path to>/packages/core/src/identity.js", async (original) =>
 * (await import("<path to>/tests/helpers/failing-identity.js")).identityFailing(original))`.
 */
import type * as Identity from "../../packages/core/src/identity.js";

/** The principal ARN whose records the mocked `identityOf` fails on. */
export const FAILS_ENRICHMENT = "arn:aws:sts::111122223333:assumed-role/fails-enrichment/session";

export async function identityFailing(original: <T>() => Promise<T>): Promise<typeof Identity> {
  const actual = await original<typeof Identity>();
  return {
    ...actual,
    identityOf: (record) => {
      if ((record.userIdentity as { arn?: unknown } | undefined)?.arn === FAILS_ENRICHMENT) {
        throw new TypeError("a fault in identityOf");
      }
      return actual.identityOf(record);
    },
  };
}
