/**
 * Optional demo secret `TopSecretInfo` (SECRETWATCH_DEMO_SECRET=true, refused in production):
 * read it with `aws secretsmanager get-secret-value` and watch the alert arrive.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets.html
 */
import { randomBytes } from "node:crypto";
import { demoSecretName } from "../packages/core/src/naming";
import { production, settings, stageRef } from "./settings";

function createDemoSecret() {
  const secret = new aws.secretsmanager.Secret("TopSecretInfo", {
    name: demoSecretName(stageRef),
    description: `secretwatch ${stageRef.stage}: a demo secret; every read of its value sends an alert`,
    // Deleted at once on removal, so the stage can be deployed again under the same name.
    recoveryWindowInDays: production ? 30 : 0,
  });
  const version = new aws.secretsmanager.SecretVersion(
    "TopSecretInfoValue",
    {
      secretId: secret.id,
      // Random at first deploy; ignoreChanges keeps it from rotating on every deploy.
      secretString: $util.secret(JSON.stringify({ demo: randomBytes(24).toString("base64url") })),
    },
    { ignoreChanges: ["secretString"] },
  );
  return { secret, version };
}

const demo = settings.demoSecret ? createDemoSecret() : undefined;

export const demoSecret = demo?.secret;
export const demoSecretVersion = demo?.version;
