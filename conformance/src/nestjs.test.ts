import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startNestServer } from "./servers/nestjs.js";

describeHttpConformance("@auth101/nestjs", startNestServer);
describeHttpFuzzing("@auth101/nestjs", startNestServer);
