import { randomUUID } from "node:crypto";
import type { User } from "./user.js";
import type {
  NewUser,
  OneTimeTokenPurpose,
  SessionWithUser,
  StoredOneTimeToken,
  StoredSession,
  StoredUser,
  UserStore,
} from "./user-store.js";
import { EmailTakenError } from "./errors.js";

/**
 * The default store: users and sessions in Maps, gone when the process exits. Good for tests,
 * demos and single-process prototypes; use a database store for anything else.
 */
export class MemoryStore implements UserStore {
  readonly #byId = new Map<string, StoredUser>();
  readonly #idByEmail = new Map<string, string>();
  readonly #sessions = new Map<string, StoredSession>();
  readonly #sessionIdsByUser = new Map<string, Set<string>>();
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

  async setActive(id: string, isActive: boolean): Promise<void> {
    const user = this.#byId.get(id);
    if (user !== undefined) this.#byId.set(id, { ...user, isActive });
  }

  async deleteUser(id: string): Promise<void> {
    const user = this.#byId.get(id);
    if (user === undefined) return;
    this.#byId.delete(id);
    this.#idByEmail.delete(user.email);
    // What ON DELETE CASCADE does in SQL.
    for (const sessionId of this.#sessionIdsByUser.get(id) ?? []) this.#sessions.delete(sessionId);
    this.#sessionIdsByUser.delete(id);
    await this.deleteOneTimeTokens(id);
  }

  async createSession(session: StoredSession): Promise<void> {
    // What the foreign key and the primary key do in SQL.
    if (!this.#byId.has(session.userId)) throw new Error("createSession: no user with this id");
    if (this.#sessions.has(session.id)) throw new Error("createSession: a session with this id exists");
    this.#sessions.set(session.id, copyOf(session));
    let ids = this.#sessionIdsByUser.get(session.userId);
    if (ids === undefined) {
      ids = new Set();
      this.#sessionIdsByUser.set(session.userId, ids);
    }
    ids.add(session.id);
  }

  async findSession(id: string): Promise<SessionWithUser | null> {
    const session = this.#sessions.get(id);
    if (session === undefined) return null;
    const user = this.#byId.get(session.userId);
    return user === undefined ? null : { session: copyOf(session), user: withoutHash(user) };
  }

  async listSessions(userId: string): Promise<StoredSession[]> {
    const sessions = [...(this.#sessionIdsByUser.get(userId) ?? [])].flatMap((id) => {
      const session = this.#sessions.get(id);
      return session === undefined ? [] : [copyOf(session)];
    });
    return sessions.sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
  }

  async deleteSession(id: string, userId: string): Promise<boolean> {
    const session = this.#sessions.get(id);
    if (session === undefined || session.userId !== userId) return false;
    this.#forget(session);
    return true;
  }

  async deleteUserSessions(userId: string, exceptId?: string): Promise<void> {
    for (const id of [...(this.#sessionIdsByUser.get(userId) ?? [])]) {
      if (id === exceptId) continue;
      const session = this.#sessions.get(id);
      if (session !== undefined) this.#forget(session);
    }
  }

  async deleteExpiredSessions(now: Date, userId?: string): Promise<number> {
    const candidates =
      userId === undefined
        ? [...this.#sessions.values()]
        : [...(this.#sessionIdsByUser.get(userId) ?? [])].flatMap((id) => this.#sessions.get(id) ?? []);
    let deleted = 0;
    for (const session of candidates) {
      if (session.expiresAt.getTime() > now.getTime()) continue;
      this.#forget(session);
      deleted += 1;
    }
    return deleted;
  }

  #forget(session: StoredSession): void {
    this.#sessions.delete(session.id);
    const ids = this.#sessionIdsByUser.get(session.userId);
    ids?.delete(session.id);
    if (ids?.size === 0) this.#sessionIdsByUser.delete(session.userId);
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

/** Callers get their own copies, as from a database: mutating a Date they hold changes nothing here. */
function copyOf(session: StoredSession): StoredSession {
  return {
    id: session.id,
    userId: session.userId,
    createdAt: new Date(session.createdAt.getTime()),
    expiresAt: new Date(session.expiresAt.getTime()),
  };
}
