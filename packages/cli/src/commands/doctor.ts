/**
 * `secretwatch doctor --stage <name>`: checks each link of a deployed chain (trail, log
 * group, metric filter, alarm, topic, enricher), printing ✓ or ✗ with the fix for each
 * failure; exits 1 if any check fails (warnings, `!`, do not fail).
 */
import { SETTING_NAMES } from "@secretwatch/core";
import { Command, InvalidArgumentError, Option } from "commander";
import { formatJson, formatText } from "../doctor/report.js";
import { DEFAULT_MAX_DELIVERY_AGE_MINUTES, type DoctorOptions, runDoctor } from "../doctor/run.js";
import { EXIT } from "../exit-codes.js";
import type { CommandContext } from "../main.js";
import { withStageOptions } from "../stage.js";

function positiveMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new InvalidArgumentError("expected a positive number of minutes");
  return minutes;
}

const HELP = `
Checks, with the AWS API behind each:
  settings       .env and .env.<stage> of the repository (or --env-file): which files were read
  trail          DescribeTrails (shadow trails included; trails in the Region against AWS's limit of 5),
                 GetTrailStatus (logging, CloudWatch Logs delivery recent and without error),
                 GetEventSelectors (Read management events logged)
  log group      GetMetricData IncomingLogEvents (last hour), DescribeSubscriptionFilters
  metric filter  DescribeMetricFilters (JSON pattern, metric)
  alarm          DescribeAlarms (Sum >= 1 in any minute of the last 25, the topic as action, state;
                 the reconciliation alarm)
  topic          ListSubscriptionsByTopic (confirmed email subscriptions; every configured address
                 still subscribed, else: secretwatch resubscribe); with pager addresses, also
                 GetSubscriptionAttributes (their alert-topic filter is the policy's page severity)
  enricher       GetMetricData Errors and failure-queue depth (last 24 h)

With ${SETTING_NAMES.existingLogGroup} in .env.<stage>, the trail checked is the one delivering to that log group.
No network or no credentials: one line, exit 3.

Examples:
  $ secretwatch doctor --stage dev --region eu-west-1
  $ secretwatch doctor --stage prod --env-file ../infra/.env.prod --format json
`;

export function doctorCommand(ctx: CommandContext): Command {
  return withStageOptions(new Command("doctor"))
    .description("Checks every link of a deployed stage's chain; prints ✓ or ✗ with the fix, exit 1 if any fails.")
    .addOption(
      new Option("--max-delivery-age <minutes>", "fail when the trail's latest CloudWatch Logs delivery is older")
        .argParser(positiveMinutes)
        .default(DEFAULT_MAX_DELIVERY_AGE_MINUTES),
    )
    .option(
      "--env-file <path>",
      "the stage's settings file (default: .env.<stage> of the repository the stage is deployed from)",
    )
    .addOption(
      new Option("--format <format>", "text: ✓ or ✗ per check with the fix; json: the check results as one JSON object")
        .choices(["text", "json"])
        .default("text"),
    )
    .addOption(new Option("--json", "the same as --format json").hideHelp())
    .addHelpText("after", HELP)
    .action(async (options: DoctorOptions & { json?: boolean; format: "text" | "json" }) => {
      const report = await runDoctor(ctx.io, options);
      const json = options.json === true || options.format === "json";
      ctx.io.stdout.write(json ? formatJson(report) : formatText(report));
      if (!report.ok) ctx.setExitCode(EXIT.findings);
    });
}
