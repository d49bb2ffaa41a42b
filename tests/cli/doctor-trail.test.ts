/**
 * `secretwatch doctor` against aws-sdk-client-mock (see doctor-fixtures.ts): each way the
 * trail link breaks, asserting the exact ✓ / ✗ lines and the exit code.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { ACCOUNT, accessDenied, healthyWorld, install, minutesAgo, TRAIL_ARN, type World } from "./doctor-fixtures.js";
import { DEPLOY, doctor } from "./doctor-run.js";

let world: World;

beforeEach(() => {
  world = healthyWorld();
  install(world);
});

describe("trail", () => {
  test("missing: ✗ with the deploy fix, the other links still checked", async () => {
    world.trails = [];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail not found in us-east-1 → fix: deploy the stage: ${DEPLOY}`,
    );
    expect(run.lines.filter((l) => l.startsWith("✓"))).toHaveLength(18);
    expect(run.lines).toContain("✓ 0 of 5 trails in us-east-1 (AWS's limit per Region): room for 5 more");
    expect(run.code).toBe(1);
  });

  test("not logging", async () => {
    world.status.IsLogging = false;
    world.status.StopLoggingTime = minutesAgo(90);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail is not logging → fix: aws cloudtrail start-logging --name ${TRAIL_ARN} --region us-east-1`,
    );
    expect(run.code).toBe(1);
  });

  test("stale CloudWatch Logs delivery (older than 15 minutes); --max-delivery-age raises the bar", async () => {
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(42);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail last delivered to CloudWatch Logs 42 minutes ago (more than 15 minutes) → fix: make sure arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-trail-logs may call logs:CreateLogStream and logs:PutLogEvents on /secretwatch/dev/cloudtrail, and that the group exists`,
    );
    expect(run.code).toBe(1);

    const relaxed = await doctor(["--max-delivery-age", "60"]);
    expect(relaxed.lines).toContain("✓ trail secretwatch-dev-trail last delivered to CloudWatch Logs 42 minutes ago");
    expect(relaxed.code).toBe(0);
  });

  test("exactly 15 minutes is still fresh", async () => {
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(15);
    expect((await doctor()).code).toBe(0);
  });

  test("never delivered", async () => {
    delete world.status.LatestCloudWatchLogsDeliveryTime;
    const run = await doctor();
    expect(
      run.lines.some((l) =>
        l.startsWith("✗ trail secretwatch-dev-trail has never delivered to CloudWatch Logs → fix:"),
      ),
    ).toBe(true);
    expect(run.code).toBe(1);
  });

  test("delivery error", async () => {
    world.status.LatestCloudWatchLogsDeliveryError = "AccessDenied";
    world.status.LatestCloudWatchLogsDeliveryTime = minutesAgo(300);
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail failed to deliver to CloudWatch Logs: AccessDenied → fix: make sure arn:aws:iam::${ACCOUNT}:role/secretwatch-dev-trail-logs may call logs:CreateLogStream and logs:PutLogEvents on /secretwatch/dev/cloudtrail, and that the group exists`,
    );
    expect(
      run.lines.some((l) =>
        l.startsWith("✗ trail secretwatch-dev-trail last delivered to CloudWatch Logs 5 hours ago"),
      ),
    ).toBe(true);
    expect(run.code).toBe(1);
  });

  test("basic selectors logging only Write events", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      EventSelectors: [
        {
          ReadWriteType: "WriteOnly",
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail logs only Write management events (ReadWriteType WriteOnly), but GetSecretValue is a Read event → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("basic selectors with Read and Write pass", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      EventSelectors: [
        { ReadWriteType: "All", IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain("✓ trail secretwatch-dev-trail logs Read management events (GetSecretValue)");
    expect(run.code).toBe(0);
  });

  test("advanced selectors with readOnly equals false", async () => {
    world.selectors = {
      TrailARN: TRAIL_ARN,
      AdvancedEventSelectors: [
        {
          Name: "Write-only management events",
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Management"] },
            { Field: "readOnly", Equals: ["false"] },
          ],
        },
      ],
    };
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail logs only Write management events (selector "Write-only management events"), but GetSecretValue is a Read event → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("secretsmanager.amazonaws.com excluded", async () => {
    world.selectors.AdvancedEventSelectors![0]!.FieldSelectors![1]!.NotEquals = [
      "kms.amazonaws.com",
      "secretsmanager.amazonaws.com",
    ];
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ trail secretwatch-dev-trail excludes secretsmanager.amazonaws.com from its management events (selector "Management events (Read and Write) except KMS and RDS Data API"): no secret read is recorded → fix: restore its event selectors: ${DEPLOY}`,
    );
    expect(run.code).toBe(1);
  });

  test("in the wrong Region: the stage's trail seen as a shadow trail", async () => {
    const run = await doctor(["--region", "eu-west-1"]);
    expect(run.lines).toContain(
      "✗ trail secretwatch-dev-trail delivers to /secretwatch/dev/cloudtrail in us-east-1, not in eu-west-1 → fix: run doctor in the stage's Region: --region us-east-1",
    );
    expect(run.code).toBe(1);
  });

  test("an AccessDenied on one API fails that check only; the others still run", async () => {
    world.failures.GetEventSelectorsCommand = accessDenied("cloudtrail:GetEventSelectors");
    const run = await doctor();
    expect(run.lines).toContain(
      `✗ cannot read the event selectors of trail secretwatch-dev-trail (cloudtrail:GetEventSelectors): access denied by AWS: User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: cloudtrail:GetEventSelectors because no identity-based policy allows the cloudtrail:GetEventSelectors action → fix: allow cloudtrail:GetEventSelectors to your AWS identity`,
    );
    expect(run.lines.filter((l) => l.startsWith("✓"))).toHaveLength(21);
    expect(run.lines.at(-2)).toBe("1 of 22 checks failed");
    expect(run.code).toBe(1);
  });
});
