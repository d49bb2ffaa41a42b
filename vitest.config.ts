import path from "node:path";
import { defineConfig } from "vitest/config";

// The infra tests load SST's platform code: one copy of the Pulumi SDKs, the one SST's
// platform was generated with (`.sst/platform`, made by `npm run sst:install`).
const platformModules = path.resolve(".sst/platform/node_modules");

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/stacks/**", "**/node_modules/**"],
          testTimeout: 30_000,
        },
      },
      {
        resolve: {
          alias: {
            "@pulumi/pulumi": path.join(platformModules, "@pulumi/pulumi"),
            "@pulumi/aws": path.join(platformModules, "@pulumi/aws"),
          },
        },
        test: {
          name: "stacks",
          include: ["tests/stacks/**/*.test.ts"],
          setupFiles: ["tests/stacks/harness/sst-rpc-stub.ts", "tests/stacks/harness/sst-globals.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
