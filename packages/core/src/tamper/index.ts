/** Tamper and exposure alerts: the catalog, the classifier, its messages and the pipeline hook. */
export * from "./catalog.js";
export * from "./classify.js";
export * from "./deploy-tool.js";
export * from "./message.js";
export * from "./names.js";
export * from "./pipeline.js";
export * from "./resource-policy.js";
export * from "./scope.js";
export * from "./selectors.js";
export * from "./stage-scope.js";
export * from "./trail-selectors.js";
