import { describeHttpConformance } from "@auth101/core/testing";
import { startExpressServer, startExpressServerBehindJsonParser } from "./servers/express.js";

describeHttpConformance("@auth101/express", startExpressServer);
describeHttpConformance("@auth101/express behind express.json()", startExpressServerBehindJsonParser);
