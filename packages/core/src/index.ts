/** The pure logic of secretwatch: no AWS SDK, no SST, no process.env. */

export * from "./actor.js";
export * from "./assess.js";
export * from "./decode.js";
export * from "./digest.js";
export * from "./enrich.js";
export * from "./events.js";
export * from "./format.js";
export * from "./identity.js";
export * from "./naming.js";
export * from "./pipeline.js";
export * from "./plan.js";
export * from "./policy.js";
export * from "./policy-match.js";
export * from "./policy-schema.js";
export * from "./rapid-claim.js";
export * from "./read-key.js";
export * from "./reasons.js";
export * from "./sanitize.js";
export * from "./secret.js";
export * from "./select.js";
export * from "./settings.js";
export * from "./severity.js";
export * from "./source.js";
export * from "./state.js";
export * from "./tamper/index.js";
export type * from "./types.js";
export * from "./useragent.js";
