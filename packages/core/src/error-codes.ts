/** A code is an identifier; anything else in a `code` field is not printed. */
const SAFE_CODE = /^[A-Za-z0-9_]{1,64}$/;
const MAX_CODES = 4;

/**
 * The error codes along an error's `cause` chain, an AggregateError's `errors` and Prisma's
 * `meta.driverAdapterError` (whose `cause` holds the mapped driver error: `kind`, `code`,
 * `originalCode`), outermost first, without repeats. Only `code`/`kind`-like fields are read,
 * never `message`, `sqlMessage` or a string `cause`.
 */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const add = (value: unknown): void => {
    const code = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
    if (typeof code === "string" && SAFE_CODE.test(code) && !codes.includes(code)) codes.push(code);
  };
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return;
    seen.add(value);
    const fields = value as Record<string, unknown>;
    add(fields["code"]);
    add(fields["kind"]);
    add(fields["originalCode"]);
    const meta = fields["meta"];
    if (typeof meta === "object" && meta !== null)
      visit((meta as Record<string, unknown>)["driverAdapterError"], depth + 1);
    visit(fields["cause"], depth + 1);
    const errors = fields["errors"];
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes.slice(0, MAX_CODES);
}
