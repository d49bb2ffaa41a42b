/// <reference path="./.sst/platform/config.d.ts" />

/**
 * secretwatch: every read of a Secrets Manager secret value becomes an email.
 * CloudTrail -> CloudWatch Logs -> metric filter + alarm, and subscription filter ->
 * enricher Lambda -> SNS email. Settings come from `.env.<stage>` (see .env.example).
 */
export default $config({
  async app(input) {
    // Never throw here (it would break `sst install` too): run() checks the settings.
    // (SST refuses top-level imports in this file: import inside the functions.)
    // A SECRETWATCH_PRODUCTION=false for `prod`/`production` counts only from `.env.<stage>`
    // (here: in the current directory; run() reads the one beside this file and refuses the rest).
    const { lenientProduction, readStageFile, stageFileProduction } = await import("./stacks/production");
    const fromStageFile = stageFileProduction(readStageFile(process.cwd(), input.stage));
    const production = lenientProduction(process.env.SECRETWATCH_PRODUCTION, input.stage, fromStageFile);
    return {
      name: "secretwatch",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    // Parses and validates the settings first (leniently on `sst remove`): a bad setting
    // stops the deploy with a message naming it, before any resource is declared.
    const { settings, stageRef } = await import("./stacks/settings");
    // Then the detection policy (not read on `sst remove`): a missing or invalid policy file
    // stops the deploy with every problem listed, still before any resource is declared.
    const { policy } = await import("./stacks/policy");
    // SECRETWATCH_DIGEST=off needs the policy's notify at info: checked before any resource is declared.
    const { refuseDigestOff } = await import("./packages/core/src/digest");
    if ($cli.command !== "remove") refuseDigestOff(settings.digest, policy.policy.notify);
    // The history settings too (stacks/history.ts reads them again when it declares its resources).
    if ($cli.command !== "remove") (await import("./packages/core/src/settings")).parseHistorySettings(process.env);
    const { trail, trailBucket, watchedLogGroup } = await import("./stacks/trail");
    const { securityAlarms } = await import("./stacks/alerts");
    const { pagerTopic } = await import("./stacks/pager");
    const { opsTopic } = await import("./stacks/ops");
    const { secretAccessAlarm } = await import("./stacks/detection");
    const { stateTable } = await import("./stacks/state");
    const { enricher, enricherFailures } = await import("./stacks/enricher");
    const { digest, digestScheduleExpression } = await import("./stacks/digest");
    const { history } = await import("./stacks/history");
    const { dashboard } = await import("./stacks/monitoring");
    const { tamperAlarms } = await import("./stacks/tamper");
    const { demoSecret } = await import("./stacks/demo");

    return {
      stage: stageRef.stage,
      production: settings.production,
      alertTopicArn: securityAlarms.arn,
      alertEmails: settings.alertEmails.join(", "),
      pagerEmails: settings.pagerEmails.join(", "),
      pagerTopicArn: pagerTopic?.arn ?? "none (no pager addresses)",
      opsTopicArn: opsTopic?.arn ?? "none (no ops addresses)",
      policy: `${policy.source} (${policy.hash})`,
      logGroup: watchedLogGroup.name,
      trail: trail?.name ?? "none (existing log group)",
      trailBucket: trailBucket?.name ?? "none (existing log group)",
      secretAccessAlarm: secretAccessAlarm.name,
      enricher: enricher.name,
      enricherFailureQueue: enricherFailures.url,
      stateTable: stateTable.name,
      digest: digest ? $interpolate`${settings.digest}: ${digestScheduleExpression} UTC, ${digest.fn.name}` : "off",
      dashboard: dashboard.dashboardName,
      tamperAlarms: $resolve(tamperAlarms.map((a) => a.name)).apply((names) => names.join(", ")),
      historyWorkgroup: history?.workgroup.name ?? "none (no trail bucket, or SECRETWATCH_HISTORY=false)",
      historyTable: history ? $interpolate`${history.database.name}.${history.table.name}` : "none",
      ...(demoSecret ? { demoSecret: demoSecret.name } : {}),
    };
  },
});
