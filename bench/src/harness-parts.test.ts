import { describe, expect, it } from "vitest";
import { TARGETS, selectTargets } from "./catalog.js";
import { configFromEnvironment } from "./config.js";
import { roundOrder, steadyBatches, timeFixedTask } from "./harness.js";
import { lookalikeToken } from "./lookalike-token.js";
import { formatTable, machineSpeedLine, median } from "./report.js";

const entry = (id: string, group: string) => ({ target: { id, group } });

describe("roundOrder", () => {
  const entries = [entry("a1", "a"), entry("a2", "a"), entry("b1", "b"), entry("b2", "b"), entry("c1", "c")];
  const ids = (round: number): string[] => roundOrder(entries, round).map((item) => item.target.id);

  it("runs each group's targets back to back, forwards in even rounds and backwards in odd ones", () => {
    expect(ids(0)).toEqual(["a1", "a2", "b1", "b2", "c1"]);
    expect(ids(1)).toEqual(["b2", "b1", "c1", "a2", "a1"]);
    expect(ids(2)).toEqual(["c1", "a1", "a2", "b1", "b2"]);
  });

  it("runs every target exactly once per round", () => {
    for (let round = 0; round < 6; round += 1) expect([...ids(round)].sort()).toEqual(["a1", "a2", "b1", "b2", "c1"]);
  });
});

describe("steadyBatches", () => {
  const target = (id: string, group: string, kind: string) => ({ target: { id, group, kind } });

  it("batches consecutive steady-load targets of one group, every other target alone", () => {
    const order = [
      target("bare", "koa", "session"),
      target("ours", "koa", "session"),
      target("other", "nest", "session"),
      target("sessions", "endpoints", "session"),
      target("reset", "endpoints", "reset-request"),
      target("sign-out", "endpoints", "sign-out"),
      target("list", "endpoints", "session"),
      target("storm", "sign-in", "sign-in"),
      target("storm-bare", "sign-in", "sign-in"),
    ];
    expect(steadyBatches(order).map((batch) => batch.map((entry) => entry.target.id))).toEqual([
      ["bare", "ours"],
      ["other"],
      ["sessions", "reset"],
      ["sign-out"],
      ["list"],
      ["storm"],
      ["storm-bare"],
    ]);
  });
});

describe("selectTargets", () => {
  it("selects everything by default, exact ids, and * patterns", () => {
    expect(selectTargets([])).toHaveLength(TARGETS.length);
    expect(selectTargets(["session:express-auth101"]).map((target) => target.id)).toEqual(["session:express-auth101"]);
    expect(selectTargets(["sign-in:*"]).every((target) => target.kind === "sign-in")).toBe(true);
    expect(selectTargets(["*better-auth"]).map((target) => target.id)).toEqual([
      "session:better-auth",
      "sign-in:better-auth",
    ]);
  });

  it("refuses a selection that matches nothing, listing the ids", () => {
    expect(() => selectTargets(["session:nope"])).toThrow(/selects no target.*session:express-bare/);
  });
});

describe("configFromEnvironment", () => {
  it("has defaults that fit a full run in about six minutes, scaled by BENCH_SCALE", () => {
    const defaults = configFromEnvironment({});
    expect(defaults).toMatchObject({
      rounds: 5,
      sessionSeconds: 3,
      sliceSeconds: 1,
      signInSeconds: 6,
      warmupSeconds: 1,
      connections: 10,
      only: [],
    });
    const quick = configFromEnvironment({
      BENCH_SCALE: "0.5",
      BENCH_SIGNIN_SECONDS: "2",
      BENCH_ONLY: "session:*, sign-in:*",
    });
    expect(quick).toMatchObject({
      sessionSeconds: 1.5,
      signInSeconds: 2,
      warmupSeconds: 0.5,
      only: ["session:*", "sign-in:*"],
    });
  });

  it("refuses a value that is not a number", () => {
    expect(() => configFromEnvironment({ BENCH_ROUNDS: "many" })).toThrow(/BENCH_ROUNDS/);
  });
});

describe("report helpers", () => {
  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("formatTable pads columns and aligns numbers right", () => {
    expect(
      formatTable(
        ["name", "n"],
        [
          ["a", "1"],
          ["long", "100"],
        ],
        ["left", "right"],
      ),
    ).toBe(["name    n", "----  ---", "a       1", "long  100"].join("\n"));
  });
});

describe("machine speed", () => {
  it("times the fixed task and reports the spread of its times", () => {
    expect(timeFixedTask()).toBeGreaterThan(0);
    expect(machineSpeedLine([40, 80, 50])).toBe(
      "machine speed: the same CPU-bound task took 40–80 ms before the rounds (slowest ÷ fastest 2.00); one round's ratio can move by as much",
    );
    expect(machineSpeedLine([])).toBe("machine speed: not probed");
  });
});

describe("lookalikeToken", () => {
  it("has the shape of an auth101 token: three base64url parts, a fresh one each time", () => {
    const token = lookalikeToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeGreaterThan(200);
    expect(lookalikeToken()).not.toBe(token);
  });
});
