// Secret rotation over HTTP: the same store served under [A], then [B, A], then [B].
import { describe, expect, it } from "vitest";
import { Auth101 } from "@auth101/core";
import type { Auth101Options, UserStore } from "@auth101/core";
import type { ConformanceAuthOptions } from "./http-conformance.js";
import type { PublicUserJson } from "./support/expectations.js";
import { expectErrorAnswer, expectSessionAnswer, expectSessionCreated } from "./support/expectations.js";
import { GOOD_PASSWORD, randomSecret, uniqueEmail } from "./support/fixtures.js";
import type { ConformanceServer, SendHttp, StartConformanceServer } from "./support/http-client.js";
import { PROTECTED_PATH, bearer, describedHttp, jsonPost } from "./support/http-client.js";
import { ISSUER, keyIdOf, signedToken, validClaims } from "./support/tokens.js";

/** A server of one stage, and its checked sender (every answer against the OpenAPI document). */
type Served = ConformanceServer & { readonly send: SendHttp };

/** The `kid` in a token's header. */
function keyIdIn(token: string): unknown {
  const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: unknown };
  return header.kid;
}

/**
 * docs/security.md, "Rotating the secret": a user signed in under secret A stays signed in when
 * the server comes back with `[B, A]`, whose new tokens are signed by B; once A is dropped
 * (`[B]`), A's tokens answer 401 INVALID_TOKEN and B's still work. Each stage is a new
 * `Auth101` and a new server on the same store, as a restart with new configuration would be.
 */
export function describeSecretRotation(
  startServer: StartConformanceServer,
  prefix: string,
  authOptions: ConformanceAuthOptions | undefined,
  createStore: () => UserStore | Promise<UserStore>,
  timeoutMs: number,
): void {
  describe("secret rotation", () => {
    it(
      "keeps everyone signed in when a new secret is put first, and ends the old secret's tokens once it is dropped",
      async () => {
        const store = await createStore();
        const [secretA, secretB] = [randomSecret(), randomSecret()];
        const servers: Served[] = [];
        const serve = async (secret: Auth101Options["secret"]): Promise<Served> => {
          const options: Auth101Options = { ...authOptions, secret, store, issuer: ISSUER, onFailure: () => {} };
          const auth = new Auth101(options);
          const server = await startServer({ auth, authOptions: options, prefix });
          const served: Served = {
            url: server.url,
            close: () => server.close(),
            send: describedHttp(server.url, { auth, prefix }),
          };
          servers.push(served);
          return served;
        };
        const stop = async (server: Served): Promise<void> => {
          servers.splice(servers.indexOf(server), 1);
          await server.close();
        };
        const signedIn = async (server: Served, token: string, user: PublicUserJson): Promise<void> => {
          expectSessionAnswer(
            await server.send({ method: "GET", path: `${prefix}/session`, headers: bearer(token) }),
            user,
          );
          const guarded = await server.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(token) });
          expect(guarded.status).toBe(200);
        };
        const refused = async (server: Served, token: string): Promise<void> => {
          const session = await server.send({
            method: "GET",
            path: `${prefix}/session`,
            headers: bearer(token),
          });
          expectErrorAnswer(session, 401, "INVALID_TOKEN");
          const guarded = await server.send({ method: "GET", path: PROTECTED_PATH, headers: bearer(token) });
          expectErrorAnswer(guarded, 401, "INVALID_TOKEN");
        };
        const signIn = async (server: Served, email: string): Promise<string> =>
          expectSessionCreated(
            await server.send(jsonPost(`${prefix}/sign-in/email`, { email, password: GOOD_PASSWORD })),
            email,
          ).token;

        try {
          const email = uniqueEmail("rotation");
          const onlyA = await serve(secretA);
          const { user, token: tokenA } = expectSessionCreated(
            await onlyA.send(jsonPost(`${prefix}/sign-up/email`, { email, password: GOOD_PASSWORD })),
            email,
          );
          expect(keyIdIn(tokenA)).toBe(keyIdOf(secretA));
          await stop(onlyA);

          const rotated = await serve([secretB, secretA]);
          await signedIn(rotated, tokenA, user);
          const tokenB = await signIn(rotated, email);
          expect(keyIdIn(tokenB)).toBe(keyIdOf(secretB));
          await signedIn(rotated, tokenB, user);
          // A token without kid predates rotation: only the first secret may verify it.
          const legacy = validClaims(user.id);
          await store.createSession({
            id: legacy.jti as string,
            userId: user.id,
            createdAt: new Date(),
            expiresAt: new Date((legacy.exp as number) * 1000),
          });
          await refused(rotated, signedToken(secretA, legacy));
          await stop(rotated);

          const onlyB = await serve(secretB);
          await refused(onlyB, tokenA);
          await signedIn(onlyB, tokenB, user);
          expect(keyIdIn(await signIn(onlyB, email))).toBe(keyIdOf(secretB));
          await signedIn(onlyB, signedToken(secretB, legacy), user);
        } finally {
          for (const server of servers) await server.close();
        }
      },
      4 * timeoutMs,
    );
  });
}
