/**
 * What the artifact tests share: a local HTTP endpoint that answers like SNS (Query protocol,
 * `AWS_ENDPOINT_URL_SNS`), and a runner that loads the bundled handler in a fresh Node process
 * with fake credentials and the environment the stack sets, as the Lambda runtime would.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:secretwatch-ci-alerts";

export interface SnsRequest {
  params: URLSearchParams;
}

export interface LocalSns {
  endpoint: string;
  /** Requests received since the last `reset()`. */
  requests: SnsRequest[];
  /** Answer every request with this HTTP status and an InternalError (null: succeed). */
  failWith: number | null;
  reset(): void;
  close(): Promise<void>;
}

function answer(sns: LocalSns, params: URLSearchParams): { status: number; body: string } {
  if (sns.failWith !== null) {
    return {
      status: sns.failWith,
      body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    };
  }
  if (params.get("Action") !== "Publish") return { status: 400, body: "<ErrorResponse/>" };
  const n = sns.requests.length;
  return {
    status: 200,
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-${n}</MessageId></PublishResult><ResponseMetadata><RequestId>r-${n}</RequestId></ResponseMetadata></PublishResponse>`,
  };
}

export async function startLocalSns(): Promise<LocalSns> {
  let server: Server | undefined;
  const sns: LocalSns = {
    endpoint: "",
    requests: [],
    failWith: null,
    reset() {
      sns.requests = [];
      sns.failWith = null;
    },
    close: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const params = new URLSearchParams(body);
      sns.requests.push({ params });
      const reply = answer(sns, params);
      res.writeHead(reply.status, { "content-type": "text/xml" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sns.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sns;
}

/** The message attributes of a Publish request (Query protocol: `MessageAttributes.entry.N.*`). */
export function messageAttributes(params: URLSearchParams): Map<string, string> {
  const attributes = new Map<string, string>();
  for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
    attributes.set(
      params.get(`MessageAttributes.entry.${i}.Name`) ?? "",
      params.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? "",
    );
  }
  return attributes;
}

export interface Invocation {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The handler's result (printed by the runner), or null when it threw. */
  result: Record<string, unknown> | null;
  /** The EMF metric lines the handler logged, but the per-minute `ReadsAssessed` ones. */
  emf: Record<string, any>[];
  /** The per-minute `ReadsAssessed` EMF lines (one per minute of the payload's log events). */
  readsAssessed: Record<string, any>[];
}

let eventCount = 0;

/**
 * Runs the bundle's `handler` on `event` in a fresh Node process: fake credentials, the
 * stack's environment (`extraEnv` on top), SNS at `sns.endpoint`.
 */
export function invokeBundle(
  bundle: string,
  sns: LocalSns,
  event: object,
  extraEnv: Record<string, string> = {},
): Promise<Invocation> {
  const eventFile = path.join(path.dirname(bundle), `event-${process.pid}-${eventCount++}.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  const script = `
    import { readFileSync } from "node:fs";
    const { handler } = await import(${JSON.stringify(`file://${bundle}`)});
    // A Lambda context as the runtime passes one (Powertools idempotency reads the remaining time).
    const deadline = Date.now() + 60_000;
    const context = { awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => deadline - Date.now() };
    const result = await handler(JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8")), context);
    process.stdout.write("\\nRESULT " + JSON.stringify(result) + "\\n");
  `;
  const env = {
    PATH: process.env.PATH ?? "",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-key",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    SECRETWATCH_TOPIC_ARN: TOPIC_ARN,
    SECRETWATCH_APP: "secretwatch",
    SECRETWATCH_STAGE: "ci",
    // Lambda sets this; the handler names its metrics' `service` dimension after it.
    AWS_LAMBDA_FUNCTION_NAME: "secretwatch-ci-enricher",
    ...extraEnv,
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const result = JSON.parse(stdout.split("\nRESULT ")[1] ?? "null");
      const all = stdout
        .split("\n")
        .filter((line) => line.startsWith("{") && line.includes('"_aws"'))
        .map((line) => JSON.parse(line));
      const emf = all.filter((doc) => !("ReadsAssessed" in doc));
      const readsAssessed = all.filter((doc) => "ReadsAssessed" in doc);
      resolve({ code, stdout, stderr, result, emf, readsAssessed });
    });
  });
}
