import { createRequire } from "node:module";

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * Whether a password is on the `popular-passwords` list (about 41,000 passwords of 8+
 * characters from zxcvbn's frequency lists), compared case-insensitively. The list is loaded
 * into a Set on first use, once per process, from the installed package: no network.
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= loadCommonPasswords();
  return commonPasswords.has(password.toLowerCase());
}

function loadCommonPasswords(): ReadonlySet<string> {
  const require = createRequire(import.meta.url);
  const list = require("popular-passwords") as readonly string[];
  return new Set(list.map((password) => password.toLowerCase()));
}
