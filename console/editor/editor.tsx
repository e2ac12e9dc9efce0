/**
 * The flow editor: toolbar, palette, canvas (or outline), and the side panels. Holds what the
 * page is showing (the draft, a read-only version, or a comparison) and wires every user action
 * to a pure command from model/ through the undo history.
 */
import type { ReactFlowInstance } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Flow, FlowNode, NodeType } from '../../shared/flow/schema.ts';
import { useApi } from '../api/context.ts';
import { scopeVariables } from '../forms/index.ts';
import { AddStepDialog, StepTypeList } from './add-step-dialog.tsx';
import { Canvas, FIT_ALL } from './canvas.tsx';
import type { CanvasNode, Mark, PortEdge } from './canvas-types.ts';
import { ChangesList } from './changes-list.tsx';
import type { View } from './editor-view.ts';
import type { LoadedDraft } from './flow-api.ts';
import { FlowPanels } from './flow-panels.tsx';
import { NodeInspector } from './inspector/node-inspector.tsx';
import { TriggerInspector } from './inspector/trigger-inspector.tsx';
import { LiveCountsState, LiveList, useLiveCounts } from './live-counts.tsx';
import { copyText, pasteText } from './model/clipboard.ts';
import {
  addNode,
  connect,
  deleteNodes,
  disconnect,
  findNode,
  insertAfter,
  moveNodes,
  type Position,
  renameNode,
  setDetails,
  setStart,
  setTrigger,
  TRIGGER_ID,
  updateNode,
} from './model/commands.ts';
import { canRedo, canUndo } from './model/history.ts';
import { type Problem, problemsByTarget } from './model/problems.ts';
import { Outline } from './outline.tsx';
import { ProblemsPanel } from './problems-panel.tsx';
import { SearchBox } from './search-box.tsx';
import { ServerDialogs } from './server-dialogs.tsx';
import { type PanelId, SidePanel } from './side-panel.tsx';
import { TestPanel } from './test-panel.tsx';
import { useEditor } from './use-editor.ts';
import { usePilotScope } from './use-pilot-scope.ts';
import { useServerActions } from './use-server-actions.ts';
import { VersionsPanel } from './versions-panel.tsx';

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

export function Editor({ flowId, loaded }: { flowId: string; loaded: LoadedDraft }) {
  const api = useApi();
  const ed = useEditor(
    loaded.flow,
    {
      etag: loaded.etag,
      revision: loaded.revision,
      publishedVersion: loaded.publishedVersion,
      saved: loaded.flow,
    },
    loaded.parsed,
  );
  const [view, setView] = useState<View>({ kind: 'edit' });
  const [panel, setPanel] = useState<PanelId>('inspect');
  const [center, setCenter] = useState<'canvas' | 'outline'>('canvas');
  const [adding, setAdding] = useState<{ source: string; port: string } | 'palette' | null>(null);
  const [status, setStatus] = useState('');
  const [pathMarks, setPathMarks] = useState<Map<string, Mark> | null>(null);
  const [liveOn, setLiveOn] = useState(false);
  const [liveNode, setLiveNode] = useState<string | null>(null);
  const live = useLiveCounts(loaded.pilotId, flowId, liveOn);
  const flowRef = useRef<ReactFlowInstance<CanvasNode, PortEdge> | null>(null);
  const server = useServerActions({ api, flowId, ed, setView, setStatus });
  const pilot = usePilotScope(loaded.pilotId);
  const scope = useMemo(() => {
    const variables = ed.flow.variables.map((v) => v.name);
    const pilotVariables = pilot.globals.map((g) => g.name);
    return { paths: scopeVariables({ variables, pilotVariables }), variables, pilotVariables };
  }, [ed.flow.variables, pilot.globals]);

  const readOnly = view.kind !== 'edit';
  const shown = view.kind === 'edit' ? ed.flow : view.flow;
  const marks = view.kind === 'compare' ? view.marks : (pathMarks ?? undefined);
  const problemMap = useMemo(
    () => problemsByTarget(view.kind === 'edit' ? ed.problems : []),
    [ed.problems, view.kind],
  );
  const errors = ed.problems.filter((p) => p.level === 'error');

  const viewCentre = (): Position => {
    const rf = flowRef.current;
    const box = document.querySelector('.editor-canvas')?.getBoundingClientRect();
    if (!rf || !box) return { x: 0, y: 0 };
    return rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
  };

  /** Adds a step from the "+" dialog (after a port) or the palette (at the view's centre). */
  const pick = (type: NodeType) => {
    const target = adding;
    setAdding(null);
    let result: { flow: Flow; id: string };
    if (target && target !== 'palette') {
      const source = target.source === TRIGGER_ID ? undefined : findNode(ed.flow, target.source);
      const at = source?.position ?? { x: 0, y: 0 };
      result = insertAfter(ed.flow, target.source, target.port, type, {
        x: at.x + 320,
        y: at.y + 40,
      });
    } else result = addNode(ed.flow, type, viewCentre());
    if (!result.id) return;
    ed.edit(() => result.flow, { label: `Add ${type}` });
    ed.select([result.id]);
    setPanel('inspect');
    setStatus(`Added step ${result.id}`);
  };

  const onMove = useCallback(
    (positions: Map<string, Position>, how: 'drag' | 'keyboard') =>
      ed.edit((f) => moveNodes(f, positions), {
        label: 'Move',
        ...(how === 'keyboard' ? { group: `move:${[...positions.keys()].join(',')}` } : {}),
      }),
    [ed.edit],
  );
  const onConnect = useCallback(
    (source: string, port: string, target: string) =>
      ed.edit((f) => connect(f, source, port, target), { label: 'Connect' }),
    [ed.edit],
  );
  const onDelete = useCallback(
    (ids: string[], ports: { source: string; port: string }[] = []) => {
      ed.edit(
        (f) =>
          deleteNodes(
            ports.reduce((g, p) => disconnect(g, p.source, p.port), f),
            ids,
          ),
        { label: 'Delete' },
      );
      if (ids.length) ed.select([]);
      setStatus(ids.length ? `Deleted ${ids.join(', ')}` : 'Deleted the connection');
    },
    [ed.edit],
  );
  const onPlus = useCallback((source: string, port: string) => setAdding({ source, port }), []);
  const onSelect = useCallback((ids: string[]) => ed.select(ids), []);

  const copy = async () => {
    const text = copyText(
      ed.flow,
      ed.selection.filter((id) => id !== TRIGGER_ID),
    );
    if (!text) return setStatus('Select steps to copy');
    await navigator.clipboard.writeText(text);
    setStatus(`Copied ${ed.selection.filter((id) => id !== TRIGGER_ID).length} step(s)`);
  };
  const paste = async () => {
    let text = '';
    try {
      text = await navigator.clipboard.readText();
    } catch {
      return setStatus('The browser did not allow reading the clipboard');
    }
    const result = pasteText(ed.flow, text);
    if (!result.ok) return setStatus(result.message);
    ed.edit(() => result.flow, { label: 'Paste' });
    ed.select(result.ids);
    setStatus(`Pasted ${result.ids.length} step(s): ${result.ids.join(', ')}`);
  };
  const tidyUp = async () => {
    const [{ tidy }, dagre] = await Promise.all([
      import('./model/layout.ts'),
      import('@dagrejs/dagre'),
    ]);
    const ids = ed.selection.filter((id) => id !== TRIGGER_ID);
    ed.edit((f) => tidy(f, dagre, ids.length > 1 ? ids : undefined), { label: 'Tidy up' });
    setStatus(ids.length > 1 ? 'Tidied the selection' : 'Tidied the flow');
    // Two frames: the first renders the new positions, the second fits them.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => void flowRef.current?.fitView(FIT_ALL)),
    );
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        void server.save();
        return;
      }
      if (isTyping(e.target) || view.kind !== 'edit') return;
      if (key === 'z' && !e.shiftKey) ed.undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') ed.redo();
      else if (key === 'a') ed.select(ed.flow.nodes.map((n) => n.id));
      else if (key === 'c') void copy();
      else if (key === 'v') void paste();
      else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const pickProblem = (p: Problem) => {
    setView({ kind: 'edit' });
    if (p.target) ed.select([p.target]);
    setPanel('inspect');
    server.closeDialogs();
    if (p.target && p.target !== TRIGGER_ID) {
      const node = findNode(ed.flow, p.target);
      if (node?.position)
        flowRef.current?.setCenter(node.position.x + 120, node.position.y + 60, { duration: 200 });
    }
    setTimeout(() => {
      const field = p.field ?? '';
      const el =
        document.querySelector<HTMLElement>(`.inspector [data-field="${CSS.escape(field)}"]`) ??
        document.querySelector<HTMLElement>('.inspector [data-field]');
      const control =
        el && !el.matches('input, select, textarea, button')
          ? (el.querySelector<HTMLElement>('input, select, textarea, button') ?? el)
          : el;
      control?.focus();
    }, 50);
  };

  const selectedId = ed.selection.length === 1 ? ed.selection[0] : undefined;
  const selectedNode =
    selectedId && selectedId !== TRIGGER_ID ? findNode(shown, selectedId) : undefined;
  const fieldProblems = new Map(
    ed.problems
      .filter((p) => p.target === selectedId && p.field !== undefined)
      .map((p) => [p.field as string, p.message]),
  );
  const ctx = {
    problems: view.kind === 'edit' ? fieldProblems : new Map(),
    onBlur: ed.seal,
    readOnly,
    scope,
  };

  return (
    <div class="editor">
      <header class="editor-toolbar">
        <div class="editor-title">
          <a href="/admin/flows">← All flows</a> <h1>{ed.flow.name}</h1>
          <span class="badge">
            {ed.server.publishedVersion ? `published v${ed.server.publishedVersion}` : 'draft'}
            {ed.dirty ? ' · unsaved changes' : ''}
          </span>
        </div>
        <div class="editor-actions" role="toolbar" aria-label="Edit">
          <button
            type="button"
            class="btn"
            onClick={ed.undo}
            disabled={readOnly || !canUndo(ed.history)}
          >
            Undo
          </button>
          <button
            type="button"
            class="btn"
            onClick={ed.redo}
            disabled={readOnly || !canRedo(ed.history)}
          >
            Redo
          </button>
          <button type="button" class="btn" onClick={() => void copy()} disabled={readOnly}>
            Copy
          </button>
          <button type="button" class="btn" onClick={() => void paste()} disabled={readOnly}>
            Paste
          </button>
          <button type="button" class="btn" onClick={() => void tidyUp()} disabled={readOnly}>
            Tidy up
          </button>
          <button
            type="button"
            class="btn"
            aria-pressed={center === 'outline'}
            onClick={() => setCenter(center === 'canvas' ? 'outline' : 'canvas')}
          >
            Outline
          </button>
          <button
            type="button"
            class="btn"
            aria-pressed={liveOn}
            onClick={() => setLiveOn(!liveOn)}
          >
            Live counts
          </button>
          <SearchBox
            flow={shown}
            onPick={(id) =>
              pickProblem({ level: 'warning', code: '', message: '', path: '', target: id })
            }
          />
          <button
            type="button"
            class="btn btn-secondary"
            onClick={() => void server.save()}
            disabled={readOnly || server.busy}
          >
            Save
          </button>
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => void server.openPublish()}
            disabled={readOnly || server.busy}
          >
            Publish
          </button>
          {ed.server.publishedVersion !== null && (
            <button
              type="button"
              class="btn btn-danger"
              onClick={server.askUnpublish}
              disabled={readOnly || server.busy}
            >
              Unpublish
            </button>
          )}
        </div>
      </header>
      <p role="status" class="editor-status" aria-live="polite">
        {status}
      </p>
      {view.kind !== 'edit' && (
        <section class="editor-banner" aria-label="Read-only view">
          <strong>
            {view.kind === 'version' ? `Version ${view.version} (read-only)` : view.title}
          </strong>
          {view.kind === 'version' && (
            <button type="button" class="btn" onClick={() => void server.restore(view.version)}>
              Restore version {view.version} into the draft
            </button>
          )}
          <button type="button" class="btn btn-primary" onClick={() => setView({ kind: 'edit' })}>
            Back to the draft
          </button>
          {view.kind === 'compare' && <ChangesList diff={view.diff} />}
        </section>
      )}
      {liveOn && <LiveCountsState state={live.state} />}
      <LiveList
        nodeId={liveNode}
        rows={liveNode ? (live.byNode.get(liveNode) ?? []) : []}
        onClose={() => setLiveNode(null)}
      />
      <div class="editor-body">
        {!readOnly && (
          <section class="editor-palette" aria-label="Add a step">
            <h2 class="visually-hidden">Add a step</h2>
            <StepTypeList prefix="Add " onPick={pick} />
          </section>
        )}
        <div class="editor-canvas">
          {center === 'canvas' ? (
            <Canvas
              flow={shown}
              selection={ed.selection}
              problems={problemMap}
              marks={marks}
              {...(liveOn ? { live: live.counts, onLive: setLiveNode } : {})}
              readOnly={readOnly}
              onSelect={onSelect}
              onMove={onMove}
              onConnect={onConnect}
              onDelete={onDelete}
              onPlus={onPlus}
              onInit={(rf) => {
                flowRef.current = rf;
              }}
            />
          ) : (
            <Outline
              flow={shown}
              selection={ed.selection}
              problems={problemMap}
              onSelect={(id) => {
                ed.select([id]);
                setPanel('inspect');
              }}
            />
          )}
        </div>
        <SidePanel
          active={panel}
          onTab={setPanel}
          badge={{ problems: ed.problems.length ? String(ed.problems.length) : '' }}
        >
          {panel === 'inspect' && (
            <div class="inspector">
              {selectedId === TRIGGER_ID ? (
                <TriggerInspector
                  flow={shown}
                  ctx={ctx}
                  onTrigger={(t, group) =>
                    ed.edit((f) => setTrigger(f, t), { label: 'Edit trigger', group })
                  }
                  onDetails={(d, group) =>
                    ed.edit((f) => setDetails(f, d), { label: 'Edit flow', group })
                  }
                  onStart={(s) => ed.edit((f) => setStart(f, s), { label: 'Set start' })}
                />
              ) : selectedNode ? (
                <NodeInspector
                  flow={shown}
                  node={selectedNode}
                  ctx={ctx}
                  onChange={(node: FlowNode, group) =>
                    ed.edit((f) => updateNode(f, node.id, node), {
                      label: 'Edit step',
                      group: `${node.id}:${group}`,
                    })
                  }
                  onRename={(to) => {
                    ed.edit((f) => renameNode(f, selectedNode.id, to), { label: 'Rename step' });
                    ed.select([to]);
                  }}
                  onConnect={(port, target) =>
                    ed.edit(
                      (f) =>
                        target
                          ? connect(f, selectedNode.id, port, target)
                          : disconnect(f, selectedNode.id, port),
                      {
                        label: 'Connect',
                      },
                    )
                  }
                  onDelete={() => onDelete([selectedNode.id])}
                />
              ) : (
                <p>
                  Select a step or the trigger to edit it.{' '}
                  {ed.selection.length > 1 ? `${ed.selection.length} steps selected.` : ''}
                </p>
              )}
            </div>
          )}
          {panel === 'problems' && <ProblemsPanel problems={ed.problems} onPick={pickProblem} />}
          {(panel === 'variables' || panel === 'settings') && (
            <FlowPanels
              which={panel}
              flow={ed.flow}
              pilot={pilot}
              readOnly={readOnly}
              onChange={(change, group) =>
                ed.edit(change, {
                  label: panel === 'variables' ? 'Edit variables' : 'Edit settings',
                  group,
                })
              }
              onBlur={ed.seal}
            />
          )}
          {panel === 'versions' && (
            <VersionsPanel
              versions={server.versions}
              live={ed.server.publishedVersion}
              onRefresh={server.refreshVersions}
              onOpen={server.openVersion}
              onCompare={server.compare}
              onRestore={(v) => void server.restore(v)}
            />
          )}
          {panel === 'test' && (
            <TestPanel
              flowId={flowId}
              flow={ed.flow}
              beforeRun={server.saveIfDirty}
              onPath={setPathMarks}
            />
          )}
        </SidePanel>
      </div>
      <AddStepDialog
        open={adding !== null && adding !== 'palette'}
        title={
          adding && adding !== 'palette'
            ? `Add a step after ${adding.source === TRIGGER_ID ? 'the trigger' : adding.source} (${adding.port})`
            : 'Add a step'
        }
        onPick={pick}
        onClose={() => setAdding(null)}
      />
      <ServerDialogs server={server} ed={ed} errors={errors} onPickProblem={pickProblem} />
    </div>
  );
}
