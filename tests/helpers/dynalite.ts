/**
 * A real DynamoDB implementation for tests: dynalite in process on a random loopback port, with
 * the real SDK client and a table created from the stack's own definition. dynalite has no TTL
 * and no transactions; the code must not depend on either.
 */
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { stateTableDefinition } from "../../packages/functions/src/state.js";

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** Stops the server (the client then fails, as an unreachable table does). */
  stop(): Promise<void>;
}

let tables = 0;

/** Starts dynalite and creates a fresh state table. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" },
    maxAttempts: 1,
  });
  const tableName = `secretwatch-test-state-${++tables}`;
  await client.send(new CreateTableCommand({ TableName: tableName, ...stateTableDefinition }));
  let stopped = false;
  return {
    endpoint,
    client,
    tableName,
    stop: () =>
      stopped
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            stopped = true;
            server.close(() => resolve());
          }),
  };
}
