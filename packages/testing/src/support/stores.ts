// Stores that misbehave.
import type { NewUser, StoredOneTimeToken, StoredUser, User, UserStore } from "@auth101/core";

/** A store whose database is down: every call rejects. */
export class FailingStore implements UserStore {
  static readonly MESSAGE = "connect ECONNREFUSED 10.0.0.1:5432 (secret-db-host)";

  async findById(): Promise<User | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async findByEmail(): Promise<StoredUser | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async create(_user: NewUser): Promise<User> {
    throw new Error(FailingStore.MESSAGE);
  }

  async updatePasswordHash(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async replaceOneTimeToken(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async consumeOneTimeToken(): Promise<StoredOneTimeToken | null> {
    throw new Error(FailingStore.MESSAGE);
  }

  async deleteOneTimeTokens(): Promise<void> {
    throw new Error(FailingStore.MESSAGE);
  }

  async markEmailVerified(): Promise<boolean> {
    throw new Error(FailingStore.MESSAGE);
  }
}

/** A buggy store that resolves `undefined` where it owes a user: the core must answer 500, not crash. */
export class BrokenStore implements UserStore {
  async findById(): Promise<User | null> {
    return undefined as unknown as User | null;
  }

  async findByEmail(): Promise<StoredUser | null> {
    return undefined as unknown as StoredUser | null;
  }

  async create(_user: NewUser): Promise<User> {
    return undefined as unknown as User;
  }

  async updatePasswordHash(): Promise<void> {}

  async replaceOneTimeToken(): Promise<void> {}

  async consumeOneTimeToken(): Promise<StoredOneTimeToken | null> {
    return undefined as unknown as StoredOneTimeToken | null;
  }

  async deleteOneTimeTokens(): Promise<void> {}

  async markEmailVerified(): Promise<boolean> {
    return undefined as unknown as boolean;
  }
}
