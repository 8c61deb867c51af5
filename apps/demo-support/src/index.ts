// The demos' shared setup: configuration and store (demo-config.ts), the mailer (mail.ts, which
// builds on demo-config.ts), the Node server around an app (node-server.ts, which builds on
// both; imports run one way).
export type { DemoConfig } from "./demo-config.js";
export { DEFAULT_DATABASE_URL, loadDemoConfig, openDemoStore } from "./demo-config.js";
export { messageOf, serveDemo, startIfEntryPoint } from "./node-server.js";
export {
  accountEmails,
  createDemoMailer,
  DEMO_MAIL_FROM,
  demoEmailOptions,
  describeMailDelivery,
} from "./mail.js";
export type { AccountEmail, DemoEmail, DemoMailer } from "./mail.js";
export { CONTENT_SECURITY_POLICY, PAGE_PATHS, pageAnswer, servePage } from "./page.js";
export type { PageAnswer } from "./page.js";
