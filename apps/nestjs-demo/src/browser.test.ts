import { describeDemoInBrowser } from "@auth101/demo-support/testing/browser";
import { createApp } from "./main.js";

describeDemoInBrowser("nestjs-demo", {
  serveInProcess: async (options) => {
    const app = await createApp(options, false);
    await app.listen(0, "127.0.0.1");
    return { url: await app.getUrl(), close: () => app.close() };
  },
});
