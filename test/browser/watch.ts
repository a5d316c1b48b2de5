// Watches a browser context for what must never happen: an unexpected dialog (an injected alert), a CSP violation,
// an uncaught page error; and records every request line and Referer, to search them for secrets.
import type { BrowserContext } from "playwright-core";

export interface ContextWatch {
  readonly dialogs: string[];
  readonly cspViolations: string[];
  readonly pageErrors: string[];
  readonly consoleErrors: string[];
  /** `METHOD URL` of every request the pages made, and each Referer sent. */
  readonly requestLines: string[];
  /** Every `x-organiser-secret` header value sent: the one place the organiser secret may travel. */
  readonly organiserSecretHeaders: string[];
}

declare global {
  interface Window {
    reportCspViolation?: (line: string) => Promise<void>;
  }
}

export async function watchContext(context: BrowserContext): Promise<ContextWatch> {
  const watch: ContextWatch = {
    dialogs: [],
    cspViolations: [],
    pageErrors: [],
    consoleErrors: [],
    requestLines: [],
    organiserSecretHeaders: [],
  };
  // The binding and the listener run through the DevTools protocol, before any page script, so the
  // pages' CSP does not stop them; the console message Chromium also logs is caught below as well.
  await context.exposeBinding("reportCspViolation", ({ page }, line: string) => {
    watch.cspViolations.push(`${page.url()}: ${line}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      void window.reportCspViolation?.(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
  context.on("page", (page) => {
    // The pages ask before anything destructive (window.confirm): a test that clicks such a button means
    // yes. Every dialog is recorded, so a test can assert it saw exactly the confirms it caused.
    page.on("dialog", (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void (dialog.type() === "confirm" ? dialog.accept() : dialog.dismiss());
    });
    page.on("pageerror", (error) => watch.pageErrors.push(`${page.url()}: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = `${page.url()}: ${message.text()}`;
      (/Content Security Policy/i.test(message.text()) ? watch.cspViolations : watch.consoleErrors).push(
        text,
      );
    });
  });
  context.on("request", (request) => {
    watch.requestLines.push(`${request.method()} ${request.url()}`);
    const referer = request.headers().referer;
    if (referer !== undefined) watch.requestLines.push(`Referer: ${referer}`);
    const organiserSecret = request.headers()["x-organiser-secret"];
    if (organiserSecret !== undefined) watch.organiserSecretHeaders.push(organiserSecret);
  });
  return watch;
}
