/**
 * Where CloudTrail records come from: either a trail created here (bucket, log group, role,
 * trail), or a log group the user already feeds with CloudTrail
 * (`SECRETWATCH_EXISTING_LOG_GROUP`). Either way `watchedLogGroup` is what the filters read.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 */
import { logGroupName, trailBucketName } from "../packages/core/src/naming";
import { TRAIL_ADVANCED_EVENT_SELECTORS } from "../packages/core/src/tamper/trail-selectors";
import { accountId, nameOf, partition, production, region, settings, stageRef } from "./settings";

const CLOUDTRAIL = "cloudtrail.amazonaws.com";

/** Services whose Read management events are too many and too dull to pay for here. */
export { EXCLUDED_EVENT_SOURCES } from "../packages/core/src/tamper/trail-selectors";

export const trailName = nameOf("trail");

/**
 * The trail's ARN, built from its parts rather than read from the trail: the bucket policy
 * needs it, and the trail must be created after the bucket policy.
 */
export const trailArn = $interpolate`arn:${partition}:cloudtrail:${region}:${accountId}:trail/${trailName}`;

function createTrailBucket() {
  const cloudtrail = [{ type: "service" as const, identifiers: [CLOUDTRAIL] }];
  const fromThisTrail = { test: "StringEquals", variable: "aws:SourceArn", values: [trailArn] };
  // sst.aws.Bucket adds the TLS-only deny statement and blocks public access; its `policy`
  // statements join that one bucket policy. (A bucket has one policy: SST refuses a second
  // BucketPolicy resource, and on AWS it would silently replace this one.)
  return new sst.aws.Bucket("TrailBucket", {
    cors: false,
    versioning: true,
    enforceHttps: true,
    policy: [
      { principals: cloudtrail, actions: ["s3:GetBucketAcl"], paths: [""], conditions: [fromThisTrail] },
      {
        principals: cloudtrail,
        actions: ["s3:PutObject"],
        paths: [$interpolate`AWSLogs/${accountId}/*`],
        conditions: [
          { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
          fromThisTrail,
        ],
      },
    ],
    lifecycle: [{ id: "expire-trail-logs", expiresIn: `${settings.retentionDays} days` }],
    transform: {
      bucket: (args, opts) => {
        args.bucket = accountId.apply((account) => trailBucketName(stageRef, account));
        args.forceDestroy = !production;
        if (production) opts.retainOnDelete = true;
      },
      // Replaces the rule SST derives from `lifecycle` (which only has `expiresIn`). Versioned:
      // an expired (or deleted) log file becomes a noncurrent version; keep those 30 more days
      // so a deletion can still be undone, then let them go.
      lifecycle: {
        rules: [
          {
            id: "expire-trail-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: settings.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
    },
  });
}

function createTrail() {
  const bucket = createTrailBucket();

  const logGroup = new aws.cloudwatch.LogGroup(
    "TrailLogGroup",
    { name: logGroupName(stageRef), retentionInDays: settings.retentionDays },
    { retainOnDelete: production },
  );

  const role = new aws.iam.Role("TrailLogsRole", {
    name: nameOf("trailRole"),
    description: `CloudTrail delivers ${trailName} to ${logGroupName(stageRef)}`,
    assumeRolePolicy: aws.iam.getPolicyDocumentOutput({
      statements: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [CLOUDTRAIL] }] }],
    }).json,
  });

  // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
  const rolePolicy = new aws.iam.RolePolicy("TrailLogsRolePolicy", {
    role: role.name,
    name: "deliver-to-log-group",
    policy: aws.iam.getPolicyDocumentOutput({
      statements: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [
            $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${logGroup.name}:log-stream:*`,
          ],
        },
      ],
    }).json,
  });

  const trail = new aws.cloudtrail.Trail(
    "Trail",
    {
      name: trailName,
      s3BucketName: bucket.name,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      // GetSecretValue is a *read* management event: log Read and Write, minus KMS's and RDS
      // Data's Read noise, plus KMS's Write events (DisableKey, ScheduleKeyDeletion, PutKeyPolicy)
      // for the tamper alerts. See packages/core/src/tamper/trail-selectors.ts.
      // @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
      advancedEventSelectors: TRAIL_ADVANCED_EVENT_SELECTORS,
      // CreateTrail wants the log group ARN with `:*`; LogGroup.arn has none.
      cloudWatchLogsGroupArn: $interpolate`${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: role.arn,
    },
    // The bucket component includes its one BucketPolicy (Pulumi waits for a component's
    // children); `bucket.name` resolves only once that policy is declared.
    { dependsOn: [bucket, rolePolicy] },
  );

  return { bucket, logGroup, role, rolePolicy, trail };
}

const created = settings.existingLogGroup === null ? createTrail() : undefined;

export const trailBucket = created?.bucket;
export const trailLogGroup = created?.logGroup;
export const trailLogsRole = created?.role;
export const trailLogsRolePolicy = created?.rolePolicy;
export const trail = created?.trail;

/** The log group that receives CloudTrail records and that the filters read. */
export const watchedLogGroup = (() => {
  const name = created ? created.logGroup.name : $output(settings.existingLogGroup ?? "");
  // An existing group is named, not looked up: its ARN follows from the name, and
  // `sst remove` keeps working even after the group is gone.
  const arn = created
    ? created.logGroup.arn
    : $interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:${settings.existingLogGroup ?? ""}`;
  /** The form Lambda permissions and CloudTrail want: `<log group ARN>:*`. */
  const arnWithStreams = $interpolate`${arn}:*`;
  return { name, arn, arnWithStreams };
})();
