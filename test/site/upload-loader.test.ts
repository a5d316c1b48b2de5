// The create form's loader of "Your own picture": it resolves with the component the upload module sends,
// and otherwise rejects with the one message the form shows (retry, or pick a design), never waits forever:
// the upload page unreadable or naming no script, the script failing, or no component within the wait.
// The wait runs on an injected timer, so nothing here depends on the clock.
import { describe, expect, it } from "vitest";
import {
  loadUploadPicture,
  type UploadLoaderPage,
  uploadUnavailable,
  uploadWaitMs,
} from "../../site/islands/create/upload-loader.ts";

const pageHtml = '<html><script type="module" src="/_astro/upload.abc123.js"></script></html>';
const component = () => null;

/** A page whose upload module, once added, does what `module` says; its timers run only when fired. */
function fakePage(module: "sends" | "fails" | "stays silent", html = pageHtml, status = 200) {
  const events = new EventTarget();
  const timers: { run: () => void; ms: number }[] = [];
  const scripts: string[] = [];
  const page: UploadLoaderPage = {
    fetch: async () => new Response(html, { status }),
    addScript: (src, failed) => {
      scripts.push(src);
      queueMicrotask(() => {
        if (module === "fails") failed();
        if (module === "sends")
          events.dispatchEvent(new CustomEvent("goodgreets:upload-picture", { detail: component }));
      });
    },
    events,
    setTimeout: (run, ms) => timers.push({ run, ms }),
  };
  return { page, timers, scripts };
}

const reason = (error: unknown) => ({
  message: (error as Error).message,
  cause: String((error as Error).cause),
});

describe("loading the upload component", () => {
  it("resolves with the component the page's module sends", async () => {
    const { page, scripts } = fakePage("sends");
    expect(await loadUploadPicture(page)).toBe(component);
    expect(scripts).toEqual(["/_astro/upload.abc123.js"]);
  });

  it("rejects with the form's message when the module's script fails", async () => {
    const { page } = fakePage("fails");
    const error = await loadUploadPicture(page).catch(reason);
    expect(error).toEqual({ message: uploadUnavailable, cause: expect.stringMatching(/did not load/) });
  });

  it("rejects once the wait is over when the module loads but never sends its component", async () => {
    const { page, timers } = fakePage("stays silent");
    let settled: unknown;
    const loading = loadUploadPicture(page).then(
      () => "resolved",
      (error: unknown) => reason(error),
    );
    void loading.then((outcome) => {
      settled = outcome;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBeUndefined();
    expect(timers.map((timer) => timer.ms)).toEqual([uploadWaitMs]);
    timers[0]?.run();
    expect(await loading).toEqual({
      message: uploadUnavailable,
      cause: expect.stringMatching(/sent no component/),
    });
  });

  it("rejects when the upload page names no module script or cannot be read", async () => {
    for (const { page } of [
      fakePage("sends", "<html><p>No script here</p></html>"),
      fakePage("sends", pageHtml, 503),
      { page: { ...fakePage("sends").page, fetch: () => Promise.reject(new TypeError("Failed to fetch")) } },
    ]) {
      const error = await loadUploadPicture(page).catch(reason);
      expect(error).toMatchObject({ message: uploadUnavailable });
    }
  });

  it("tells the sender what to do: retry, or choose a design", () => {
    expect(uploadUnavailable).toMatch(/again/);
    expect(uploadUnavailable).toMatch(/designs/);
  });
});
