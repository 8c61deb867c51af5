import type { Algorithm } from "@node-rs/argon2";
import { hash, verify } from "@node-rs/argon2";
import express from "express";
import { BARE_SESSION_BODY, BENCH_USER, HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { listen, runBenchServer } from "./serve.js";

// `Algorithm` is a const enum the package declares ambiently; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/**
 * The baseline for case 3: the raw cost of one async Argon2id verify (auth101's default
 * parameters: m=19456 KiB, t=2, p=1) in a bare Express route, with the JSON body parsed.
 */
await runBenchServer(async () => {
  const passwordHash = await hash(BENCH_USER.password, {
    algorithm: ARGON2ID,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
  const app = express();
  app.post("/auth/sign-in/email", express.json(), async (req, res) => {
    const { password } = req.body as { password?: unknown };
    const valid = typeof password === "string" && (await verify(passwordHash, password));
    if (valid) res.json(BARE_SESSION_BODY);
    else res.status(401).json({ error: { code: "INVALID_CREDENTIALS", message: "Invalid email or password" } });
  });
  app.get(HEALTH_PATH, (_req, res) => {
    res.json(HEALTH_BODY);
  });
  return { server: await listen(app) };
});
