/**
 * Gives the main thread back (input, rendering) and resumes in a later task: what the console
 * does between the slices of a long piece of work, so that none is one long task.
 * `scheduler.yield` (Chromium) resumes ahead of other queued tasks; elsewhere a timeout.
 */
export function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}
