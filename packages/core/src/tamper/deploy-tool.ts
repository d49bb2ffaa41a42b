/**
 * Whether a user agent names a deploy tool (SST, Pulumi, Terraform). SST deploys through Pulumi's
 * AWS provider, which is built on Terraform's: its calls usually name Pulumi and the Terraform
 * provider. The answer is a constant of this module, never text from the record, and it can only
 * ever make an alert a notice (see classify.ts): a user agent is whatever the caller sent.
 *
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html (userAgent)
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs#user-agent
 */

export type DeployTool = "SST" | "Pulumi" | "Terraform";

/** Product tokens (`name/version`, lower case) and the tool each means, most specific first. */
const TOKENS: ReadonlyArray<[string, DeployTool]> = [
  ["sst", "SST"],
  ["pulumi", "Pulumi"],
  ["pulumi-aws", "Pulumi"],
  ["terraform", "Terraform"],
  ["terraform-provider-aws", "Terraform"],
];

const MAX_INPUT = 1024;
const MAX_TOKENS = 64;

/** The deploy tool a user agent claims to be, or null. */
export function deployToolOf(userAgent: unknown): DeployTool | null {
  if (typeof userAgent !== "string" || userAgent === "") return null;
  const names = new Set<string>();
  for (const piece of userAgent.slice(0, MAX_INPUT).split(/[\s,()[\]]+/, MAX_TOKENS)) {
    const slash = piece.indexOf("/");
    if (slash > 0) names.add(piece.slice(0, slash).toLowerCase());
  }
  for (const [token, tool] of TOKENS) if (names.has(token)) return tool;
  return null;
}
