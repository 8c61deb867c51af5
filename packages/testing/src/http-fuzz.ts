import { randomUUID } from "node:crypto";
import { METHODS } from "node:http";
import type * as FastCheck from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth101 } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Auth101Options } from "@auth101/core";
import type { UserStore } from "@auth101/core";
import type { ConformanceAuthOptions } from "./http-conformance.js";
import type { Fc } from "./support/arbitraries.js";
import {
  FRESH_JTI,
  type KeyCase,
  accountEmailBodies,
  authorizations,
  claimSets,
  contentTypes,
  credentialObjects,
  headerValue,
  jsonBodies,
  keyCases,
  oddEmails,
  oddPasswords,
  rawBodies,
} from "./support/arbitraries.js";
import type { PublicUserJson } from "./support/expectations.js";
import { describeAnswer, expectErrorEnvelope, expectNoSecrets, expectSessionAnswer } from "./support/expectations.js";
import { GOOD_PASSWORD, randomSecret, uniqueEmail } from "./support/fixtures.js";
import type { HttpAnswer, HttpExchange, SendHttp, StartConformanceServer } from "./support/http-client.js";
import { PROTECTED_PATH, bearer, describedHttp, jsonPost } from "./support/http-client.js";
import { FailingStore } from "./support/stores.js";
import { ISSUER, claimsAreValid, keyIdOf, signedToken, unsignedToken, validClaims } from "./support/tokens.js";

export interface HttpFuzzingOptions {
  /** Cases per property (each endpoint has two or three properties). Default: `AUTH101_FUZZ_RUNS`, else 100. */
  readonly runs?: number;
  /**
   * Cases of the property that signs up and in with odd Unicode (3 password hashes each).
   * Default: a tenth of `runs`, at least 10.
   */
  readonly credentialRuns?: number;
  /** Default: `AUTH101_FUZZ_SEED`, else a random one (printed when a property fails). */
  readonly seed?: number;
  /** Where the endpoints are mounted. Default `/auth`. */
  readonly prefix?: string;
  /** Further options for the `Auth101` instances. Brute-force protection is off unless given here. */
  readonly authOptions?: ConformanceAuthOptions;
  /** Milliseconds allowed for starting and closing a server. Default 30 000. */
  readonly serverTimeoutMs?: number;
}

const DEFAULT_RUNS = 100;

interface FuzzServer {
  url: string;
  /** Every answer checked against the OpenAPI document of what the server serves. */
  send: SendHttp;
  /** The secret that signs (the first of the server's two). */
  secret: string;
  /** The rotated-out secret, which still verifies the tokens it signed. */
  previousSecret: string;
  store: UserStore;
  /** Signed up over the core; her session is never ended, so she shows the server still serves. */
  alice: { user: PublicUserJson; token: string };
  /** Put in the store directly; the endpoints that end sessions end his, one fresh session per case. */
  bob: PublicUserJson;
}

/** Our session ids (a token's `jti`): lower-case UUIDs. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A token of a new session of the user, as the core makes them, without a sign-in's hashing. */
async function mintToken(server: FuzzServer, userId: string): Promise<string> {
  const claims = validClaims(userId);
  await server.store.createSession({
    id: claims.jti as string,
    userId,
    createdAt: new Date(),
    expiresAt: new Date((claims.exp as number) * 1000),
  });
  return signedToken(server.secret, claims);
}

/**
 * Property-based fuzzing of the four endpoints and the guard with fast-check (an optional
 * peer dependency: install it to use this). Every answer must be a success of the exact
 * shape or the JSON error envelope with a code of the error table and the status it maps
 * to; nothing may answer 5xx (but the deliberate 503 of a failing store); and after every
 * case the server still answers a normal request.
 *
 * Seeded and reproducible: a failure names its seed; rerun with `AUTH101_FUZZ_SEED=<seed>`.
 * `AUTH101_FUZZ_RUNS=5000` runs a longer campaign.
 */
export function describeHttpFuzzing(
  name: string,
  startServer: StartConformanceServer,
  options: HttpFuzzingOptions = {},
): void {
  const runs = options.runs ?? positiveIntegerFromEnv("AUTH101_FUZZ_RUNS") ?? DEFAULT_RUNS;
  const credentialRuns = options.credentialRuns ?? Math.max(10, Math.round(runs / 10));
  const seed = options.seed ?? positiveIntegerFromEnv("AUTH101_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31);
  const prefix = options.prefix ?? "/auth";
  const serverTimeoutMs = options.serverTimeoutMs ?? 30_000;
  // The email flows are on (their senders send nothing), so their endpoints are fuzzed too.
  const authOptions: ConformanceAuthOptions = {
    rateLimit: false,
    passwordReset: { send: () => {} },
    emailVerification: { send: () => {} },
    ...options.authOptions,
  };
  // Generous: a case is a few requests on loopback; a hashing case costs three Argon2 runs.
  const propertyTimeoutMs = 60_000 + runs * 150;
  const credentialTimeoutMs = 60_000 + credentialRuns * 1_000;

  describe(`HTTP fuzzing: ${name}`, () => {
    let fc: Fc;
    const at = (path: string): string => `${prefix}${path}`;
    const server = useFuzzServer(startServer, prefix, () => new MemoryStore(), authOptions, serverTimeoutMs);
    const failing = useFuzzServer(startServer, prefix, () => new FailingStore(), authOptions, serverTimeoutMs);

    beforeAll(async () => {
      fc = await loadFastCheck();
    });

    const check = async (
      property: (fc: Fc) => FastCheck.IAsyncProperty<unknown> | FastCheck.IAsyncPropertyWithHooks<unknown>,
      numRuns = runs,
    ): Promise<void> => {
      const details = await fc.check(property(fc), {
        seed,
        numRuns,
        endOnFailure: false,
        interruptAfterTimeLimit: propertyTimeoutMs - 10_000,
      });
      if (details.failed) {
        throw new Error(
          `${fc.defaultReportMessage(details)}\n\nReproduce with AUTH101_FUZZ_SEED=${seed} (and AUTH101_FUZZ_RUNS=${numRuns}).`,
        );
      }
    };

    /** The invariants of every answer, then a normal request that must still succeed. */
    const expectContract = async (
      answer: HttpAnswer,
      success: (answer: HttpAnswer) => void,
      options: { storeFails?: boolean } = {},
    ): Promise<void> => {
      const described = describeAnswer(answer);
      if (options.storeFails) expect(answer.status === 503 || answer.status < 500, described).toBe(true);
      else expect(answer.status, described).toBeLessThan(500);
      if (answer.status === 200) success(answer);
      else expectErrorEnvelope(answer);
      await expectStillServing(server);
    };
    const expectStillServing = async (target: FuzzServer): Promise<void> => {
      const answer = await target.send({
        method: "GET",
        path: at("/session"),
        headers: bearer(target.alice.token),
      });
      if (target === server) expectSessionAnswer(answer, target.alice.user);
      else expect(answer.status, describeAnswer(answer)).toBe(503);
    };
    const credentialsAccepted = (answer: HttpAnswer): void => {
      expect(Object.keys(answer.json as object).sort(), describeAnswer(answer)).toEqual(["token", "user"]);
      expectNoSecrets(answer);
    };
    const signedOut = (answer: HttpAnswer): void => {
      expect(answer.json, describeAnswer(answer)).toEqual({ success: true });
    };
    const sessionOf =
      (user: () => PublicUserJson) =>
      (answer: HttpAnswer): void => {
        expect(answer.json, describeAnswer(answer)).toEqual({ user: user() });
      };
    const protectedOf =
      (user: () => PublicUserJson) =>
      (answer: HttpAnswer): void => {
        expect(answer.json, describeAnswer(answer)).toEqual({ id: user().id, email: user().email });
      };
    const sessionsListed = (answer: HttpAnswer): void => {
      expect(Object.keys(answer.json as object), describeAnswer(answer)).toEqual(["sessions"]);
      const { sessions } = answer.json as { sessions: unknown[] };
      expect(sessions.filter((item) => (item as { current?: unknown }).current === true)).toHaveLength(1);
    };
    const alice = (): PublicUserJson => server.alice.user;
    const bob = (): PublicUserJson => server.bob;

    for (const endpoint of ["/sign-up/email", "/sign-in/email"] as const) {
      describe(`POST ${endpoint}`, () => {
        it(
          "answers any JSON value as the body by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(jsonBodies(fc), async (body) => {
                await expectContract(await server.send(jsonPost(at(endpoint), body)), credentialsAccepted);
              }),
            );
          },
          propertyTimeoutMs,
        );

        it(
          "answers any bytes or text as the body, under any content type, by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(rawBodies(fc), contentTypes(fc), fc.boolean(), async (body, contentType, chunked) => {
                const exchange: HttpExchange = {
                  method: "POST",
                  path: at(endpoint),
                  headers: contentType === undefined ? {} : { "content-type": contentType },
                  body,
                  chunked,
                };
                await expectContract(await server.send(exchange), credentialsAccepted);
              }),
            );
          },
          propertyTimeoutMs,
        );

        it(
          "answers any Content-Type and Authorization header values by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(
                headerValue(fc),
                fc.option(headerValue(fc), { nil: undefined }),
                async (contentType, authorization) => {
                  const headers: Record<string, string> = {
                    "content-type": contentType,
                    ...(authorization === undefined ? {} : { authorization }),
                  };
                  // An invalid email: whatever the headers, the body never gets as far as hashing.
                  const exchange: HttpExchange = {
                    method: "POST",
                    path: at(endpoint),
                    headers,
                    body: JSON.stringify({ email: "not-an-email", password: GOOD_PASSWORD }),
                  };
                  await expectContract(await server.send(exchange), credentialsAccepted);
                },
              ),
            );
          },
          propertyTimeoutMs,
        );
      });
    }

    for (const endpoint of [
      "/change-password",
      "/request-password-reset",
      "/reset-password",
      "/send-verification-email",
      "/verify-email",
    ] as const) {
      describe(`POST ${endpoint}`, () => {
        it(
          "answers any JSON value, bytes or text as the body, under any content type, by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(
                fc.oneof(
                  jsonBodies(fc).map((body) => JSON.stringify(body)),
                  accountEmailBodies(fc).map((body) => JSON.stringify(body)),
                  rawBodies(fc),
                ),
                fc.oneof(fc.constant("application/json"), contentTypes(fc)),
                async (body, contentType) => {
                  // The check user's token, so /change-password reaches its body; no generated body
                  // holds the right current password, so no case changes it (or ends the session).
                  const exchange: HttpExchange = {
                    method: "POST",
                    path: at(endpoint),
                    headers: {
                      ...bearer(server.alice.token),
                      ...(contentType === undefined ? {} : { "content-type": contentType }),
                    },
                    body,
                  };
                  await expectContract(await server.send(exchange), signedOut);
                },
              ),
            );
          },
          propertyTimeoutMs,
        );
      });
    }

    // Endpoints that end sessions act on bob's, a fresh one per case; the others read alice's.
    const tokenEndpoints = [
      { name: "POST /sign-out", method: "POST", path: () => at("/sign-out"), owner: bob, success: signedOut },
      { name: "POST /sign-out/all", method: "POST", path: () => at("/sign-out/all"), owner: bob, success: signedOut },
      { name: "GET /session", method: "GET", path: () => at("/session"), owner: alice, success: sessionOf(alice) },
      { name: "GET /sessions", method: "GET", path: () => at("/sessions"), owner: alice, success: sessionsListed },
      {
        name: "DELETE /sessions/{id}",
        method: "DELETE",
        path: () => at(`/sessions/${randomUUID()}`),
        owner: bob,
        success: signedOut,
      },
      {
        name: `GET ${PROTECTED_PATH} (guard)`,
        method: "GET",
        path: () => PROTECTED_PATH,
        owner: alice,
        success: protectedOf(alice),
      },
    ] as const;

    for (const endpoint of tokenEndpoints) {
      describe(endpoint.name, () => {
        it(
          "answers any Authorization header by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(authorizations(fc), async (authorizationOf) => {
                const token = endpoint.owner === alice ? server.alice.token : await mintToken(server, bob().id);
                const exchange: HttpExchange = {
                  method: endpoint.method,
                  path: endpoint.path(),
                  headers: { authorization: authorizationOf.build(token) },
                };
                await expectContract(await server.send(exchange), endpoint.success);
              }),
            );
          },
          propertyTimeoutMs,
        );

        it(
          "accepts a token only when every claim is right",
          async () => {
            await check((fc) =>
              fc.asyncProperty(
                claimSets(fc, () => endpoint.owner().id),
                fc.constantFrom("HS256", "HS256", "HS384", "HS512", "none" as const),
                keyCases(fc),
                fc.boolean(),
                async (generated, algorithm, keyCase, stored) => {
                  const claims = generated.jti === FRESH_JTI ? { ...generated, jti: randomUUID() } : generated;
                  // The session the jti names exists when `stored` (and the claims name the owner).
                  const namesSession =
                    stored &&
                    typeof claims.jti === "string" &&
                    SESSION_ID.test(claims.jti) &&
                    claims.sub === endpoint.owner().id;
                  if (namesSession) {
                    await server.store.createSession({
                      id: claims.jti as string,
                      userId: endpoint.owner().id,
                      createdAt: new Date(),
                      expiresAt: new Date(Date.now() + 3_600_000),
                    });
                  }
                  const { secret, header, rightKey } = signingOf(server, keyCase);
                  const token =
                    algorithm === "none" ? unsignedToken(claims) : signedToken(secret, claims, algorithm, header);
                  const answer = await server.send({
                    method: endpoint.method,
                    path: endpoint.path(),
                    headers: bearer(token),
                  });
                  const wellSigned =
                    algorithm === "HS256" &&
                    rightKey &&
                    claimsAreValid(claims) &&
                    typeof claims.jti === "string" &&
                    SESSION_ID.test(claims.jti);
                  // Sign-out ends the token's session if there is one; the others need a live session.
                  const acceptable = wellSigned && (endpoint.name === "POST /sign-out" || namesSession);
                  const described = `${describeAnswer(answer)} for ${JSON.stringify(claims)} (${algorithm}, ${JSON.stringify(keyCase)}, right key: ${rightKey})`;
                  expect(answer.status === 200, described).toBe(acceptable);
                  await expectContract(answer, endpoint.success);
                },
              ),
            );
          },
          propertyTimeoutMs,
        );

        it(
          "accepts a live session's token only under the secret its kid names (or the first, without kid)",
          async () => {
            await check((fc) =>
              fc.asyncProperty(keyCases(fc), async (keyCase) => {
                const claims = validClaims(endpoint.owner().id);
                await server.store.createSession({
                  id: claims.jti as string,
                  userId: endpoint.owner().id,
                  createdAt: new Date(),
                  expiresAt: new Date((claims.exp as number) * 1000),
                });
                const { secret, header, rightKey } = signingOf(server, keyCase);
                const answer = await server.send({
                  method: endpoint.method,
                  path: endpoint.path(),
                  headers: bearer(signedToken(secret, claims, "HS256", header)),
                });
                const described = `${describeAnswer(answer)} for ${JSON.stringify(keyCase)}, right key: ${rightKey}`;
                expect(answer.status === 200, described).toBe(rightKey);
                await expectContract(answer, endpoint.success);
              }),
            );
          },
          propertyTimeoutMs,
        );

        // The guarded route is the app's: what its own body parser makes of a body is not ours to judge.
        if (endpoint.path() === PROTECTED_PATH) return;
        it(
          "answers bodies sent along by the contract",
          async () => {
            await check((fc) =>
              fc.asyncProperty(rawBodies(fc), contentTypes(fc), async (body, contentType) => {
                const token = endpoint.owner === alice ? server.alice.token : await mintToken(server, bob().id);
                const headers = {
                  ...bearer(token),
                  ...(contentType === undefined ? {} : { "content-type": contentType }),
                };
                await expectContract(
                  await server.send({ method: endpoint.method, path: endpoint.path(), headers, body }),
                  endpoint.success,
                );
              }),
            );
          },
          propertyTimeoutMs,
        );
      });
    }

    describe("any method and query string", () => {
      it(
        "answers every method on every endpoint, with any query string, by the contract",
        async () => {
          // Each path with the one method it answers; every call here acts on a fresh session of bob's.
          const endpoints = [
            ["/sign-up/email", "POST", credentialsAccepted],
            ["/sign-in/email", "POST", credentialsAccepted],
            ["/sign-out", "POST", signedOut],
            ["/sign-out/all", "POST", signedOut],
            ["/session", "GET", sessionOf(bob)],
            ["/sessions", "GET", sessionsListed],
            ["/sessions/{id}", "DELETE", signedOut],
            ["/change-password", "POST", credentialsAccepted],
            ["/request-password-reset", "POST", signedOut],
            ["/reset-password", "POST", signedOut],
            ["/send-verification-email", "POST", signedOut],
            ["/verify-email", "POST", signedOut],
          ] as const;
          // CONNECT opens a tunnel rather than asking for a resource.
          const methods = METHODS.filter((method) => method !== "CONNECT");
          await check((fc) =>
            fc.asyncProperty(
              fc.constantFrom(...methods),
              fc.constantFrom(...endpoints),
              fc.option(fc.webQueryParameters(), { nil: undefined }),
              async (method, [endpoint, expected, success], query) => {
                const resolved = at(endpoint.replace("{id}", randomUUID()));
                const path = query === undefined ? resolved : `${resolved}?${query}`;
                const body =
                  method === "GET" || method === "HEAD"
                    ? undefined
                    : JSON.stringify({ email: "not-an-email", password: GOOD_PASSWORD });
                const answer = await server.send({
                  method,
                  path,
                  headers: { ...bearer(await mintToken(server, bob().id)), "content-type": "application/json" },
                  ...(body === undefined ? {} : { body }),
                });
                if (method === "HEAD") {
                  expect(answer.status, describeAnswer(answer)).toBeLessThan(500);
                  expect(answer.text).toBe("");
                  await expectStillServing(server);
                  return;
                }
                if (method !== expected) {
                  expect(answer.status, describeAnswer(answer)).toBe(405);
                  expect(answer.headers["allow"]).toBe(expected);
                }
                await expectContract(answer, success);
              },
            ),
          );
        },
        propertyTimeoutMs,
      );
    });

    describe("odd Unicode in emails and passwords", () => {
      it(
        "signs up, signs in with any normalization form of the password, and refuses another password",
        async () => {
          await check(
            (fc) =>
              fc.asyncProperty(oddEmails(fc), oddPasswords(fc), async (email, password) => {
                const signUp = await server.send(jsonPost(at("/sign-up/email"), { email, password }));
                await expectContract(signUp, credentialsAccepted);
                if (signUp.status !== 200) {
                  // Validation refuses, or a case-folded twin of an earlier case is registered.
                  expect([400, 409], describeAnswer(signUp)).toContain(signUp.status);
                  return;
                }
                const created = signUp.json as { user: PublicUserJson };
                expect(created.user.email).toBe(email.trim().toLowerCase());
                const signIn = await server.send(
                  jsonPost(at("/sign-in/email"), { email, password: password.normalize("NFD") }),
                );
                expect(signIn.status, describeAnswer(signIn)).toBe(200);
                expect((signIn.json as { user: PublicUserJson }).user).toEqual(created.user);
                const wrong = await server.send(jsonPost(at("/sign-in/email"), { email, password: `${password}!` }));
                expect(wrong.status, describeAnswer(wrong)).toBe(401);
                await expectContract(wrong, credentialsAccepted);
              }),
            credentialRuns,
          );
        },
        credentialTimeoutMs,
      );
    });

    describe("with a user store that fails", () => {
      it(
        "answers 503 or a 4xx, never another 5xx, for any sign-in body",
        async () => {
          await check((fc) =>
            fc.asyncProperty(fc.oneof(jsonBodies(fc), credentialObjects(fc)), async (body) => {
              const answer = await failing.send(jsonPost(at("/sign-in/email"), body));
              await expectContract(answer, credentialsAccepted, { storeFails: true });
              await expectStillServing(failing);
            }),
          );
        },
        propertyTimeoutMs,
      );

      it(
        "answers 503 or a 401, never another 5xx, for any Authorization on the guard",
        async () => {
          await check((fc) =>
            fc.asyncProperty(authorizations(fc), async (authorizationOf) => {
              const answer = await failing.send({
                method: "GET",
                path: PROTECTED_PATH,
                headers: { authorization: authorizationOf.build(failing.alice.token) },
              });
              await expectContract(answer, protectedOf(alice), { storeFails: true });
            }),
          );
        },
        propertyTimeoutMs,
      );
    });
  });
}

/**
 * The secret and header of a fuzzed token, and whether the server must find the key right: a
 * kid names one of its secrets and that secret signed, or no kid and the first secret signed.
 */
function signingOf(
  server: FuzzServer,
  { signer, kid }: KeyCase,
): { readonly secret: string; readonly header: Record<string, unknown>; readonly rightKey: boolean } {
  const secretOf = { current: server.secret, previous: server.previousSecret } as const;
  const secret = signer === "unknown" ? randomSecret() : secretOf[signer];
  if (kid === "absent") return { secret, header: {}, rightKey: signer === "current" };
  const kidValue = typeof kid === "object" ? kid.forged : kid === "signer" ? keyIdOf(secret) : keyIdOf(secretOf[kid]);
  const rightKey = signer !== "unknown" && kidValue === keyIdOf(secret);
  return { secret, header: { kid: kidValue }, rightKey };
}

function useFuzzServer(
  startServer: StartConformanceServer,
  prefix: string,
  createStore: () => UserStore,
  authOptions: ConformanceAuthOptions,
  timeoutMs: number,
): FuzzServer {
  const server = {} as FuzzServer;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    server.secret = randomSecret();
    server.previousSecret = randomSecret();
    const store = createStore();
    const options: Auth101Options = {
      ...authOptions,
      // Rotated: tokens of either secret verify, each under its own kid.
      secret: [server.secret, server.previousSecret],
      store,
      issuer: ISSUER,
      onFailure: () => {},
    };
    const auth = new Auth101(options);
    server.store = store;
    if (store instanceof MemoryStore) {
      const signedUp = await auth.signUp(uniqueEmail("alice"), GOOD_PASSWORD);
      if (!("token" in signedUp)) throw new Error(`could not set up the fuzzing user: ${JSON.stringify(signedUp)}`);
      server.alice = signedUp;
      const bob = await store.create({ email: uniqueEmail("bob"), passwordHash: "$argon2id$unused" });
      server.bob = { id: bob.id, email: bob.email, is_active: bob.isActive };
    } else {
      // A store that fails has no users: a well-signed token must answer 503.
      const user = { id: "00000000-0000-4000-8000-000000000000", email: "alice@example.com", is_active: true };
      server.alice = { user, token: signedToken(server.secret, validClaims(user.id)) };
      server.bob = user;
    }
    const started = await startServer({ auth, authOptions: options, prefix });
    server.url = started.url;
    server.send = describedHttp(started.url, { auth, prefix });
    close = () => started.close();
  }, timeoutMs);
  afterAll(async () => {
    await close?.();
  }, timeoutMs);
  return server;
}

async function loadFastCheck(): Promise<Fc> {
  try {
    return await import("fast-check");
  } catch (error) {
    throw new Error(
      "describeHttpFuzzing needs fast-check: add it to your devDependencies (npm install -D fast-check)",
      { cause: error },
    );
  }
}

function positiveIntegerFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`${name} must be a whole number; got "${value}"`);
  return number;
}
