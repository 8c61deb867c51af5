import type { User } from "@auth101/core";
import { Auth101Guard, CurrentUser } from "@auth101/nestjs";
import { Controller, Get, UseGuards } from "@nestjs/common";

@Controller("me")
export class MeController {
  @Get()
  @UseGuards(Auth101Guard)
  me(@CurrentUser() user: User): { id: string; email: string } {
    return { id: user.id, email: user.email };
  }
}
