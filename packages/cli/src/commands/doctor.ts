/**
 * `secretwatch doctor --stage <name>`: checks each link of a deployed chain (trail, log
 * group, metric filter, alarm, topic, enricher), printing ✓ or ✗ with the fix for each
 * failure; exits 1 if any check fails (warnings, `!`, do not fail).
 */
import { SETTING_NAMES } from "@secretwatch/core";
import { Command, InvalidArgumentError, Option } from "commander";
import { formatJson, formatText } from "../doctor/report.js";
import { DEFAULT_MAX_DELIVERY_AGE_MINUTES, type DoctorOptions, runDoctor } from "../doctor/run.js";
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
  trail          DescribeTrails (shadow trails included), GetTrailStatus (logging, CloudWatch Logs
                 delivery recent and without error), GetEventSelectors (Read management events logged)
  log group      GetMetricData IncomingLogEvents (last hour), DescribeSubscriptionFilters
  metric filter  DescribeMetricFilters (JSON pattern, metric)
  alarm          DescribeAlarms (Sum >= 1, the topic as action, state)
  topic          ListSubscriptionsByTopic (confirmed email subscriptions)
  enricher       GetMetricData Errors and failure-queue depth (last 24 h)

With ${SETTING_NAMES.existingLogGroup} in .env.<stage>, the trail checked is the one delivering to that log group.

Example:
  $ secretwatch doctor --stage dev --region eu-west-1
`;

export function doctorCommand(ctx: CommandContext): Command {
  return withStageOptions(new Command("doctor"))
    .description("check every link of a deployed stage's chain; print ✓ or ✗ with the fix, exit 1 if any fails")
    .addOption(
      new Option("--max-delivery-age <minutes>", "fail when the trail's latest CloudWatch Logs delivery is older")
        .argParser(positiveMinutes)
        .default(DEFAULT_MAX_DELIVERY_AGE_MINUTES),
    )
    .option("--json", "print the check results as JSON")
    .addHelpText("after", HELP)
    .action(async (options: DoctorOptions & { json?: boolean }) => {
      const report = await runDoctor(ctx.io, options);
      ctx.io.stdout.write(options.json ? formatJson(report) : formatText(report));
      if (!report.ok) ctx.setExitCode(1);
    });
}
