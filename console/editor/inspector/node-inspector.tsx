/**
 * The inspector of one step: its id (renaming makes every port follow), label, every field of
 * its type, and its ports, each with a "connect to…" choice (the keyboard way to connect).
 */
import { useEffect, useId, useState } from 'preact/hooks';
import type { Flow, FlowNode } from '../../../shared/flow/schema.ts';
import { nodeIdSchema } from '../../../shared/flow/schema.ts';
import { nodeTitle } from '../model/node-types.ts';
import { portsOf } from '../model/ports.ts';
import { FIELD_SPECS } from './field-specs.ts';
import { type FieldContext, SpecField } from './spec-field.tsx';

export interface NodeInspectorProps {
  flow: Flow;
  node: FlowNode;
  ctx: FieldContext;
  onChange: (node: FlowNode, group: string) => void;
  onRename: (to: string) => void;
  onConnect: (port: string, target: string | undefined) => void;
  onDelete: () => void;
}

export function NodeInspector({
  flow,
  node,
  ctx,
  onChange,
  onRename,
  onConnect,
  onDelete,
}: NodeInspectorProps) {
  const specs = FIELD_SPECS[node.type];
  return (
    <div class="inspector-body">
      <h2 class="inspector-title">{nodeTitle(node.type)}</h2>
      <RenameField id={node.id} taken={flow.nodes} onRename={onRename} readOnly={ctx.readOnly} />
      <SpecField
        spec={{ kind: 'text', path: 'label', label: 'Label (shown on the canvas)', optional: true }}
        value={node}
        base=""
        ctx={ctx}
        onChange={(next, group) => onChange(next as FlowNode, group)}
      />
      {specs.map((spec) => (
        <SpecField
          key={spec.path}
          spec={spec}
          value={node}
          base=""
          ctx={ctx}
          onChange={(next, group) => onChange(next as FlowNode, group)}
        />
      ))}
      <PortsField flow={flow} node={node} ctx={ctx} onConnect={onConnect} />
      {!ctx.readOnly && (
        <button type="button" class="btn btn-danger" onClick={onDelete}>
          Delete step {node.id}
        </button>
      )}
    </div>
  );
}

function RenameField(props: {
  id: string;
  taken: readonly FlowNode[];
  onRename: (to: string) => void;
  readOnly: boolean;
}) {
  const [text, setText] = useState(props.id);
  const inputId = useId();
  useEffect(() => setText(props.id), [props.id]);
  const parsed = nodeIdSchema.safeParse(text);
  const clash = text !== props.id && props.taken.some((n) => n.id === text);
  const error = !parsed.success
    ? parsed.error.issues[0]?.message
    : clash
      ? 'Another step has this id'
      : undefined;
  const commit = () => {
    if (!error && text !== props.id) props.onRename(text);
    else setText(props.id);
  };
  return (
    <div class="field">
      <label for={inputId}>Step id</label>
      <input
        id={inputId}
        data-field="id"
        value={text}
        disabled={props.readOnly}
        aria-invalid={error ? true : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {error && <p class="field-error">{error}</p>}
    </div>
  );
}

function PortsField({
  flow,
  node,
  ctx,
  onConnect,
}: {
  flow: Flow;
  node: FlowNode;
  ctx: FieldContext;
  onConnect: (port: string, target: string | undefined) => void;
}) {
  const id = useId();
  const ports = portsOf(node);
  if (ports.length === 0) return <p class="field-hint">This step ends the run.</p>;
  return (
    <fieldset class="field-list">
      <legend>Connections</legend>
      {ports.map((p, i) => (
        <div class="field" key={p.port}>
          <label for={`${id}-${i}`}>
            Connect {p.label === p.port ? p.port : `${p.label} (${p.port})`} to…
          </label>
          <select
            id={`${id}-${i}`}
            data-field={p.port.replace(/\[(\d+)\]/g, '.$1')}
            value={p.target ?? ''}
            disabled={ctx.readOnly}
            onChange={(e) => onConnect(p.port, e.currentTarget.value || undefined)}
          >
            <option value="">(nothing: the run ends)</option>
            {flow.nodes.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label ? `${n.label} (${n.id})` : n.id} — {nodeTitle(n.type)}
              </option>
            ))}
          </select>
          {ctx.problems.get(p.port.replace(/\[(\d+)\]/g, '.$1')) && (
            <p class="field-error">{ctx.problems.get(p.port.replace(/\[(\d+)\]/g, '.$1'))}</p>
          )}
        </div>
      ))}
    </fieldset>
  );
}
