// Runs axe-core in a page and fails with a readable list of the accessibility violations it finds.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AxeResults, Result } from "axe-core";
import type { Page } from "playwright-core";

const axeSourcePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource: Promise<string> | undefined;

/** One line per violation and per offending element, with the rule's help text and its link. */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes.map(
        (node) => `    ${node.target.join(" ")}: ${node.failureSummary ?? ""}`,
      );
      return [
        `- ${violation.id} (${violation.impact}): ${violation.help} <${violation.helpUrl}>`,
        ...nodes,
      ].join("\n");
    })
    .join("\n");
}

/**
 * Checks the page as it is now. axe is evaluated through the DevTools protocol rather than added as a
 * <script> tag: the pages' CSP (`script-src 'self'`) rightly refuses an inline script, and the tests
 * keep that CSP on to prove it holds.
 */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  axeSource ??= readFile(axeSourcePath, "utf8");
  const source = await axeSource;
  const alreadyThere = await page.evaluate(() => "axe" in window);
  if (!alreadyThere) await page.evaluate(source);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run(),
  )) as AxeResults;
  if (results.violations.length > 0) {
    throw new Error(
      `axe found accessibility violations on ${label}:\n${describeViolations(results.violations)}`,
    );
  }
}
