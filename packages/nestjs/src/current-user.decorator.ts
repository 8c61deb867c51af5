import type { User } from "@auth101/core";
import type { ExecutionContext } from "@nestjs/common";
import { createParamDecorator } from "@nestjs/common";
import type { RequestWithUser } from "./request-user.js";

const currentUser = createParamDecorator<keyof User | undefined, User | User[keyof User]>(
  (field: keyof User | undefined, context: ExecutionContext) => {
    const user = context.switchToHttp().getRequest<RequestWithUser>().authUser;
    if (user === undefined) {
      // Failing loudly beats handing a route `undefined` as if it were a user.
      throw new Error("auth101: @CurrentUser() needs Auth101Guard on the route (and the route must not be @Public())");
    }
    return field === undefined ? user : user[field];
  },
);

/**
 * The signed-in `User` (`{ id, email, isActive }`) that `Auth101Guard` let through, or one of
 * its fields: `@CurrentUser("email") email: string`.
 */
export function CurrentUser(field?: keyof User): ParameterDecorator {
  return field === undefined ? currentUser() : currentUser(field);
}
