/**
 * Undo/redo over whole documents (commands are pure, so every state is a value and structural
 * sharing keeps snapshots cheap). Typing is grouped: an edit with the same `group` as the
 * previous one, within `GROUP_WINDOW_MS` and before `seal()` (field blur), replaces the top
 * step instead of adding one. Bounded: at most `MAX_STEPS` undo steps are kept.
 */
export const MAX_STEPS = 200;
export const GROUP_WINDOW_MS = 1500;

export interface Step<T> {
  doc: T;
  /** What the step did, for "Undo move" style labels and tests. */
  label: string;
}

export interface History<T> {
  past: Step<T>[];
  present: Step<T>;
  future: Step<T>[];
  /** Grouping key and time of the last edit; null once sealed. */
  open: { group: string; at: number } | null;
}

export function createHistory<T>(doc: T, label = 'Open'): History<T> {
  return { past: [], present: { doc, label }, future: [], open: null };
}

export interface EditOptions {
  label: string;
  /** Edits sharing a group (e.g. `node:greet:text`) merge while typing. */
  group?: string;
  now?: number;
}

/** Records `doc` as the next state. No-op when the document did not change. */
export function record<T>(history: History<T>, doc: T, options: EditOptions): History<T> {
  if (doc === history.present.doc) return history;
  const now = options.now ?? Date.now();
  const step = { doc, label: options.label };
  const { open } = history;
  if (options.group && open && open.group === options.group && now - open.at < GROUP_WINDOW_MS) {
    return { ...history, present: step, future: [], open: { group: options.group, at: now } };
  }
  const past = [...history.past, history.present];
  if (past.length > MAX_STEPS) past.splice(0, past.length - MAX_STEPS);
  return {
    past,
    present: step,
    future: [],
    open: options.group ? { group: options.group, at: now } : null,
  };
}

/** Ends the current typing group (a field lost focus): the next edit is a new step. */
export function seal<T>(history: History<T>): History<T> {
  return history.open ? { ...history, open: null } : history;
}

export const canUndo = <T>(history: History<T>): boolean => history.past.length > 0;
export const canRedo = <T>(history: History<T>): boolean => history.future.length > 0;

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (!previous) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    open: null,
  };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (!next) return history;
  return { past: [...history.past, history.present], present: next, future: rest, open: null };
}

/** Replaces the document without an undo step (after a save or a reload from the server). */
export function reset<T>(doc: T, label = 'Open'): History<T> {
  return createHistory(doc, label);
}
