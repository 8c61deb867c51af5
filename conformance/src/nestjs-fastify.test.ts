import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startNestFastifyServer } from "./servers/nestjs.js";

describeHttpConformance("@auth101/nestjs on Fastify", startNestFastifyServer);
describeHttpFuzzing("@auth101/nestjs on Fastify", startNestFastifyServer);
