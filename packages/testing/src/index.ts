export { describeUserStoreContract } from "./user-store-contract.js";
export type { UserStoreContractOptions } from "./user-store-contract.js";
export { DEFAULT_PREFIXES, describeHttpConformance } from "./http-conformance.js";
export type { ConformanceAuthOptions, HttpConformanceOptions } from "./http-conformance.js";
export type { ConformanceServer, StartConformanceServer } from "./support/http-client.js";
// Helpers for an integration's own tests: one HTTP answer type, the requests, a failing store.
export type { HttpAnswer, HttpExchange } from "./support/http-client.js";
export {
  bearer,
  chunkedBody,
  closedAfterEach,
  fetchAnswer,
  postJson,
  sendHttp,
  tokenOf,
} from "./support/http-client.js";
export { createTestAuth, TEST_SECRET } from "./support/fixtures.js";
export { FailingStore } from "./support/stores.js";
export { recordHttpTranscript } from "./http-conformance-transcript.js";
export type { HttpTranscriptOptions, TranscriptEntry } from "./http-conformance-transcript.js";
export { describeHttpFuzzing } from "./http-fuzz.js";
export type { HttpFuzzingOptions } from "./http-fuzz.js";
export { listenOnLoopback } from "./listen-on-loopback.js";
export { startReferenceServer } from "./reference-server.js";
