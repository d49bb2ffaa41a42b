/**
 * vitest setup file: runs sst.config.ts the way `sst deploy` would, against Pulumi mocks.
 *
 * - Pulumi runs in mock mode. Resources get realistic ARNs built from the mocked account,
 *   Region and partition, so policies and ARN strings can be compared exactly.
 * - Every registration is recorded twice over: the inputs the mock receives, and what the
 *   Pulumi SDK would tell the engine (the resolved dependency URNs, including the children
 *   of any component in `dependsOn`, the parent, protect and retainOnDelete).
 * - The globals SST injects before `run()` are defined: `$app` (from the config's own
 *   `app()`), `$cli`, `$dev`, the `$`-helpers of `.sst/platform/src/shim/run.js`, `aws`, `sst`.
 * - `runApp()` runs `run()` inside a Pulumi root stack through SST's own wrapper
 *   (`.sst/platform/src/auto/run.ts`), so SST's stack transformations apply (retain on
 *   delete, one policy per bucket).
 *
 * Each scenario is its own test file: stack modules declare resources when first imported,
 * and vitest gives each file a fresh module registry.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll } from "vitest";
import { DOTENV_FILE, type EnvFiles, mergeStageEnv, stageEnvFile } from "../../../packages/core/src/stage-env";
import { applySettingsEnv, DEFAULT_ENV, type SettingsEnv } from "./env";
import { renderPolicyDocument } from "./policy";
import { type Recorded, recorded } from "./recorder";

export { recorded };

/** Where the mocked deployment happens. */
export interface Context {
  account: string;
  region: string;
  partition: string;
}

export const context: Context = { account: "111122223333", region: "us-east-2", partition: "aws" };

/** Provider functions the program called, by token (e.g. to see that no lookup is made). */
export const calls: { token: string; inputs: Record<string, any> }[] = [];

/** Realistic output state for a resource: what the provider would add to the inputs. */
function mockState(type: string, name: string, inputs: Record<string, any>) {
  const { account: a, region: r, partition: p } = context;
  const physical: string = inputs.name ?? inputs.bucket ?? inputs.dashboardName ?? name;
  const state: Record<string, any> = { ...inputs, name: inputs.name ?? physical };
  switch (type) {
    case "aws:s3/bucket:Bucket":
      Object.assign(state, { bucket: physical, arn: `arn:${p}:s3:::${physical}` });
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:${p}:logs:${r}:${a}:log-group:${physical}`;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:${p}:iam::${a}:role/${physical}`;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:${p}:sns:${r}:${a}:${physical}`;
      break;
    case "aws:sqs/queue:Queue":
      Object.assign(state, {
        arn: `arn:${p}:sqs:${r}:${a}:${physical}`,
        url: `https://sqs.${r}.amazonaws.com/${a}/${physical}`,
      });
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:${p}:lambda:${r}:${a}:function:${physical}`;
      Object.assign(state, { qualifiedArn: `${state.arn}:$LATEST`, invokeArn: `${state.arn}/invocations` });
      break;
    case "aws:cloudtrail/trail:Trail":
      state.arn = `arn:${p}:cloudtrail:${r}:${a}:trail/${physical}`;
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      state.arn = `arn:${p}:cloudwatch:${r}:${a}:alarm:${physical}`;
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      state.dashboardArn = `arn:${p}:cloudwatch::${a}:dashboard/${physical}`;
      break;
    case "aws:secretsmanager/secret:Secret":
      state.arn = `arn:${p}:secretsmanager:${r}:${a}:secret:${physical}-AbCdEf`;
      break;
    case "random:index/randomBytes:RandomBytes":
      Object.assign(state, { base64: Buffer.alloc(32, 7).toString("base64"), hex: "07".repeat(32) });
      break;
    default:
      state.arn = `arn:${p}:mock:${r}:${a}:${type.split(":").pop()}/${physical}`;
  }
  return { id: type === "aws:s3/bucket:Bucket" ? physical : `${name}-id`, state };
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const answer = mockState(args.type, args.name, args.inputs);
    const entry = pending.get(`${args.type}::${args.name}`);
    if (entry) Object.assign(entry, { inputs: args.inputs, outputs: answer.state });
    return answer;
  },
  call(args) {
    calls.push({ token: args.token, inputs: args.inputs });
    const { account, region, partition } = context;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: account,
          accountId: account,
          arn: `arn:${partition}:iam::${account}:user/deployer`,
          userId: "AIDA",
        };
      case "aws:index/getRegion:getRegion":
        return { id: region, name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
      case "aws:index/getPartition:getPartition":
        return { id: partition, partition, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
      case "aws:iam/getPolicyDocument:getPolicyDocument":
        return renderPolicyDocument(args.inputs);
      default:
        return args.inputs;
    }
  },
};

/** Registrations seen by the monitor, waiting for the mock to fill in their inputs. */
const pending = new Map<string, Recorded>();
const explicitDependsOn = new Map<string, string[]>();

const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Records what the SDK sends the engine for each resource, then lets the mock answer. */
function instrumentMonitor() {
  const monitor = (pulumi.runtime as any).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    const type: string = req.getType();
    const name: string = req.getName();
    const entry: Recorded = {
      type,
      name,
      custom: req.getCustom(),
      inputs: {},
      outputs: {},
      parent: req.getParent() ? nameOfUrn(req.getParent()) : undefined,
      dependsOn: explicitDependsOn.get(`${type}::${name}`) ?? [],
      dependencies: (req.getDependenciesList() as string[]).map(nameOfUrn),
      retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
      protect: req.hasProtect() ? req.getProtect() : undefined,
      ignoreChanges: req.getIgnorechangesList(),
    };
    pending.set(`${type}::${name}`, entry);
    recorded.push(entry);
    return register(req, callback);
  };
}

// The globals `sst deploy` defines before it evaluates sst.config.ts.
const g = globalThis as any;
// SST writes the function's code.zip under $cli.paths.work: keep it out of the repository.
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "secretwatch-sst-work-"));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));
g.$app = { name: "secretwatch", stage: "test", removal: "remove", protect: false, providers: { aws: {} } };
g.$dev = false;
g.$cli = {
  command: "deploy",
  rpc: "",
  dev: false,
  paths: { root: process.cwd(), work: workDir, platform: path.resolve(".sst/platform"), home: os.tmpdir() },
  state: { version: {} },
};
g.$config = (config: unknown) => config;
Object.assign(g, {
  $output: pulumi.output,
  $apply: pulumi.apply,
  $resolve: pulumi.all,
  $interpolate: pulumi.interpolate,
  $concat: pulumi.concat,
  $jsonParse: pulumi.jsonParse,
  $jsonStringify: pulumi.jsonStringify,
  $util: pulumi,
  $secrets: {},
});
g.aws = await import("@pulumi/aws");
const component = await import("../../../.sst/platform/src/components/component");
g.$transform = component.$transform;
g.$asset = component.$asset;
g.$linkable = (await import("../../../.sst/platform/src/components/link")).Link.makeLinkable;
g.sst = await import("../../../.sst/platform/src/components/index");

export interface RunOptions {
  stage?: string;
  /** The SECRETWATCH_* settings (others are cleared). */
  env?: SettingsEnv;
  /** SECRETWATCH_POLICY_FILE (absolute, or relative to the repository root); unset by default. */
  policyFile?: string;
  /** `$cli.command`: deploy, diff, remove, dev... */
  command?: string;
  /** `$dev`: true under `sst dev`. */
  dev?: boolean;
  context?: Partial<Context>;
  /**
   * `.env` and `.env.<stage>` of an app directory made for this run: it becomes the current
   * directory for `app()` and `$cli.paths.root` for `run()`, and the files are merged into
   * `process.env` over `env` as SST 4.17.1 does (mergeStageEnv, which
   * tests/stacks/sst-env-order.test.ts checks against SST's binary). Without it, the app
   * directory is the repository and `env` is the whole environment.
   */
  envFiles?: EnvFiles;
}

export interface RunResult {
  /** What `app()` returned for the stage (removal, protect...). */
  app: Record<string, any>;
  /** The stack outputs `run()` returned. */
  outputs: Record<string, any>;
}

type Config = { app(input: { stage: string }): any; run(): Promise<Record<string, unknown>> };

const repositoryRoot = process.cwd();
const appDirectories: string[] = [];
afterAll(() => {
  process.chdir(repositoryRoot);
  g.$cli.paths.root = repositoryRoot;
  for (const dir of appDirectories) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh app directory with these env files, entered as `sst` would be run in it. */
function useAppDirectory(stage: string, files: EnvFiles) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secretwatch-app-"));
  appDirectories.push(dir);
  if (files.dotenv !== undefined) fs.writeFileSync(path.join(dir, DOTENV_FILE), files.dotenv);
  if (files.stageFile !== undefined) fs.writeFileSync(path.join(dir, stageEnvFile(stage)), files.stageFile);
  const { env, source } = mergeStageEnv(files, process.env);
  for (const [name, value] of Object.entries(env)) if (source[name] !== "process") process.env[name] = value;
  process.chdir(dir);
  g.$cli.paths.root = dir;
}

/** Waits until Pulumi has sent every registration and nothing new has appeared for a while. */
async function settle() {
  await (pulumi.runtime as any).waitForRPCs?.();
  let seen = -1;
  for (let quiet = 0; quiet < 5; ) {
    await new Promise((r) => setTimeout(r, 20));
    if (recorded.length === seen) quiet++;
    else {
      seen = recorded.length;
      quiet = 0;
    }
  }
  await (pulumi.runtime as any).waitForRPCs?.();
}

/**
 * Runs sst.config.ts for `stage` with `env`, as `sst <command>` would, and resolves once all
 * resources are registered. Rejects with the program's error (e.g. a SettingsError), or with
 * the first error an Output raised (e.g. SST's "already has a policy attached").
 */
export async function runApp(options: RunOptions = {}): Promise<RunResult> {
  const stage = options.stage ?? "dev";
  Object.assign(context, options.context);
  applySettingsEnv(options.env ?? DEFAULT_ENV, options.policyFile);
  process.chdir(repositoryRoot);
  g.$cli.paths.root = repositoryRoot;
  if (options.envFiles) useAppDirectory(stage, options.envFiles);

  const config = (await import("../../../sst.config")).default as unknown as Config;
  const app = await config.app({ stage });
  g.$app = {
    name: app.name,
    stage,
    removal: app.removal ?? "retain",
    protect: app.protect ?? false,
    providers: { aws: {} },
  };
  g.$cli.command = options.command ?? (options.dev ? "dev" : "deploy");
  g.$cli.dev = options.dev ?? false;
  g.$dev = options.dev ?? false;

  await pulumi.runtime.setMocks(mocks, app.name, stage, false);
  instrumentMonitor();

  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    const { run } = await import("../../../.sst/platform/src/auto/run");
    let outputs: Record<string, any> = {};
    let programError: unknown;
    await pulumi.runtime.runInPulumiStack(async () => {
      // Record each resource's explicit dependsOn (names) before SST's transformations run.
      pulumi.runtime.registerStackTransformation((args) => {
        const dependsOn = ([] as any[]).concat(args.opts.dependsOn ?? []);
        explicitDependsOn.set(
          `${args.type}::${args.name}`,
          dependsOn.map((d) => (pulumi.Resource.isInstance(d) ? (d as any).__name : String(d))),
        );
        return undefined;
      });
      // A program error (e.g. a SettingsError) is what `sst deploy` would report: keep it
      // from Pulumi, whose stack would otherwise re-raise it as several unhandled rejections.
      try {
        outputs = await run(() => config.run());
      } catch (error) {
        programError = error;
      }
      return outputs;
    });
    await settle();
    if (programError !== undefined) throw programError;
    if (failures.length > 0) throw failures[0];
    const resolved = await new Promise<Record<string, any>>((resolve) => pulumi.output(outputs).apply(resolve));
    return { app, outputs: resolved };
  } finally {
    process.off("unhandledRejection", onRejection);
  }
}
