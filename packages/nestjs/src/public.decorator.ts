import type { CustomDecorator } from "@nestjs/common";
import { SetMetadata } from "@nestjs/common";

export const IS_PUBLIC_KEY = "auth101:public";

/**
 * Lets everyone through `Auth101Guard` on this route (or every route of this controller):
 * for when the guard is global (`APP_GUARD`) and a few routes are not.
 */
export function Public(): CustomDecorator<string> {
  return SetMetadata(IS_PUBLIC_KEY, true);
}
