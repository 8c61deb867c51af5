import type { User } from "@auth101/core";

/** Where `Auth101Guard` leaves the signed-in user: `request.authUser`, as in @auth101/express. */
export interface RequestWithUser {
  authUser?: User;
}
