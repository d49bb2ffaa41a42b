/**
 * `secretwatch resubscribe --stage <name>`: subscribes again the configured addresses whose
 * email subscription SNS deleted (48 hours unconfirmed) or their recipient ended; `doctor`
 * names this command when it finds one. Reads the stage's settings as `doctor` does. A pager
 * address missing from the alert topic is subscribed with the pager's filter policy (core
 * pager-filter.ts, the stack's own), read from the stage's policy before any AWS call.
 */
import { pagerAlertAddresses, SETTING_NAMES, stageResources } from "@secretwatch/core";
import { Command } from "commander";
import { awsSetup } from "../aws-config.js";
import { checkSettingsSource, readDoctorSettings } from "../doctor/settings.js";
import type { CommandContext } from "../main.js";
import { snsClient } from "../sns.js";
import { type StageOptions, withStageOptions } from "../stage.js";
import { stagePagerFilter } from "./pager.js";
import { formatOutcomes, resubscribe } from "./run.js";

interface ResubscribeOptions extends StageOptions {
  envFile?: string;
  dryRun?: boolean;
  policy?: string;
}

async function run(ctx: CommandContext, options: ResubscribeOptions): Promise<void> {
  const { io } = ctx;
  const ref = { app: options.app, stage: options.stage };
  const settings = readDoctorSettings(io, ref, options.envFile);
  io.stdout.write(`${checkSettingsSource(settings, options.stage).message}\n`);
  const paged = pagerAlertAddresses(settings.pagerEmails, settings.alertEmails);
  // The filter first: a missing or invalid policy stops the run before any subscription.
  const pager = paged.length > 0 ? await stagePagerFilter(io, settings, options.policy) : null;
  if (pager) {
    for (const warning of pager.warnings) io.stderr.write(`resubscribe: warning: ${warning}\n`);
    io.stdout.write(`pager filter: ${pager.page} and above (${pager.policyFile ?? "default policy"})\n`);
  }
  const { region } = awsSetup(io.env, options.region);
  const names = stageResources(ref);
  const outcomes = await resubscribe(
    snsClient(region),
    [
      {
        topic: names.topic,
        setting: SETTING_NAMES.alertEmails,
        addresses: settings.alertEmails,
        filtered: pager
          ? { setting: SETTING_NAMES.pagerEmails, addresses: paged, attributes: pager.attributes }
          : undefined,
      },
      { topic: names.pagerTopic, setting: SETTING_NAMES.pagerEmails, addresses: settings.pagerEmails },
      { topic: names.opsTopic, setting: SETTING_NAMES.opsEmails, addresses: settings.opsEmails },
    ],
    { dryRun: options.dryRun === true, region },
  );
  io.stdout.write(`${formatOutcomes(outcomes, options.dryRun === true).join("\n")}\n`);
}

export function resubscribeCommand(ctx: CommandContext): Command {
  return withStageOptions(
    new Command("resubscribe").description(
      "Subscribes again the configured addresses SNS no longer has (deleted after 48 hours unconfirmed, or unsubscribed).",
    ),
  )
    .option("--env-file <path>", "the stage's settings file (default: .env.<stage> of the repository)")
    .option(
      "--policy <file>",
      "the policy whose page severity filters the pager addresses (default: the one sst deploy reads: SECRETWATCH_POLICY_FILE, or secretwatch.policy.yaml, or the defaults)",
    )
    .option("--dry-run", "list the addresses that would be subscribed, subscribe none")
    .addHelpText(
      "after",
      [
        "",
        "Each address gets a new confirmation email from AWS Notifications; nothing is sent until it is confirmed.",
        "A pager address is subscribed to the alert topic with the pager's filter policy (alerts at or above page).",
        "",
        "Examples:",
        "  $ secretwatch resubscribe --stage prod --dry-run",
        "  $ secretwatch resubscribe --stage prod --region eu-west-1",
        "",
      ].join("\n"),
    )
    .action((options: ResubscribeOptions) => run(ctx, options));
}
