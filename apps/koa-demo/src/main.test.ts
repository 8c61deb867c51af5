import { Auth101 } from "@auth101/core";
import { listenOnLoopback } from "@auth101/testing";
import { describeDemoApp } from "@auth101/demo-support/testing";
import { createApp } from "./main.js";

describeDemoApp("koa-demo", {
  builtMain: new URL("../dist/main.js", import.meta.url),
  serveInProcess: (options) => listenOnLoopback(createApp(new Auth101(options)).callback()),
});
