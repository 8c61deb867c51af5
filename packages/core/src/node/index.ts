// `@auth101/core/node`: what the integrations built on Node's http server (Express, Koa,
// NestJS) share: reading a request body, writing an answer, translating an app's body-parser
// refusal, and answering requests Node's own parser refuses. The root export stays free of them.
export { bodyFromParserError } from "./body-parser-errors.js";
export { answerClientError } from "./node-client-error.js";
export { bodyHeadersOf, clientAddressOf, nodeHeaderReader, nodeRequestBody, sendNodeResponse } from "./node-request.js";
