import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startKoaServer } from "./servers/koa.js";

describeHttpConformance("@auth101/koa", startKoaServer);
describeHttpFuzzing("@auth101/koa", startKoaServer);
