import { describeHttpConformance, describeHttpFuzzing } from "@auth101/core/testing";
import { startNodeHttpServer } from "./servers/node-http.js";

describeHttpConformance("bare node:http", startNodeHttpServer);
describeHttpFuzzing("bare node:http", startNodeHttpServer);
