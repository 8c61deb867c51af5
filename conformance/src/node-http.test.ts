import { describeHttpConformance, describeHttpFuzzing, startReferenceServer } from "@auth101/testing";

describeHttpConformance("bare node:http", startReferenceServer);
describeHttpFuzzing("bare node:http", startReferenceServer);
