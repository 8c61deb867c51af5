/**
 * Recognizes "the email is already taken" among the errors a PrismaClient can throw from
 * `create`, without `instanceof`: a bring-your-own client may come from another copy of Prisma.
 *
 * What Prisma 7 throws (checked against @prisma/adapter-pg, -mariadb and -libsql): a
 * PrismaClientKnownRequestError with code P2002 and, in `meta.driverAdapterError.cause`,
 * `{ kind: "UniqueConstraintViolation", constraint: { index } | { fields } }`. Older engines
 * put the constraint in `meta.target` instead. The raw adapter error and the drivers' own codes
 * (PostgreSQL 23505, MySQL 1062, SQLite 2067/1555) are recognized too, in case a client
 * extension or a future version lets one through unwrapped.
 *
 * A violation of the primary key is not an email conflict (ids are random UUIDs, so it cannot
 * realistically happen); it propagates like any other database error.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; isObject(current) && depth < 5; current = current["cause"], depth++) {
    const constraint = uniqueViolationConstraint(current);
    if (constraint !== undefined) return !isPrimaryKey(constraint);
  }
  return false;
}

type Constraint = { readonly index?: string; readonly fields?: readonly string[] } | null;

/** The violated constraint (null when unknown), or undefined when `error` is no unique violation. */
function uniqueViolationConstraint(error: Record<string, unknown>): Constraint | undefined {
  if (error["code"] === "P2002") {
    const meta = isObject(error["meta"]) ? error["meta"] : {};
    const adapterCause = isObject(meta["driverAdapterError"]) ? meta["driverAdapterError"]["cause"] : undefined;
    if (isObject(adapterCause)) return constraintOf(adapterCause);
    const target = meta["target"];
    if (typeof target === "string") return { index: target };
    if (Array.isArray(target)) return { fields: target.filter((field) => typeof field === "string") };
    return null;
  }
  if (error["kind"] === "UniqueConstraintViolation") return constraintOf(error);
  if (
    error["name"] === "DriverAdapterError" &&
    isObject(error["cause"]) &&
    error["cause"]["kind"] === "UniqueConstraintViolation"
  ) {
    return constraintOf(error["cause"]);
  }
  const driverCode = error["code"] ?? error["errno"] ?? error["rawCode"];
  if (driverCode === "23505" || driverCode === 1062 || driverCode === 2067 || driverCode === 1555) {
    return typeof error["constraint"] === "string" ? { index: error["constraint"] } : null;
  }
  if (driverCode === "SQLITE_CONSTRAINT_UNIQUE" || driverCode === "SQLITE_CONSTRAINT_PRIMARYKEY") return null;
  return undefined;
}

function constraintOf(cause: Record<string, unknown>): Constraint {
  const constraint = cause["constraint"];
  if (!isObject(constraint)) return null;
  const index = typeof constraint["index"] === "string" ? constraint["index"] : undefined;
  const fields = Array.isArray(constraint["fields"])
    ? constraint["fields"].filter((field) => typeof field === "string")
    : undefined;
  return { ...(index === undefined ? {} : { index }), ...(fields === undefined ? {} : { fields }) };
}

function isPrimaryKey(constraint: Constraint): boolean {
  if (constraint === null) return false;
  if (constraint.index !== undefined) return constraint.index === "PRIMARY" || constraint.index.endsWith("_pkey");
  return constraint.fields?.length === 1 && constraint.fields[0] === "id";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
