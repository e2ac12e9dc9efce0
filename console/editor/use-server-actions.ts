/**
 * Save, publish, unpublish, versions and restore: the editor's conversations with the server,
 * and the state of their dialogs. Saving sends If-Match; a 412 opens the conflict dialog with
 * the server's draft, and every way out of it keeps both sides (see conflict-dialog.tsx).
 */
import { useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ApiClient } from '../api/client.ts';
import { failureText } from '../api/errors.ts';
import type { Mark } from './canvas-types.ts';
import type { View } from './editor-view.ts';
import * as server from './flow-api.ts';
import { diffFlows, type FlowDiff, unionForCompare } from './model/diff.ts';
import type { EditorApi } from './use-editor.ts';
import type { Side } from './versions-panel.tsx';

interface Options {
  api: ApiClient;
  flowId: string;
  ed: EditorApi;
  setView: (view: View) => void;
  setStatus: (text: string) => void;
}

export function compareMarks(diff: FlowDiff): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  for (const id of diff.moved) marks.set(id, 'moved');
  for (const id of diff.changed) marks.set(id, 'changed');
  for (const id of diff.added) marks.set(id, 'added');
  for (const id of diff.removed) marks.set(id, 'removed');
  return marks;
}

export function useServerActions({ api, flowId, ed, setView, setStatus }: Options) {
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<{
    theirs: server.LoadedDraft;
    showDiff: boolean;
  } | null>(null);
  const [publishing, setPublishing] = useState<{ diff: FlowDiff | null } | null>(null);
  const [unpublishing, setUnpublishing] = useState(false);
  const [versions, setVersions] = useState<server.VersionInfo[] | null>(null);

  const remember = (draft: server.LoadedDraft, doc: Flow) =>
    ed.saved({
      etag: draft.etag,
      revision: draft.revision,
      publishedVersion: draft.publishedVersion,
      saved: doc,
    });

  /** Saves `doc` (default: the present document); false when it did not save. */
  const save = async (etag: string | null = ed.server.etag): Promise<boolean> => {
    const doc = ed.flow;
    setBusy(true);
    const result = await server.saveDraft(api, flowId, doc, etag);
    setBusy(false);
    if (result.ok) {
      remember(result.data, doc);
      setConflict(null);
      setStatus(`Saved (revision ${result.data.revision})`);
      return true;
    }
    if (result.failure.status === 412) {
      const theirs = await server.loadDraft(api, flowId);
      if (theirs.ok) setConflict({ theirs: theirs.data, showDiff: false });
      setStatus('Not saved: someone else saved this flow meanwhile');
      return false;
    }
    setStatus(`Not saved: ${failureText(result.failure)}`);
    return false;
  };

  const saveIfDirty = async () => (ed.dirty ? save() : true);

  const refreshVersions = async () => {
    const r = await server.listVersions(api, flowId);
    if (r.ok) setVersions(r.data);
    else setStatus(`Could not list versions: ${failureText(r.failure)}`);
  };

  return {
    busy,
    conflict,
    publishing,
    unpublishing,
    versions,
    save: () => save(),
    saveIfDirty,
    refreshVersions,
    closeDialogs: () => {
      setPublishing(null);
      setConflict(null);
    },
    /** Conflict: take theirs as an undoable step, so Undo brings ours back. */
    reloadTheirs: () => {
      if (!conflict) return;
      const { theirs } = conflict;
      ed.edit(() => theirs.flow, { label: 'Reload from the server' });
      remember(theirs, theirs.flow);
      setConflict(null);
      setStatus('Reloaded their version; Undo brings yours back');
    },
    /** Conflict: save ours over theirs (only over the version we just saw). */
    overwrite: async () => {
      if (!conflict) return;
      await save(conflict.theirs.etag);
    },
    showConflictDiff: () => conflict && setConflict({ ...conflict, showDiff: true }),
    conflictDiff: conflict ? diffFlows(conflict.theirs.flow, ed.flow) : null,
    openPublish: async () => {
      let diff: FlowDiff | null = null;
      const live = ed.server.publishedVersion;
      if (live !== null) {
        const r = await server.loadVersion(api, flowId, live);
        if (r.ok) diff = diffFlows(r.data, ed.flow);
      }
      setPublishing({ diff });
    },
    publish: async (note: string) => {
      if (!(await saveIfDirty())) {
        setPublishing(null);
        return;
      }
      setBusy(true);
      const r = await server.publish(api, flowId, note);
      setBusy(false);
      setPublishing(null);
      if (!r.ok) return setStatus(`Not published: ${failureText(r.failure)}`);
      ed.saved({ ...ed.server, publishedVersion: r.data.version, saved: ed.flow });
      setStatus(`Published version ${r.data.version}`);
      void refreshVersions();
    },
    askUnpublish: () => setUnpublishing(true),
    cancelUnpublish: () => setUnpublishing(false),
    unpublish: async () => {
      setUnpublishing(false);
      const r = await server.unpublish(api, flowId);
      if (!r.ok) return setStatus(`Not unpublished: ${failureText(r.failure)}`);
      ed.saved({ ...ed.server, publishedVersion: null });
      setStatus('Unpublished: the flow no longer runs; running conversations were cancelled');
    },
    openVersion: async (version: number) => {
      const r = await server.loadVersion(api, flowId, version);
      if (!r.ok) return setStatus(`Could not open version ${version}: ${failureText(r.failure)}`);
      setView({ kind: 'version', version, flow: r.data });
      setStatus(`Showing version ${version}, read-only`);
    },
    compare: async (from: Side, to: Side) => {
      const load = async (side: Side) => {
        if (side === 'draft') return ed.flow;
        const r = await server.loadVersion(api, flowId, side);
        return r.ok ? r.data : null;
      };
      const [before, after] = await Promise.all([load(from), load(to)]);
      if (!before || !after) return setStatus('Could not load both sides');
      showCompare(before, after, `${label(from)} → ${label(to)}`);
    },
    compareConflict: () => {
      if (!conflict) return;
      showCompare(conflict.theirs.flow, ed.flow, 'Their saved draft → your draft');
      setConflict({ ...conflict, showDiff: true });
    },
    restore: async (version: number) => {
      setBusy(true);
      const r = await server.restoreVersion(api, flowId, version, ed.server.etag);
      setBusy(false);
      if (!r.ok) {
        if (r.failure.status === 412) {
          const theirs = await server.loadDraft(api, flowId);
          if (theirs.ok) setConflict({ theirs: theirs.data, showDiff: false });
        }
        return setStatus(`Not restored: ${failureText(r.failure)}`);
      }
      // An undoable step: whatever the draft held before is one Undo away.
      ed.edit(() => r.data.flow, { label: `Restore version ${version}` });
      remember(r.data, r.data.flow);
      setView({ kind: 'edit' });
      setStatus(`Restored version ${version} into the draft`);
    },
  };

  function showCompare(before: Flow, after: Flow, title: string) {
    const diff = diffFlows(before, after);
    setView({
      kind: 'compare',
      title: `Comparing ${title}`,
      flow: unionForCompare(before, after),
      marks: compareMarks(diff),
      diff,
    });
  }
}

const label = (side: Side) => (side === 'draft' ? 'draft' : `version ${side}`);

export type ServerActions = ReturnType<typeof useServerActions>;
