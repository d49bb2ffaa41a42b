/**
 * The bundle arguments of both functions (the enricher and the digest), as plain data: the
 * stacks pass them to SST, and tests/helpers/bundle.ts builds the artifact tests' and the
 * benchmark's bundles with them, so what is tested is what deploys.
 *
 * `splitting`: each dynamic `import()` becomes its own chunk beside the bundle, so the SDK's
 * credential sources a Lambda never reaches (SSO, INI profiles, web identity, IMDS, with their
 * nested clients) and its event-stream codec are not loaded at cold start. `bowser` only serves
 * the SDK's browser user agent (reached by a dynamic import from @aws-sdk/core's Node entry).
 * @see https://sst.dev/docs/component/aws/function#nodejs
 * @see https://esbuild.github.io/api/#splitting
 */
export const FUNCTION_NODEJS = {
  splitting: true,
  esbuild: { external: ["bowser"] },
} as const;
