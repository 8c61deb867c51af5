import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startExpressServer } from "./servers/express.js";

describeHttpConformance("@auth101/express", startExpressServer);
describeHttpFuzzing("@auth101/express", startExpressServer);
