// Starts Debian's Chromium (apt package `chromium`, installed by .ci/run) headless through playwright-core.
import { access, constants } from "node:fs/promises";
import { type Browser, chromium } from "playwright-core";

/** Debian's package installs the browser here; playwright-core's own downloaded builds are not used. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  try {
    await access(chromiumPath, constants.X_OK);
  } catch (error) {
    throw new Error(
      `No Chromium at ${chromiumPath} (${(error as NodeJS.ErrnoException).code}): ` +
        "install Debian's package (`apt-get install -y chromium`, as .ci/run does) " +
        "or point CHROMIUM_PATH at a Chromium binary.",
    );
  }
  // --no-sandbox: the tests run as root in CI, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
}
