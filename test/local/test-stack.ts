// One local stack for a test file: free ports, the run's shared site build (built once by the global
// setup) and a temporary data folder.
import { inject } from "vitest";
import { type StackOptions, startTempStack, type TempStack } from "./temp-stack.ts";

export type TestStack = TempStack;

export function startTestStack(name: string, options: StackOptions = {}): Promise<TestStack> {
  return startTempStack(name, inject("siteFolder"), options);
}
