// A cap on the request bytes the stand-in holds in memory at once (XML documents, policies, form fields):
// object bodies stream to disk, and these small bodies share one budget, so many slow clients cannot grow memory.

export class BufferBudget {
  private available: number;

  constructor(totalBytes: number) {
    this.available = totalBytes;
  }

  /** Reserves `bytes` up front; undefined when the budget is spent (the caller answers 503 SlowDown). */
  reserve(bytes: number): (() => void) | undefined {
    if (bytes > this.available) return undefined;
    this.available -= bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.available += bytes;
    };
  }
}
