import { describe, expect, it } from "vitest";
import { loadDemoConfig } from "./index.js";

const SECRET = { AUTH101_SECRET: "config-tests-secret-0123456789-abcdefghijklmnop" };

describe("loadDemoConfig: the email settings", () => {
  it("prints emails, builds links on the listening address and does not require verification by default", () => {
    expect(loadDemoConfig(SECRET)).toMatchObject({
      smtpUrl: undefined,
      appUrl: undefined,
      requireEmailVerification: false,
    });
  });

  it("reads SMTP_URL, APP_URL (without its trailing slash) and AUTH101_REQUIRE_EMAIL_VERIFICATION", () => {
    const config = loadDemoConfig({
      ...SECRET,
      SMTP_URL: "smtp://127.0.0.1:2525",
      APP_URL: "https://app.example.com/base/",
      AUTH101_REQUIRE_EMAIL_VERIFICATION: "true",
    });
    expect(config).toMatchObject({
      smtpUrl: "smtp://127.0.0.1:2525",
      appUrl: "https://app.example.com/base",
      requireEmailVerification: true,
    });
    expect(loadDemoConfig({ ...SECRET, AUTH101_REQUIRE_EMAIL_VERIFICATION: "false" }).requireEmailVerification).toBe(
      false,
    );
  });

  it("refuses an APP_URL that is not an http(s) URL and a verification flag that is not true or false", () => {
    expect(() => loadDemoConfig({ ...SECRET, APP_URL: "app.example.com" })).toThrow(/APP_URL must be an http\(s\) URL/);
    expect(() => loadDemoConfig({ ...SECRET, APP_URL: "ftp://app.example.com" })).toThrow(/APP_URL/);
    expect(() => loadDemoConfig({ ...SECRET, AUTH101_REQUIRE_EMAIL_VERIFICATION: "yes" })).toThrow(
      "AUTH101_REQUIRE_EMAIL_VERIFICATION must be true or false; got yes",
    );
  });
});

describe("loadDemoConfig: the secret", () => {
  it("takes AUTH101_SECRET alone, or followed by AUTH101_PREVIOUS_SECRETS (comma-separated, newest first)", () => {
    const current = SECRET.AUTH101_SECRET;
    expect(loadDemoConfig(SECRET).secret).toBe(current);
    expect(loadDemoConfig({ ...SECRET, AUTH101_PREVIOUS_SECRETS: "" }).secret).toBe(current);
    expect(
      loadDemoConfig({ ...SECRET, AUTH101_PREVIOUS_SECRETS: "older-0123456789-abcdefghijklmnopqrstu" }).secret,
    ).toEqual([current, "older-0123456789-abcdefghijklmnopqrstu"]);
    expect(loadDemoConfig({ ...SECRET, AUTH101_PREVIOUS_SECRETS: " b-secret , c-secret, " }).secret).toEqual([
      current,
      "b-secret",
      "c-secret",
    ]);
  });

  it("refuses AUTH101_PREVIOUS_SECRETS without AUTH101_SECRET", () => {
    expect(() => loadDemoConfig({ AUTH101_PREVIOUS_SECRETS: "older-0123456789-abcdefghijklmnopqrstu" })).toThrow(
      "AUTH101_PREVIOUS_SECRETS is set but AUTH101_SECRET is not",
    );
  });
});
