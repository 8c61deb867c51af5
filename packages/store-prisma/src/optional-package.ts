/**
 * Loads a package the user installs only for the database they use (a driver adapter, or
 * @prisma/client itself), turning "module not found" into an error that says what to install.
 */
export async function importOptionalPackage<Module>(
  packageName: string,
  load: () => Promise<Module>,
  neededFor: string,
): Promise<Module> {
  try {
    return await load();
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    throw new Error(
      `${neededFor} needs the "${packageName}" package, which could not be loaded. ` +
        `Install it next to @auth101/store-prisma (npm install ${packageName}), ` +
        "in the same version as your @prisma/client.",
      { cause: error },
    );
  }
}

function isModuleNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return true;
  // Bundlers and test runners word it their own way.
  return typeof message === "string" && /cannot find (package|module)|failed to (load|resolve)/i.test(message);
}
