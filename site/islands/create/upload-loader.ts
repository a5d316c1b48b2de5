// Loads "Your own picture" on demand, without import(): Vite 8 wraps every import() in its module preload
// helper (about 0.9 KB gzipped, whatever build.modulePreload says), which alone would put the create page
// over its 15 KB of JavaScript. The upload code is the script of its own page, /create/picture/; its module
// URL is read from that page, and the module, once run, hands over its component in an event. It shares no
// module with the create page but Preact's own files, so both run on one Preact, and adding it moves no code
// of the other pages between chunks.
import type { ComponentType } from "preact";
import type { UploadPictureProps } from "./upload-picture.ts";

type UploadPicture = ComponentType<UploadPictureProps>;

/** The upload component: its page names its module, which sends it in the event upload-entry.ts names. */
export async function loadUploadPicture(): Promise<UploadPicture> {
  const html = await (await fetch("/create/picture/")).text();
  const script = document.createElement("script");
  script.type = "module";
  script.src = /<script type="module" src="([^"]+)"/.exec(html)?.[1] ?? "";
  return new Promise((resolve, reject) => {
    addEventListener("goodgreets:upload-picture", (event) => resolve((event as CustomEvent).detail), {
      once: true,
    });
    script.onerror = reject;
    document.head.append(script);
  });
}
