import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startExpressServerBehindJsonParser } from "./servers/express.js";

describeHttpConformance("@auth101/express behind express.json()", startExpressServerBehindJsonParser);
describeHttpFuzzing("@auth101/express behind express.json()", startExpressServerBehindJsonParser);
