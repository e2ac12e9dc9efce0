/**
 * A step on the canvas: its type, name and text, a problem marker, and one labelled output
 * handle per port (named as the format names it) with a "+" that inserts a step there.
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { runsText } from '../ops/edge-traffic.ts';
import type { StepNode, TriggerNode } from './canvas-types.ts';
import { nodeTitle } from './model/node-types.ts';
import { nodeSummary, triggerSummary } from './node-summary.ts';

function ProblemBadge({ level }: { level: 'error' | 'warning' | undefined }) {
  if (!level) return null;
  return (
    <span
      class={`step-problem step-problem-${level}`}
      title={level === 'error' ? 'Has errors' : 'Has warnings'}
    >
      {level === 'error' ? '✖' : '⚠'}
      <span class="visually-hidden">{level === 'error' ? ' has errors' : ' has warnings'}</span>
    </span>
  );
}

function PlusButton(props: { label: string; onPlus: (anchor: HTMLElement) => void }) {
  return (
    <button
      type="button"
      class="step-plus nodrag"
      aria-label={props.label}
      title={props.label}
      onClick={(event) => {
        event.stopPropagation();
        props.onPlus(event.currentTarget);
      }}
    >
      +
    </button>
  );
}

/** Runs that left by a port (a button's count on the insights canvas). */
function PortRuns({ runs }: { runs: number }) {
  return (
    <span class="step-port-runs" title={runsText(runs)}>
      {runs}
      <span class="visually-hidden"> {runs === 1 ? 'run' : 'runs'}</span>
    </span>
  );
}

export function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const { node, ports, problem, mark, isStart, readOnly } = data;
  const summary = nodeSummary(node);
  return (
    <div
      class={`step${selected ? ' step-selected' : ''}${mark ? ` step-mark-${mark}` : ''}${problem ? ` step-has-${problem}` : ''}`}
      data-node-id={node.id}
    >
      <Handle type="target" position={Position.Left} isConnectable={!readOnly} />
      <div class="step-head">
        <span class="step-type">{nodeTitle(node.type)}</span>
        {isStart && <span class="step-start">start</span>}
        {mark && <span class={`step-badge step-badge-${mark}`}>{mark}</span>}
        <ProblemBadge level={problem} />
      </div>
      {data.live !== undefined && data.onLive && (
        <button
          type="button"
          class="step-live nodrag"
          aria-label={`${data.live} waiting at ${node.id}: list them`}
          onClick={(event) => {
            event.stopPropagation();
            data.onLive?.(node.id);
          }}
        >
          {data.live} waiting
        </button>
      )}
      {data.stats && (
        <p class="step-stats">
          {data.stats.entered} entered · {data.stats.completed} completed · {data.stats.failed}{' '}
          failed · {data.stats.dropped} dropped
        </p>
      )}
      <div class="step-name">{node.label || node.id}</div>
      {summary && (
        <div class="step-text">{summary.length > 90 ? `${summary.slice(0, 90)}…` : summary}</div>
      )}
      {ports.length > 0 && (
        <ul class="step-ports">
          {ports.map((p) => (
            <li key={p.port} class="step-port">
              <span class="step-port-label">{p.label}</span>
              {data.portRuns && <PortRuns runs={data.portRuns[p.port] ?? 0} />}
              {!readOnly && (
                <PlusButton
                  label={`Add a step after ${node.id} ${p.label}`}
                  onPlus={(anchor) => data.onPlus(node.id, p.port, anchor)}
                />
              )}
              <Handle
                type="source"
                id={p.port}
                position={Position.Right}
                isConnectable={!readOnly}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TriggerNodeView({ data, selected }: NodeProps<TriggerNode>) {
  return (
    <div class={`step step-trigger${selected ? ' step-selected' : ''}`}>
      <div class="step-head">
        <span class="step-type">Trigger</span>
        <ProblemBadge level={data.problem} />
      </div>
      <div class="step-text">{triggerSummary(data.trigger)}</div>
      <ul class="step-ports">
        <li class="step-port">
          <span class="step-port-label">start</span>
          {!data.readOnly && (
            <PlusButton
              label="Add a step at the start"
              onPlus={(a) => data.onPlus('__trigger__', 'start', a)}
            />
          )}
          <Handle
            type="source"
            id="start"
            position={Position.Right}
            isConnectable={!data.readOnly}
          />
        </li>
      </ul>
    </div>
  );
}
