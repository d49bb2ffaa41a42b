/**
 * `secretwatch history`: Athena over the trail's S3 archive. A Glue database and CloudTrail
 * table with partition projection (nothing to crawl or repair), and an Athena workgroup whose
 * settings every query must use: results encrypted in their own TLS-only bucket (expired after
 * 7 days), a bytes-scanned cutoff per query, CloudWatch metrics.
 *
 * Which archive: the stage's own trail bucket by default; an existing CloudTrail bucket with
 * SECRETWATCH_HISTORY_BUCKET (and SECRETWATCH_HISTORY_PREFIX for an organization trail's
 * `AWSLogs/<org-id>` or a trail's key prefix); none with SECRETWATCH_HISTORY=false, or for a
 * bring-your-own log group without a bucket setting.
 *
 * Projection: `logdate` is a `date` projection (`yyyy/MM/dd`), `region` an `enum` of the
 * partition's Regions, `account` is `injected`: any number of accounts (an organization's
 * grow without a redeploy), at the price of an equality (`=` or `IN`) on the account in every
 * query, which the CLI always writes (the caller's account by default).
 *
 * @see https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html
 * @see https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html
 */
import {
  HISTORY_PARTITION_KEYS,
  HISTORY_TABLE_NAME,
  historyDatabaseName,
  historyResultsBucketName,
  historyWorkgroupName,
} from "../packages/core/src/naming";
import { type HistorySettings, parseHistorySettings, SettingsError } from "../packages/core/src/settings";
import { accountId, partition, stageRef } from "./settings";
import { trailBucket } from "./trail";

/** Days Athena keeps a query's results in the results bucket. */
export const RESULTS_EXPIRE_DAYS = 7;
/** The first day a CloudTrail log can have: the projection's range starts here (queries always bound it). */
export const FIRST_LOG_DATE = "2013/11/01";
const GB = 1_000_000_000;

/**
 * Regions by partition, the `region` enum. A Region added later needs an entry here and a
 * redeploy before its logs can be queried.
 * @see https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
export const PARTITION_REGIONS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    ...["us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1", "mx-central-1", "sa-east-1"],
    ...["eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2"],
    ...["eu-north-1", "il-central-1", "me-south-1", "me-central-1", "af-south-1", "ap-east-1", "ap-east-2"],
    ...["ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1"],
    ...["ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7"],
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

const IDENTITY = [
  "type:string",
  "principalid:string",
  "arn:string",
  "accountid:string",
  "invokedby:string",
  "accesskeyid:string",
  "username:string",
  "onbehalfof:struct<userid:string,identitystorearn:string>",
  "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>," +
    "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>," +
    "ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>",
].join(",");

/**
 * The columns of AWS's CloudTrail table. The CLI filters on a few and reads records back from
 * the log files themselves (`"$path"`), so a field missing here never goes missing in a report.
 */
export const CLOUDTRAIL_COLUMNS: readonly { name: string; type: string }[] = [
  ["eventversion", "string"],
  ["useridentity", `struct<${IDENTITY}>`],
  ...["eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent"].map((c) => [c, "string"]),
  ...["errorcode", "errormessage", "requestparameters", "responseelements", "additionaleventdata"].map((c) => [
    c,
    "string",
  ]),
  ...["requestid", "eventid", "readonly"].map((c) => [c, "string"]),
  ["resources", "array<struct<arn:string,accountid:string,type:string>>"],
  ...["eventtype", "apiversion", "recipientaccountid", "serviceeventdetails", "sharedeventid"].map((c) => [
    c,
    "string",
  ]),
  ...["vpcendpointid", "vpcendpointaccountid", "eventcategory"].map((c) => [c, "string"]),
  ["addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"],
  ["sessioncredentialfromconsole", "string"],
  ["edgedevicedetails", "string"],
  ["tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"],
].map(([name, type]) => ({ name: name as string, type: type as string }));

/** Where the archive is: a bucket and the key prefix before `<account>/CloudTrail/`. */
export interface HistoryArchive {
  bucket: $util.Output<string>;
  prefix: string;
  /** The stage's own trail bucket (else an existing one named by the settings). */
  own: boolean;
}

/**
 * The archive history reads, or null for no history. Refuses SECRETWATCH_HISTORY=true when
 * there is nothing to read (a bring-your-own log group and no bucket setting).
 */
export function historyArchive(
  history: HistorySettings,
  ownBucket: $util.Output<string> | undefined,
): HistoryArchive | null {
  if (history.enabled === false) return null;
  if (history.bucket !== null) return { bucket: $output(history.bucket), prefix: history.prefix, own: false };
  if (ownBucket !== undefined) return { bucket: ownBucket, prefix: history.prefix, own: true };
  if (history.enabled === true) {
    throw new SettingsError(
      "SECRETWATCH_HISTORY=true needs a CloudTrail bucket: with SECRETWATCH_EXISTING_LOG_GROUP, set SECRETWATCH_HISTORY_BUCKET (and SECRETWATCH_HISTORY_PREFIX)",
      "SECRETWATCH_HISTORY",
    );
  }
  return null;
}

/** History settings for this command: on `sst remove` a bad one means no history, never an error. */
function loadHistorySettings(): HistorySettings {
  try {
    return parseHistorySettings(process.env);
  } catch (error) {
    if ($cli.command === "remove") return { enabled: false, bucket: null, prefix: "", maxScanGb: 1 };
    throw error;
  }
}

/**
 * The results bucket's one policy: refuse every request not sent over TLS, to the bucket and
 * its objects. The same statement `sst.aws.Bucket`'s `enforceHttps` puts in the trail bucket's
 * policy (stacks/trail.ts). Only on this bucket: an existing archive bucket is not ours.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
 * @see https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
 */
function createResultsTlsOnlyPolicy(bucket: aws.s3.Bucket, publicAccessBlock: aws.s3.BucketPublicAccessBlock) {
  return new aws.s3.BucketPolicy(
    "HistoryResultsPolicy",
    {
      bucket: bucket.id,
      policy: aws.iam.getPolicyDocumentOutput({
        statements: [
          {
            effect: "Deny",
            principals: [{ type: "*", identifiers: ["*"] }],
            actions: ["s3:*"],
            resources: [bucket.arn, $interpolate`${bucket.arn}/*`],
            conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
        ],
      }).json,
    },
    // After the public access block, in the order SST gives the trail bucket's policy.
    { dependsOn: [publicAccessBlock] },
  );
}

function createResultsBucket() {
  const bucket = new aws.s3.Bucket("HistoryResults", {
    bucket: accountId.apply((account) => historyResultsBucketName(stageRef, account)),
    // Query results are copies, re-made by running the query again: never worth retaining.
    forceDestroy: true,
  });
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock("HistoryResultsPublicAccessBlock", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  createResultsTlsOnlyPolicy(bucket, publicAccessBlock);
  new aws.s3.BucketOwnershipControls("HistoryResultsOwnership", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  new aws.s3.BucketServerSideEncryptionConfiguration("HistoryResultsEncryption", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new aws.s3.BucketLifecycleConfiguration("HistoryResultsLifecycle", {
    bucket: bucket.id,
    rules: [
      {
        id: "expire-query-results",
        status: "Enabled",
        filter: {},
        expiration: { days: RESULTS_EXPIRE_DAYS },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ],
  });
  return bucket;
}

function createHistory(archive: HistoryArchive, maxScanGb: number) {
  const keys = HISTORY_PARTITION_KEYS;
  const location = $interpolate`s3://${archive.bucket}/${archive.prefix}/`;
  const template = $interpolate`s3://${archive.bucket}/${archive.prefix}/\${${keys.account}}/CloudTrail/\${${keys.region}}/\${${keys.date}}`;
  const database = new aws.glue.CatalogDatabase("HistoryDatabase", {
    name: historyDatabaseName(stageRef),
    description: "secretwatch history: CloudTrail logs for Athena",
  });
  const table = new aws.glue.CatalogTable("HistoryTable", {
    name: HISTORY_TABLE_NAME,
    databaseName: database.name,
    tableType: "EXTERNAL_TABLE",
    description: $interpolate`CloudTrail logs in ${location}`,
    parameters: {
      EXTERNAL: "TRUE",
      classification: "cloudtrail",
      "projection.enabled": "true",
      [`projection.${keys.date}.type`]: "date",
      [`projection.${keys.date}.format`]: "yyyy/MM/dd",
      [`projection.${keys.date}.interval`]: "1",
      [`projection.${keys.date}.interval.unit`]: "DAYS",
      [`projection.${keys.date}.range`]: `${FIRST_LOG_DATE},NOW`,
      [`projection.${keys.region}.type`]: "enum",
      [`projection.${keys.region}.values`]: partition.apply((p) => (PARTITION_REGIONS[p] ?? []).join(",")),
      [`projection.${keys.account}.type`]: "injected",
      "storage.location.template": template,
    },
    partitionKeys: [keys.account, keys.region, keys.date].map((name) => ({ name, type: "string" })),
    storageDescriptor: {
      location,
      inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      serDeInfo: { serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe" },
      columns: [...CLOUDTRAIL_COLUMNS],
    },
  });
  const results = createResultsBucket();
  const workgroup = new aws.athena.Workgroup("HistoryWorkgroup", {
    name: historyWorkgroupName(stageRef),
    description: "secretwatch history queries",
    state: "ENABLED",
    // Removing the stage removes the workgroup with its saved query history.
    forceDestroy: true,
    configuration: {
      enforceWorkgroupConfiguration: true,
      publishCloudwatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: maxScanGb * GB,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: $interpolate`s3://${results.bucket}/results/`,
        encryptionConfiguration: { encryptionOption: "SSE_S3" },
        expectedBucketOwner: accountId,
      },
    },
  });
  return { archive, database, table, results, workgroup };
}

const historySettings = loadHistorySettings();
// trailBucket is undefined for a bring-your-own log group (stacks/trail.ts).
const chosen = historyArchive(historySettings, trailBucket?.name);

/** The stage's history resources, or undefined when the stage has none. */
export const history = chosen === null ? undefined : createHistory(chosen, historySettings.maxScanGb);
