import { randomBytes } from "node:crypto";
import type { Algorithm } from "@node-rs/argon2";
import { hash as argon2Hash, parseOptions as parseArgon2Options, verify as argon2Verify } from "@node-rs/argon2";
import { verify as bcryptVerify } from "@node-rs/bcrypt";

export interface Argon2Parameters {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export interface PasswordCheck {
  readonly valid: boolean;
  /** The password matched a bcrypt hash, or an Argon2 one weaker than configured: store a fresh hash. */
  readonly needsRehash: boolean;
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
const BCRYPT_PREFIX = /^\$2[aby]\$\d\d\$/;
const BCRYPT_MAX_PASSWORD_BYTES = 72;

/**
 * Argon2id hashing through @node-rs/argon2, whose async calls run on libuv's thread pool,
 * never on the event loop. bcrypt hashes are accepted for verification only.
 */
export class PasswordHasher {
  readonly #parameters: Argon2Parameters;
  readonly #dummyHash: Promise<string>;

  constructor(parameters: Argon2Parameters) {
    this.#parameters = parameters;
    this.#dummyHash = dummyHashFor(parameters);
  }

  hash(password: string): Promise<string> {
    return argon2Hash(password, { ...this.#parameters, algorithm: ARGON2ID });
  }

  /**
   * @param password the NFKC-normalized password, what auth101 hashes.
   * @param originalPassword the password as typed: imported bcrypt hashes were made from it.
   */
  async verify(storedHash: string, password: string, originalPassword: string): Promise<PasswordCheck> {
    if (BCRYPT_PREFIX.test(storedHash)) {
      // bcrypt reads only the first 72 bytes: a longer password must not match on its prefix.
      if (Buffer.byteLength(originalPassword, "utf8") > BCRYPT_MAX_PASSWORD_BYTES) {
        return this.#rejectAfterDummyWork(password);
      }
      const valid = await bcryptVerify(originalPassword, storedHash).catch(() => false);
      return { valid, needsRehash: valid };
    }
    const stored = this.#argon2Parameters(storedHash);
    if (stored === undefined) return this.#rejectAfterDummyWork(password);
    const valid = await argon2Verify(storedHash, password).catch(() => false);
    return { valid, needsRehash: valid && stored.weakerThanConfigured };
  }

  /**
   * The work of one verification against a hash no one can match, so that a sign-in for
   * an unknown email costs what a wrong password costs.
   */
  async verifyAgainstDummy(password: string): Promise<void> {
    await argon2Verify(await this.#dummyHash, password).catch(() => false);
  }

  async #rejectAfterDummyWork(password: string): Promise<PasswordCheck> {
    await this.verifyAgainstDummy(password);
    return { valid: false, needsRehash: false };
  }

  #argon2Parameters(storedHash: string): { weakerThanConfigured: boolean } | undefined {
    if (!storedHash.startsWith("$argon2")) return undefined;
    try {
      const parsed = parseArgon2Options(storedHash);
      const wanted = this.#parameters;
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
