import type { User, UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { HttpAnswer } from "@auth101/testing";
import { bearer, fetchAnswer, postJson, TEST_SECRET } from "@auth101/testing";
import { Controller, Get, UseGuards } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Auth101Guard, Auth101Module, CurrentUser, Public } from "./index.js";
import type { RunningApp } from "./test-support/serve.js";
import { PLATFORMS, serve } from "./test-support/serve.js";

const PASSWORD = "correct horse battery staple";

@Controller("guarded")
class PerRouteController {
  @Get("user")
  @UseGuards(Auth101Guard)
  user(@CurrentUser() user: User): User {
    return user;
  }

  @Get("email")
  @UseGuards(Auth101Guard)
  email(
    @CurrentUser("email") email: string,
    @CurrentUser("isActive") isActive: boolean,
  ): { email: string; isActive: boolean } {
    return { email, isActive };
  }

  @Get("open")
  open(): { open: true } {
    return { open: true };
  }

  @Get("forgot-the-guard")
  forgotTheGuard(@CurrentUser() user: User): User {
    return user;
  }
}

@Controller("whole-controller")
@UseGuards(Auth101Guard)
class PerControllerController {
  @Get()
  who(@CurrentUser("id") id: string): { id: string } {
    return { id };
  }
}

/** The headers a guard's answer must carry, as the core sets them. */
const CORE_HEADERS = ["content-type", "cache-control", "www-authenticate"];
const comparable = (answer: HttpAnswer): unknown => ({
  status: answer.status,
  headers: Object.fromEntries(CORE_HEADERS.map((name) => [name, answer.headers[name]])),
  body: answer.json,
});

async function signUp(url: string, email: string): Promise<{ user: { id: string; email: string }; token: string }> {
  const answer = await postJson(`${url}/auth/sign-up/email`, { email, password: PASSWORD });
  expect(answer.status).toBe(200);
  return answer.json as { user: { id: string; email: string }; token: string };
}

describe.each(PLATFORMS)("Auth101Guard per route and per controller, on %s", (platform) => {
  const store = new MemoryStore();
  let nest: RunningApp;

  beforeAll(async () => {
    nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })],
        controllers: [PerRouteController, PerControllerController],
      },
      { platform },
    );
  });
  afterAll(() => nest?.close());

  test("@CurrentUser() hands the route the User, @CurrentUser(field) one of its fields", async () => {
    const { user, token } = await signUp(nest.url, "ada@example.com");
    const whole = await fetchAnswer(`${nest.url}/guarded/user`, { headers: bearer(token) });
    expect(whole.status).toBe(200);
    expect(whole.json).toEqual({ id: user.id, email: "ada@example.com", isActive: true, emailVerified: false });
    const fields = await fetchAnswer(`${nest.url}/guarded/email`, { headers: { authorization: `bearer ${token}` } });
    expect(fields.json).toEqual({ email: "ada@example.com", isActive: true });
    const onController = await fetchAnswer(`${nest.url}/whole-controller`, { headers: bearer(token) });
    expect(onController.json).toEqual({ id: user.id });
  });

  test("unguarded routes stay open", async () => {
    expect((await fetchAnswer(`${nest.url}/guarded/open`)).json).toEqual({ open: true });
  });

  test.each([
    ["no Authorization header", {}],
    ["another scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["an empty Bearer", { authorization: "Bearer " }],
    ["a garbage token", bearer("abc.def.ghi")],
    ["a token signed with another secret", bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")],
  ])(
    "with %s the guard answers 401 exactly as GET /auth/session does",
    async (_name, headers: Record<string, string>) => {
      for (const path of ["/guarded/user", "/whole-controller"]) {
        const fromGuard = await fetchAnswer(`${nest.url}${path}`, { headers });
        const fromCore = await fetchAnswer(`${nest.url}/auth/session`, { headers });
        expect(fromGuard.status).toBe(401);
        expect(comparable(fromGuard)).toEqual(comparable(fromCore));
        expect(fromGuard.headers["www-authenticate"]).toMatch(/^Bearer realm="auth101"/);
        expect(fromGuard.headers["cache-control"]).toBe("no-store");
      }
    },
  );

  test("a deactivated user is 401 USER_NOT_FOUND, a deleted one INVALID_TOKEN (their sessions went too)", async () => {
    const gone = await signUp(nest.url, "gone@example.com");
    const inactive = await signUp(nest.url, "inactive@example.com");
    await store.deleteUser(gone.user.id);
    await store.setActive(inactive.user.id, false);
    for (const [{ token }, error] of [
      [gone, { message: "Invalid or expired token", code: "INVALID_TOKEN" }],
      [inactive, { message: "User not found", code: "USER_NOT_FOUND" }],
    ] as const) {
      const answer = await fetchAnswer(`${nest.url}/guarded/user`, { headers: bearer(token) });
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Bearer realm="auth101", error="invalid_token"');
      expect(answer.json).toEqual({ error });
    }
  });

  test("@CurrentUser() on a route without the guard fails loudly (500), never yields undefined", async () => {
    const { token } = await signUp(nest.url, "forgot@example.com");
    const answer = await fetchAnswer(`${nest.url}/guarded/forgot-the-guard`, { headers: bearer(token) });
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain("forgot@example.com");
  });
});

@Controller("app")
class GlobalGuardController {
  @Get("private")
  private(@CurrentUser("email") email: string): { email: string } {
    return { email };
  }

  @Public()
  @Get("public")
  public(): { public: true } {
    return { public: true };
  }

  @Public()
  @Get("greeting")
  greeting(@CurrentUser({ optional: true }) user: User | undefined): { signedInAs: string | null } {
    return { signedInAs: user?.email ?? null };
  }
}

@Public()
@Controller("open-house")
class PublicController {
  @Get()
  welcome(): { welcome: true } {
    return { welcome: true };
  }
}

describe.each(PLATFORMS)("Auth101Guard as the global guard (APP_GUARD), on %s", (platform) => {
  let nest: RunningApp;

  beforeAll(async () => {
    nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET })],
        controllers: [GlobalGuardController, PublicController],
        providers: [{ provide: APP_GUARD, useExisting: Auth101Guard }],
      },
      { platform },
    );
  });
  afterAll(() => nest?.close());

  test("protects every route, and the endpoints stay reachable without a token", async () => {
    const { token } = await signUp(nest.url, "global@example.com");
    const denied = await fetchAnswer(`${nest.url}/app/private`);
    expect(denied.status).toBe(401);
    expect(denied.json).toEqual({ error: { message: expect.any(String), code: "UNAUTHORIZED" } });
    expect(denied.headers["www-authenticate"]).toBe('Bearer realm="auth101"');
    const allowed = await fetchAnswer(`${nest.url}/app/private`, { headers: bearer(token) });
    expect(allowed.json).toEqual({ email: "global@example.com" });
  });

  test("a @Public() route gets the user of a valid session, and undefined for anyone else", async () => {
    const { token } = await signUp(nest.url, "greeted@example.com");
    expect((await fetchAnswer(`${nest.url}/app/greeting`, { headers: bearer(token) })).json).toEqual({
      signedInAs: "greeted@example.com",
    });
    expect((await fetchAnswer(`${nest.url}/app/greeting`)).json).toEqual({ signedInAs: null });
    expect((await fetchAnswer(`${nest.url}/app/greeting`, { headers: bearer("not.a.token") })).json).toEqual({
      signedInAs: null,
    });
  });

  test("@Public() opts a route or a whole controller out", async () => {
    expect((await fetchAnswer(`${nest.url}/app/public`)).json).toEqual({ public: true });
    expect((await fetchAnswer(`${nest.url}/open-house`)).json).toEqual({ welcome: true });
  });

  test("with useClass, as Nest's docs show it, too", async () => {
    const other = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET })],
        controllers: [GlobalGuardController],
        providers: [{ provide: APP_GUARD, useClass: Auth101Guard }],
      },
      { platform },
    );
    try {
      expect((await fetchAnswer(`${other.url}/app/private`)).status).toBe(401);
      expect((await fetchAnswer(`${other.url}/app/public`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe.each(PLATFORMS)("Auth101Guard when the store is down, on %s", (platform) => {
  test("answers 503 STORE_UNAVAILABLE with the core's body, not Nest's", async () => {
    const store = new MemoryStore();
    let down = false;
    const flaky: UserStore = new Proxy(store, {
      get(target, name) {
        if (name === "findSession" && down) return () => Promise.reject(new Error("database down"));
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: flaky, onFailure: () => {} })],
        controllers: [PerRouteController],
      },
      { platform },
    );
    try {
      const { token } = await signUp(nest.url, "outage@example.com");
      down = true;
      const answer = await fetchAnswer(`${nest.url}/guarded/user`, { headers: bearer(token) });
      expect(answer.status).toBe(503);
      expect(answer.headers["cache-control"]).toBe("no-store");
      expect(answer.headers["www-authenticate"]).toBeUndefined();
      expect(answer.json).toEqual({ error: { message: expect.any(String), code: "STORE_UNAVAILABLE" } });
      expect(comparable(answer)).toEqual(
        comparable(await fetchAnswer(`${nest.url}/auth/session`, { headers: bearer(token) })),
      );
    } finally {
      await nest.close();
    }
  });
});
