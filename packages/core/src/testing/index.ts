export { describeUserStoreContract } from "./user-store-contract.js";
export type { UserStoreContractOptions } from "./user-store-contract.js";
export { DEFAULT_PREFIXES, describeHttpConformance } from "./http-conformance.js";
export type { ConformanceAuthOptions, HttpConformanceOptions } from "./http-conformance.js";
export type { ConformanceServer, StartConformanceServer } from "./http-conformance-support.js";
export { recordHttpTranscript } from "./http-conformance-transcript.js";
export type { HttpTranscriptOptions, TranscriptEntry } from "./http-conformance-transcript.js";
export { describeHttpFuzzing } from "./http-fuzz.js";
export type { HttpFuzzingOptions } from "./http-fuzz.js";
