// Loads "Your own picture" on demand, without import(): Vite 8 wraps every import() in its module preload
// helper (about 0.9 KB gzipped, whatever build.modulePreload says), which alone would put the create page
// over its 15 KB of JavaScript. The upload code is the script of its own page, /create/picture/; its module
// URL is read from that page, and the module, once run, hands over its component in an event. It shares no
// module with the create page but Preact's own files, so both run on one Preact, and adding it moves no code
// of the other pages between chunks.
import type { ComponentType } from "preact";
import { ownPictureLabel } from "./own-picture.ts";
import type { UploadPictureProps } from "./upload-picture.ts";

type UploadPicture = ComponentType<UploadPictureProps>;

/** What the form shows when the upload cannot load: choosing the option again loads it afresh. */
export const uploadUnavailable = `Your own picture could not be loaded just now. Choose “${ownPictureLabel}” again to retry, or pick one of our designs.`;

/** How long the form waits for the module, once added, to hand over its component. */
export const uploadWaitMs = 20_000;

/** The page around the loader; the browser's by default, fakes in tests. */
export interface UploadLoaderPage {
  fetch: (path: string) => Promise<Response>;
  /** Adds a module script; `failed` runs if it does not load or run. */
  addScript: (src: string, failed: () => void) => void;
  /** Where the module's event arrives. */
  events: EventTarget;
  setTimeout: (run: () => void, ms: number) => unknown;
}

const browserPage = (): UploadLoaderPage => ({
  fetch: (path) => fetch(path),
  addScript: (src, failed) => {
    const script = document.createElement("script");
    script.type = "module";
    script.src = src;
    script.onerror = failed;
    document.head.append(script);
  },
  events: window,
  setTimeout: (run, ms) => setTimeout(run, ms),
});

/**
 * The upload component: its page names its module, which sends it in the event upload-entry.ts names.
 * Rejects with `uploadUnavailable` (the reason as its cause) when the page cannot be had, names no
 * script, the script fails, or the component does not arrive within `uploadWaitMs`.
 */
export async function loadUploadPicture(page: UploadLoaderPage = browserPage()): Promise<UploadPicture> {
  const unavailable = (reason: string) => new Error(uploadUnavailable, { cause: reason });
  const html = await page
    .fetch("/create/picture/")
    .then((response) => (response.ok ? response.text() : Promise.reject(`it answered ${response.status}`)))
    .catch((error: unknown) => {
      throw unavailable(`the upload page could not be read: ${error}`);
    });
  const src = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
  if (!src) throw unavailable("the upload page names no module script");
  return new Promise((resolve, reject) => {
    const arrived = (event: Event) => resolve((event as CustomEvent<UploadPicture>).detail);
    const fail = (reason: string) => {
      page.events.removeEventListener("goodgreets:upload-picture", arrived);
      reject(unavailable(reason));
    };
    page.events.addEventListener("goodgreets:upload-picture", arrived, { once: true });
    page.addScript(src, () => fail(`the module ${src} did not load`));
    // A settled promise ignores the late reject: nothing to clear once the component arrived.
    page.setTimeout(() => fail(`the module ${src} sent no component in ${uploadWaitMs} ms`), uploadWaitMs);
  });
}
