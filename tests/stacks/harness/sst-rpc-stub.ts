/**
 * vitest setup file. `sst.aws.Function` asks the SST CLI, over RPC on `SST_SERVER`, to build
 * its handler and for the Region's asset bucket. No CLI runs under test, so the RPC module is
 * replaced with one that answers those calls with a stand-in build (a one-line handler).
 * The real bundle is built and tested elsewhere (tests/artifact).
 *
 * Depends on SST internals (`components/rpc/rpc.ts` of sst 4.17.1): re-check after upgrades.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, vi } from "vitest";

const buildDir = path.join(os.tmpdir(), `secretwatch-stub-build-${process.pid}`);
afterAll(() => fs.rmSync(buildDir, { recursive: true, force: true }));

/** The RPC calls the stub was asked, for tests that want to see them. */
export const rpcCalls: { method: string; args: unknown }[] = [];

vi.mock("../../../.sst/platform/src/components/rpc/rpc", () => {
  class MethodNotFoundError extends Error {
    constructor(readonly method: string) {
      super(`Method "${method}" not found`);
    }
  }
  /** SST's dynamic providers (none used by this app) extend this; refuse to run one. */
  class Provider {
    constructor(readonly type: string) {}
    async create(): Promise<never> {
      throw new Error(`dynamic provider ${this.type} cannot run under test`);
    }
  }
  async function call(method: string, args: unknown) {
    rpcCalls.push({ method, args });
    switch (method) {
      case "Runtime.Build": {
        const out = buildDir;
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "handler.mjs"), "export const handler = async () => ({});\n");
        return { handler: "handler.handler", out, errors: [], sourcemaps: [] };
      }
      case "Provider.Aws.Bootstrap":
        return {
          asset: "test-asset-bucket",
          assetEcrRegistryId: "000000000000",
          assetEcrUrl: "000000000000.dkr.ecr.test.amazonaws.com/sst-asset",
          state: "test-state-bucket",
          appsyncHttp: "",
          appsyncRealtime: "",
        };
      case "Provider.Aws.Appsync":
        return { http: "", realtime: "" };
      default:
        return {};
    }
  }
  return { rpc: { MethodNotFoundError, Provider, call } };
});
