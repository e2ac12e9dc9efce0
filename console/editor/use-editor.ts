/**
 * The editor's state: the undo history of the flow document, the selection and what the
 * server last gave us (ETag, published version). Every edit goes through `edit`, so every kind
 * of change (canvas, inspector, keyboard, paste, tidy-up) is one undo step.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import { yieldToMain } from '../yield-to-main.ts';
import {
  createHistory,
  type EditOptions,
  type History,
  record,
  redo,
  reset,
  seal,
  undo,
} from './model/history.ts';
import { type Problem, parsedProblemsInSlices, problemsOf } from './model/problems.ts';

const NO_PROBLEMS: Problem[] = [];

export interface ServerState {
  etag: string;
  revision: number;
  publishedVersion: number | null;
  /** The document as last loaded or saved: unsaved = the present document differs. */
  saved: Flow;
}

export function useEditor(initial: Flow, server: ServerState, parsed = false) {
  const [history, setHistory] = useState<History<Flow>>(() => createHistory(initial));
  const [selection, setSelection] = useState<string[]>([]);
  const [serverState, setServerState] = useState(server);
  const flow = history.present.doc;

  const edit = useCallback(
    (change: (flow: Flow) => Flow, options: Omit<EditOptions, 'now'>) =>
      setHistory((h) => record(h, change(h.present.doc), options)),
    [],
  );
  // The first check runs after the first render, spread over tasks for a draft the flow
  // schema already parsed on load (`parsed`: it is not parsed again); every later edit is
  // checked as it happens.
  // A first check that threw leaves `flow: null`: every render then checks as it happens (and
  // the error, if it comes again, reaches the error boundary) instead of showing no problems.
  const [first, setFirst] = useState<{ flow: Flow | null; problems: Problem[] } | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      await yieldToMain();
      try {
        const problems = parsed ? await parsedProblemsInSlices(initial) : problemsOf(initial);
        if (live) setFirst({ flow: initial, problems });
      } catch (error) {
        console.error('[edgepilot] first flow check failed', error);
        if (live) setFirst({ flow: null, problems: [] });
      }
    })();
    return () => {
      live = false;
    };
  }, []);
  const problems = useMemo(
    () => (!first ? NO_PROBLEMS : first.flow === flow ? first.problems : problemsOf(flow)),
    [flow, first],
  );

  return {
    flow,
    history,
    problems,
    selection,
    select: setSelection,
    server: serverState,
    edit,
    undo: useCallback(() => setHistory(undo), []),
    redo: useCallback(() => setHistory(redo), []),
    /** A field lost focus: typing after this is a new undo step. */
    seal: useCallback(() => setHistory(seal), []),
    /** Loaded from the server (reload, restore): a fresh history. */
    replace: useCallback((doc: Flow, next: ServerState) => {
      setHistory(reset(doc));
      setServerState(next);
    }, []),
    /** Saved: keep the history, remember the new ETag and saved document. */
    saved: useCallback((next: ServerState) => setServerState(next), []),
    dirty: flow !== serverState.saved,
  };
}

export type EditorApi = ReturnType<typeof useEditor>;
