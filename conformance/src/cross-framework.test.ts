import type { StartConformanceServer, TranscriptEntry } from "@auth101/testing";
import { recordHttpTranscript, startReferenceServer } from "@auth101/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { startExpressServer, startExpressServerBehindJsonParser } from "./servers/express.js";
import { startKoaServer } from "./servers/koa.js";
import { startNestFastifyServer, startNestServer } from "./servers/nestjs.js";

/**
 * The same request sequence against every integration: status, the headers the contract
 * speaks of and the bodies (ids and tokens normalized) must equal what the core answers on
 * bare node:http, step by step.
 */
const integrations: Record<string, StartConformanceServer> = {
  "@auth101/express": startExpressServer,
  "@auth101/express behind express.json()": startExpressServerBehindJsonParser,
  "@auth101/koa": startKoaServer,
  "@auth101/nestjs": startNestServer,
  "@auth101/nestjs on Fastify": startNestFastifyServer,
};

/**
 * Differences this comparison found that are reported but not fixed yet in the integration.
 * Each is asserted to still differ, so an entry has to go as soon as its fix lands.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, readonly string[]>> = {
  // express.json() keeps no raw bytes, and the compact JSON of what it parsed is under the limit:
  // a chunked body padded over 64 KiB with whitespace goes unnoticed behind it (Express's own
  // limit, 100 KB by default, still applies). Nest and Koa read the auth bodies before any parser.
  "@auth101/express behind express.json()": ["chunked body over the limit in whitespace"],
  // Fastify refuses a URL with malformed percent-encoding (FST_ERR_BAD_URL, its own 400 body)
  // before any hook runs, so the core never sees DELETE /sessions/%E0%A4%A; an app can shape
  // that answer with Fastify's frameworkErrors option. Its 400 is not one the OpenAPI document
  // describes (no envelope, no Cache-Control).
  "@auth101/nestjs on Fastify": ["end a session with a malformed id"],
};

for (const prefix of ["/auth", "/api/v1/identity"]) {
  describe(`every integration answers like the core on node:http (endpoints at ${prefix})`, () => {
    let reference: TranscriptEntry[];
    beforeAll(async () => {
      reference = await recordHttpTranscript(startReferenceServer, { prefix });
    }, 30_000);

    it.each(Object.entries(integrations))(
      "%s",
      async (name, startServer) => {
        const transcript = await recordHttpTranscript(startServer, {
          prefix,
          knownDifferences: KNOWN_DIFFERENCES[name] ?? [],
        });
        expect(transcript.map((entry) => entry.step)).toEqual(reference.map((entry) => entry.step));
        const known = new Set(KNOWN_DIFFERENCES[name]);
        for (const [index, expected] of reference.entries()) {
          if (known.has(expected.step)) {
            expect
              .soft(transcript[index], `step "${expected.step}" is fixed: remove it from KNOWN_DIFFERENCES`)
              .not.toEqual(expected);
          } else {
            expect.soft(transcript[index], `step "${expected.step}"`).toEqual(expected);
          }
        }
      },
      30_000,
    );
  });
}
