import { randomBytes } from "node:crypto";
import type { Algorithm } from "@node-rs/argon2";
import { hash as argon2Hash, parseOptions as parseArgon2Options } from "@node-rs/argon2";
import type { HashTask } from "./hash-worker-pool.js";
import { HashWorkerPool } from "./hash-worker-pool.js";

export interface Argon2Parameters {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * The most work a stored hash may ask for before it is verified. A stored hash is data, not
 * code: `m=4294967295` would make one sign-in allocate 4 TiB. Hashes above any bound are
 * refused unverified (see `hashing.storedHashLimits` in the README).
 */
export interface StoredHashLimits {
  /** Argon2 memory, KiB. */
  readonly memoryCost: number;
  /** Argon2 passes. */
  readonly timeCost: number;
  /** Argon2 lanes. */
  readonly parallelism: number;
  /** bcrypt cost (log2 of the rounds). */
  readonly bcryptCost: number;
}

export interface PasswordCheck {
  readonly valid: boolean;
  /**
   * Store a fresh hash of the normalized password: it matched a bcrypt hash, an Argon2 one
   * weaker than configured, or an Argon2 one only in the form typed.
   */
  readonly needsRehash: boolean;
  /** Set when the stored hash was refused unverified: which parameter exceeds which limit. */
  readonly unsafeParameters?: string;
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * One dummy hash per parameter set and process, started as soon as a hasher exists: made
 * lazily, the first unknown-email sign-in would pay an extra hash and stand out.
 */
function dummyHashFor(parameters: Argon2Parameters): Promise<string> {
  const key = `${parameters.memoryCost}:${parameters.timeCost}:${parameters.parallelism}`;
  let dummy = dummyHashes.get(key);
  if (dummy === undefined) {
    dummy = argon2Hash(randomBytes(32).toString("base64url"), { ...parameters, algorithm: ARGON2ID });
    // A failure surfaces where the hash is awaited; it must not crash the process before that.
    dummy.catch(() => {});
    dummyHashes.set(key, dummy);
  }
  return dummy;
}

// `Algorithm` is a const enum the package declares ambiently; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const BCRYPT_PREFIX = /^\$2[aby]\$(\d\d)\$/;
const BCRYPT_MAX_PASSWORD_BYTES = 72;

/** `hashing.maxConcurrent` and `hashing.threadNice`. */
export interface HashThreads {
  readonly maxConcurrent: number;
  readonly threadNice: number;
}

/**
 * Argon2id hashing through @node-rs/argon2 in worker threads of its own (at the priority
 * `threadNice` gives them; by default the process's own), never on the event loop nor on
 * libuv's thread pool (the app's file system, DNS and zlib work stays there), except the one
 * dummy hash per process made at start. bcrypt hashes are accepted for verification only. At
 * most `maxConcurrent` hashes or verifications run at once.
 */
export class PasswordHasher {
  readonly #parameters: Argon2Parameters;
  readonly #limits: StoredHashLimits;
  readonly #dummyHash: Promise<string>;
  readonly #workers: HashWorkerPool;

  constructor(parameters: Argon2Parameters, limits: StoredHashLimits, threads: HashThreads) {
    this.#parameters = parameters;
    this.#limits = limits;
    this.#dummyHash = dummyHashFor(parameters);
    this.#workers = new HashWorkerPool({ size: threads.maxConcurrent, threadNice: threads.threadNice });
  }

  hash(password: string): Promise<string> {
    return this.#workers.run({ kind: "argon2-hash", password, ...this.#parameters }) as Promise<string>;
  }

  #argon2Verify(storedHash: string, password: string): Promise<boolean> {
    return this.#verifies({ kind: "argon2-verify", storedHash, password });
  }

  /** Whether the password matches; a hash the binding cannot read matches nothing. */
  #verifies(task: Extract<HashTask, { readonly storedHash: string }>): Promise<boolean> {
    return (this.#workers.run(task) as Promise<boolean>).catch(() => false);
  }

  /**
   * @param password the NFKC-normalized password, what auth101 hashes.
   * @param originalPassword the password as typed: imported hashes were made from it.
   *
   * How many verifications run depends only on the input (one, or two when NFKC changed the
   * password), never on the account: {@link verifyAgainstDummy} does the same count.
   */
  async verify(storedHash: string, password: string, originalPassword: string): Promise<PasswordCheck> {
    const bcrypt = BCRYPT_PREFIX.exec(storedHash);
    if (bcrypt !== null) {
      const cost = Number(bcrypt[1]);
      if (cost > this.#limits.bcryptCost) {
        return this.#refuseUnverified(
          password,
          originalPassword,
          `bcrypt cost ${cost} is above ${this.#limits.bcryptCost}`,
        );
      }
      // bcrypt reads only the first 72 bytes: a longer password must not match on its prefix.
      if (Buffer.byteLength(originalPassword, "utf8") > BCRYPT_MAX_PASSWORD_BYTES) {
        return this.#rejectAfterDummyWork(password, originalPassword);
      }
      const valid = await this.#verifies({ kind: "bcrypt-verify", storedHash, password: originalPassword });
      return { valid, needsRehash: valid };
    }
    const stored = this.#argon2Parameters(storedHash);
    if (stored === undefined) return this.#rejectAfterDummyWork(password, originalPassword);
    if (stored.unsafeParameters !== undefined) {
      return this.#refuseUnverified(password, originalPassword, stored.unsafeParameters);
    }
    if (await this.#argon2Verify(storedHash, password)) {
      return { valid: true, needsRehash: stored.weakerThanConfigured };
    }
    // An Argon2 hash imported from a system that did not normalize was made from the password
    // as typed; a match is rehashed in the normalized form auth101 uses.
    if (originalPassword === password) return { valid: false, needsRehash: false };
    const valid = await this.#argon2Verify(storedHash, originalPassword);
    return { valid, needsRehash: valid };
  }

  /**
   * The work of verifying against a hash no one can match, so that a sign-in for an unknown
   * email costs what a wrong password costs: the same number of verifications as
   * {@link verify} for the same input.
   */
  async verifyAgainstDummy(password: string, originalPassword: string): Promise<void> {
    const dummy = await this.#dummyHash;
    await this.#argon2Verify(dummy, password);
    if (originalPassword !== password) await this.#argon2Verify(dummy, originalPassword);
  }

  async #rejectAfterDummyWork(password: string, originalPassword: string): Promise<PasswordCheck> {
    await this.verifyAgainstDummy(password, originalPassword);
    return { valid: false, needsRehash: false };
  }

  async #refuseUnverified(password: string, originalPassword: string, reason: string): Promise<PasswordCheck> {
    await this.verifyAgainstDummy(password, originalPassword);
    return { valid: false, needsRehash: false, unsafeParameters: reason };
  }

  #argon2Parameters(
    storedHash: string,
  ): { readonly weakerThanConfigured: boolean; readonly unsafeParameters?: string } | undefined {
    if (!storedHash.startsWith("$argon2")) return undefined;
    try {
      const parsed = parseArgon2Options(storedHash);
      const wanted = this.#parameters;
      const limits = this.#limits;
      for (const [name, value, limit] of [
        ["m", parsed.memoryCost, limits.memoryCost],
        ["t", parsed.timeCost, limits.timeCost],
        ["p", parsed.parallelism, limits.parallelism],
      ] as const) {
        if (value > limit)
          return { weakerThanConfigured: false, unsafeParameters: `Argon2 ${name}=${value} is above ${limit}` };
      }
      return {
        weakerThanConfigured:
          parsed.algorithm !== ARGON2ID ||
          parsed.memoryCost < wanted.memoryCost ||
          parsed.timeCost < wanted.timeCost ||
          parsed.parallelism < wanted.parallelism,
      };
    } catch {
      return undefined;
    }
  }
}
