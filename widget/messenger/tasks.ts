/**
 * Main-thread budget helpers: the messenger splits its start-up into short tasks (each well
 * under the 50 ms long-task line at 4x CPU throttling) so the host page stays responsive.
 */

/** Runs `fn` in a later task of its own (after input and rendering the browser has queued). */
export function nextTask(fn: () => void): void {
  setTimeout(fn, 0);
}
