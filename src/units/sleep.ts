/**
 * Sleeps `ms`, or less when `signal` aborts; resolves either way (never rejects, unlike timers/promises) and
 * never leaves a listener on the signal, so a loop may sleep on one signal any number of times.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, Math.max(0, ms));
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}
