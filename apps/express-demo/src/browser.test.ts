import { Auth101 } from "@auth101/core";
import { listenOnLoopback } from "@auth101/testing";
import { describeDemoInBrowser } from "@auth101/demo-support/testing/browser";
import { createApp } from "./main.js";

describeDemoInBrowser("express-demo", {
  serveInProcess: (options) => listenOnLoopback(createApp(new Auth101(options))),
});
