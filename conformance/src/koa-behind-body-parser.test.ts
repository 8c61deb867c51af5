import { describeHttpConformance, describeHttpFuzzing } from "@auth101/testing";
import { startKoaServerBehindBodyParser } from "./servers/koa.js";

describeHttpConformance("@auth101/koa behind @koa/bodyparser", startKoaServerBehindBodyParser);
describeHttpFuzzing("@auth101/koa behind @koa/bodyparser", startKoaServerBehindBodyParser);
