import "reflect-metadata";
import type { AddressInfo } from "node:net";
import type { User } from "@auth101/core";
import { Auth101, MemoryStore } from "@auth101/core";
import { bearer, chunkedBody, fetchAnswer, postJson, TEST_SECRET } from "@auth101/testing";
import { Controller, Get, Inject, Injectable, Module, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import { describe, expect, test } from "vitest";
import type { Auth101ModuleOptions } from "./index.js";
import { Auth101Guard, Auth101Module, CurrentUser } from "./index.js";
import { PLATFORMS, serve } from "./test-support/serve.js";

const PASSWORD = "correct horse battery staple";

@Controller("me")
class MeController {
  @Get()
  @UseGuards(Auth101Guard)
  me(@CurrentUser() user: User): { id: string; email: string } {
    return { id: user.id, email: user.email };
  }
}

/** A service of the app that calls the core directly, injected by the class as token. */
@Injectable()
class Registrations {
  constructor(@Inject(Auth101) readonly auth: Auth101) {}

  async register(email: string): Promise<string> {
    const result = await this.auth.signUp(email, PASSWORD);
    if (!("token" in result)) throw new Error(JSON.stringify(result));
    return result.token;
  }
}

/**
 * A stand-in for @nestjs/config: its values are loaded asynchronously while the app starts,
 * so they do not exist yet when the module classes are defined (the @nestjs/jwt complaint).
 */
@Injectable()
class ConfigService {
  constructor(@Inject("CONFIG_VALUES") private readonly values: ReadonlyMap<string, string>) {}

  get(key: string): string | undefined {
    return this.values.get(key);
  }
}

const environment = new Map<string, string>();

@Module({
  providers: [
    {
      provide: "CONFIG_VALUES",
      useFactory: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return new Map(environment);
      },
    },
    ConfigService,
  ],
  exports: [ConfigService],
})
class ConfigModule {}

describe.each(PLATFORMS)("Auth101Module.forRoot, on %s", (platform) => {
  test("provides the Auth101 instance the endpoints and the guard use", async () => {
    const nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store: new MemoryStore() })],
        controllers: [MeController],
        providers: [Registrations],
      },
      { platform },
    );
    try {
      const token = await nest.app.get(Registrations).register("service@example.com");
      expect((await fetchAnswer(`${nest.url}/me`, { headers: bearer(token) })).json).toEqual({
        id: expect.any(String),
        email: "service@example.com",
      });
      const signedIn = await postJson(`${nest.url}/auth/sign-in/email`, {
        email: "service@example.com",
        password: PASSWORD,
      });
      expect(signedIn.status).toBe(200);
      expect(nest.app.get(Auth101)).toBe(nest.app.get(Registrations).auth);
    } finally {
      await nest.close();
    }
  });

  test("passes the core's options through (tokenExpiresIn, issuer, password policy)", async () => {
    const nest = await serve(
      {
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET, issuer: "my-app", password: { minLength: 20 } })],
      },
      { platform },
    );
    try {
      const short = await postJson(`${nest.url}/auth/sign-up/email`, {
        email: "a@example.com",
        password: PASSWORD.slice(0, 19),
      });
      expect(short.status).toBe(400);
      const signedUp = await postJson(`${nest.url}/auth/sign-up/email`, { email: "a@example.com", password: PASSWORD });
      const { token } = signedUp.json as { token: string };
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { iss: string };
      expect(claims.iss).toBe("my-app");
    } finally {
      await nest.close();
    }
  });

  test("a configuration mistake stops the app at startup with the core's message", async () => {
    await expect(
      serve({ imports: [Auth101Module.forRoot({ secret: "short" })] }, { platform, abortOnError: false }),
    ).rejects.toThrow(/auth101: secret is 5 bytes/);
  });

  test("is global by default: a feature module uses the guard and Auth101 without importing it", async () => {
    @Module({ controllers: [MeController], providers: [Registrations], exports: [Registrations] })
    class FeatureModule {}

    const nest = await serve(
      { imports: [Auth101Module.forRoot({ secret: TEST_SECRET }), FeatureModule] },
      { platform },
    );
    try {
      const token = await nest.app.get(Registrations).register("feature@example.com");
      expect((await fetchAnswer(`${nest.url}/me`, { headers: bearer(token) })).status).toBe(200);
    } finally {
      await nest.close();
    }
  });

  test("with isGlobal: false, a module must import it to use the guard", async () => {
    @Module({ controllers: [MeController] })
    class WithoutImport {}
    await expect(
      serve(
        { imports: [Auth101Module.forRoot({ secret: TEST_SECRET, isGlobal: false }), WithoutImport] },
        { platform, abortOnError: false },
      ),
    ).rejects.toThrow(/Auth101Guard|Auth101/);

    @Module({ imports: [Auth101Module.forRoot({ secret: TEST_SECRET, isGlobal: false })], controllers: [MeController] })
    class WithImport {}
    const nest = await serve({ imports: [WithImport] }, { platform });
    try {
      expect((await fetchAnswer(`${nest.url}/me`)).status).toBe(401);
      expect(
        (await postJson(`${nest.url}/auth/sign-up/email`, { email: "x@example.com", password: PASSWORD })).status,
      ).toBe(200);
    } finally {
      await nest.close();
    }
  });

  test("needs no decorator metadata: the library injects with explicit tokens", () => {
    expect(Reflect.getMetadata("design:paramtypes", Auth101Guard)).toBeUndefined();
  });
});

describe("Auth101Module.forRootAsync", () => {
  test("reads the secret (and path) from a config service when the factory runs, not at import time", async () => {
    const secretLater = `${TEST_SECRET}-from-config`;
    const store = new MemoryStore();
    const nest = await serve(
      {
        imports: [
          Auth101Module.forRootAsync({
            imports: [ConfigModule],
            inject: [ConfigService],
            useFactory: async (config: ConfigService): Promise<Auth101ModuleOptions> => {
              const secret = config.get("AUTH101_SECRET");
              if (secret === undefined) throw new Error("AUTH101_SECRET was not loaded");
              return { secret, store, path: config.get("AUTH_PATH") ?? "auth" };
            },
          }),
        ],
        controllers: [MeController],
      },
      { abortOnError: false },
    ).catch((error: unknown) => error);
    // The config was empty when the app started: the factory saw it and refused.
    expect(nest).toBeInstanceOf(Error);

    environment.set("AUTH101_SECRET", secretLater);
    environment.set("AUTH_PATH", "account");
    const started = await serve({
      imports: [
        Auth101Module.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService): Auth101ModuleOptions => ({
            secret: config.get("AUTH101_SECRET") ?? "",
            store,
            path: config.get("AUTH_PATH") ?? "auth",
          }),
        }),
      ],
      controllers: [MeController],
    });
    try {
      const signedUp = await postJson(`${started.url}/account/sign-up/email`, {
        email: "async@example.com",
        password: PASSWORD,
      });
      expect(signedUp.status).toBe(200);
      const { token } = signedUp.json as { token: string };
      expect((await fetchAnswer(`${started.url}/me`, { headers: bearer(token) })).status).toBe(200);
      // Signed with the secret from the config: another secret does not accept it.
      const other = new Auth101({ secret: TEST_SECRET, store });
      expect(await other.verifyToken(token)).toBeNull();
      expect(await new Auth101({ secret: secretLater, store }).verifyToken(token)).toMatchObject({
        email: "async@example.com",
      });
    } finally {
      await started.close();
      environment.clear();
    }
  });

  test("closes a store the factory opened when the app shuts down, once, after the last request", async () => {
    const events: string[] = [];
    // What PrismaUserStore.open() returns, in memory: a store with a close().
    const opened = Object.assign(new MemoryStore(), {
      close: async (): Promise<void> => {
        events.push("closed");
      },
    });
    const nest = await serve({
      imports: [
        Auth101Module.forRootAsync({
          useFactory: async (): Promise<Auth101ModuleOptions> => ({ secret: TEST_SECRET, store: opened }),
        }),
      ],
    });
    const signedUp = await postJson(`${nest.url}/auth/sign-up/email`, {
      email: "shut@example.com",
      password: PASSWORD,
    });
    expect(signedUp.status).toBe(200);
    events.push("served");
    expect(events).toEqual(["served"]);
    await nest.close();
    expect(events).toEqual(["served", "closed"]);
  });

  test("leaves a store without close() alone (the app's own PrismaClient stays the app's)", async () => {
    const store = new MemoryStore();
    const nest = await serve({ imports: [Auth101Module.forRoot({ secret: TEST_SECRET, store })] });
    await nest.close();
    expect(await store.findByEmail("nobody@example.com")).toBeNull();
  });

  test("accepts an options class (useClass) and isGlobal next to it", async () => {
    @Injectable()
    class Auth101Config {
      create(): Auth101ModuleOptions {
        return { secret: TEST_SECRET, path: "from-class" };
      }
    }
    const nest = await serve({
      imports: [Auth101Module.forRootAsync({ useClass: Auth101Config, isGlobal: true })],
      controllers: [MeController],
    });
    try {
      expect(
        (await postJson(`${nest.url}/from-class/sign-up/email`, { email: "c@example.com", password: PASSWORD })).status,
      ).toBe(200);
      expect((await fetchAnswer(`${nest.url}/me`)).status).toBe(401);
    } finally {
      await nest.close();
    }
  });
});

describe("other ways to run a Nest app", () => {
  test.each(PLATFORMS)(
    "@nestjs/testing on %s: the endpoints read bodies from the raw stream there too",
    async (platform) => {
      const moduleRef = await Test.createTestingModule({
        imports: [Auth101Module.forRoot({ secret: TEST_SECRET })],
        controllers: [MeController],
      }).compile();
      const app =
        platform === "fastify"
          ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
          : moduleRef.createNestApplication({ logger: false });
      await app.listen(0, "127.0.0.1");
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      try {
        const signedUp = await postJson(`${url}/auth/sign-up/email`, {
          email: "testing@example.com",
          password: PASSWORD,
        });
        expect(signedUp.status).toBe(200);
        // Chunked, 70 KB of which whitespace: only a reader of the raw stream sees it is too large.
        const padded = await fetchAnswer(`${url}/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          ...chunkedBody(`${" ".repeat(70_000)}{"email":"testing@example.com","password":"${PASSWORD}"}`),
        });
        expect(padded.status).toBe(413);
        const { token } = signedUp.json as { token: string };
        expect((await fetchAnswer(`${url}/me`, { headers: bearer(token) })).status).toBe(200);
      } finally {
        await app.close();
      }
    },
  );

  test("an application context without HTTP still provides Auth101", async () => {
    @Module({ imports: [Auth101Module.forRoot({ secret: TEST_SECRET })], providers: [Registrations] })
    class WorkerModule {}
    const context = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    try {
      const token = await context.get(Registrations).register("worker@example.com");
      expect(await context.get(Auth101).verifyToken(token)).toMatchObject({ email: "worker@example.com" });
    } finally {
      await context.close();
    }
  });
});
