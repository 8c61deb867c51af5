import { randomUUID } from "node:crypto";
import type { User } from "./user.js";
import type { NewUser, OneTimeTokenPurpose, StoredOneTimeToken, StoredUser, UserStore } from "./user-store.js";
import { EmailTakenError } from "./errors.js";

/**
 * The default store: users in a Map, gone when the process exits. Good for tests, demos and
 * single-process prototypes; use a database store for anything else.
 */
export class MemoryStore implements UserStore {
  readonly #byId = new Map<string, StoredUser>();
  readonly #idByEmail = new Map<string, string>();
  readonly #oneTimeTokens = new Map<string, StoredOneTimeToken>();

  async findById(id: string): Promise<User | null> {
    const user = this.#byId.get(id);
    return user === undefined ? null : withoutHash(user);
  }

  async findByEmail(email: string): Promise<StoredUser | null> {
    const id = this.#idByEmail.get(email);
    return id === undefined ? null : (this.#byId.get(id) ?? null);
  }

  async create(user: NewUser): Promise<User> {
    // Check and insert happen in one synchronous step, so concurrent creates cannot both win.
    if (this.#idByEmail.has(user.email)) throw new EmailTakenError();
    const stored: StoredUser = {
      id: randomUUID(),
      email: user.email,
      passwordHash: user.passwordHash,
      isActive: true,
      emailVerified: false,
    };
    this.#byId.set(stored.id, stored);
    this.#idByEmail.set(stored.email, stored.id);
    return withoutHash(stored);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    const user = this.#byId.get(id);
    if (user !== undefined) this.#byId.set(id, { ...user, passwordHash });
  }

  /** Deactivates or reactivates a user (what an admin tool would do in a database). */
  async setActive(id: string, isActive: boolean): Promise<void> {
    const user = this.#byId.get(id);
    if (user !== undefined) this.#byId.set(id, { ...user, isActive });
  }

  /** Removes a user; their tokens then answer USER_NOT_FOUND. */
  async delete(id: string): Promise<void> {
    const user = this.#byId.get(id);
    if (user === undefined) return;
    this.#byId.delete(id);
    this.#idByEmail.delete(user.email);
    await this.deleteOneTimeTokens(id);
  }

  // Each method below reads and writes in one synchronous step, which makes it atomic here.

  async replaceOneTimeToken(token: StoredOneTimeToken): Promise<void> {
    this.#deleteTokens(token.userId, token.purpose);
    this.#oneTimeTokens.set(token.tokenHash, { ...token });
  }

  async consumeOneTimeToken(tokenHash: string, purpose: OneTimeTokenPurpose): Promise<StoredOneTimeToken | null> {
    const token = this.#oneTimeTokens.get(tokenHash);
    if (token === undefined || token.purpose !== purpose) return null;
    this.#oneTimeTokens.delete(tokenHash);
    return token;
  }

  async deleteOneTimeTokens(userId: string, purpose?: OneTimeTokenPurpose): Promise<void> {
    this.#deleteTokens(userId, purpose);
  }

  async markEmailVerified(userId: string, email: string): Promise<boolean> {
    const user = this.#byId.get(userId);
    if (user === undefined || user.email !== email) return false;
    this.#byId.set(userId, { ...user, emailVerified: true });
    return true;
  }

  #deleteTokens(userId: string, purpose: OneTimeTokenPurpose | undefined): void {
    for (const [hash, token] of this.#oneTimeTokens) {
      if (token.userId === userId && (purpose === undefined || token.purpose === purpose)) {
        this.#oneTimeTokens.delete(hash);
      }
    }
  }
}

function withoutHash(user: StoredUser): User {
  return { id: user.id, email: user.email, isActive: user.isActive, emailVerified: user.emailVerified };
}
