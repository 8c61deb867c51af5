import type { User } from "@auth101/core";
import type { ExecutionContext } from "@nestjs/common";
import { createParamDecorator } from "@nestjs/common";
import type { RequestWithUser } from "./request-user.js";

interface CurrentUserData {
  readonly field: keyof User | undefined;
  readonly optional: boolean;
}

const currentUser = createParamDecorator<CurrentUserData, User | User[keyof User] | undefined>(
  (data: CurrentUserData, context: ExecutionContext) => {
    const user = context.switchToHttp().getRequest<RequestWithUser>().authUser;
    if (user === undefined) {
      if (data.optional) return undefined;
      // Failing loudly beats handing a route `undefined` as if it were a user.
      throw new Error(
        "auth101: @CurrentUser() needs Auth101Guard on the route; on a @Public() route use @CurrentUser({ optional: true })",
      );
    }
    return data.field === undefined ? user : user[data.field];
  },
);

export interface CurrentUserOptions {
  /** Hand the route `undefined` when no one is signed in (for `@Public()` routes) instead of failing. */
  readonly optional?: boolean;
}

/**
 * The signed-in `User` (`{ id, email, isActive, emailVerified }`) that `Auth101Guard` let
 * through, or one of its fields: `@CurrentUser("email") email: string`. On a `@Public()` route
 * the guard attaches the user when a valid session comes along:
 * `@CurrentUser({ optional: true }) user: User | undefined`.
 */
export function CurrentUser(fieldOrOptions?: keyof User | CurrentUserOptions): ParameterDecorator {
  if (typeof fieldOrOptions === "object")
    return currentUser({ field: undefined, optional: fieldOrOptions.optional === true });
  return currentUser({ field: fieldOrOptions, optional: false });
}
