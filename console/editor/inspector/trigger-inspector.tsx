/**
 * The inspector of the trigger (exactly one per flow) and of the flow itself: name,
 * description, priority and the start step.
 */
import { useId } from 'preact/hooks';
import type { Flow, Trigger } from '../../../shared/flow/schema.ts';
import type { FieldSpec } from './field-specs.ts';
import { type FieldContext, SpecField } from './spec-field.tsx';

const TRIGGERS: { type: Trigger['type']; title: string; make: () => Trigger }[] = [
  { type: 'page_visited', title: 'Page visited', make: () => ({ type: 'page_visited', urls: [] }) },
  { type: 'event', title: 'Event', make: () => ({ type: 'event', name: 'event_name' }) },
  {
    type: 'new_conversation',
    title: 'New conversation',
    make: () => ({ type: 'new_conversation' }),
  },
  {
    type: 'intent_detected',
    title: 'Intent detected',
    make: () => ({ type: 'intent_detected', intents: ['intent_name'], minConfidence: 0.5 }),
  },
];

const conditions: FieldSpec = {
  kind: 'condition',
  path: 'conditions',
  label: 'Only when',
  optional: true,
};

const TRIGGER_FIELDS: Record<Trigger['type'], FieldSpec[]> = {
  page_visited: [
    {
      kind: 'url-rules',
      path: 'urls',
      label: 'Page URL rules (any rule matches; none = every page)',
    },
    {
      kind: 'select',
      path: 'audience',
      label: 'Audience',
      options: ['anyone', 'visitors', 'contacts'],
      optional: true,
    },
    { kind: 'text', path: 'utm.source', label: 'UTM source', optional: true },
    { kind: 'text', path: 'utm.medium', label: 'UTM medium', optional: true },
    { kind: 'text', path: 'utm.campaign', label: 'UTM campaign', optional: true },
    { kind: 'text', path: 'utm.term', label: 'UTM term', optional: true },
    { kind: 'text', path: 'utm.content', label: 'UTM content', optional: true },
    conditions,
  ],
  event: [{ kind: 'text', path: 'name', label: 'Event name' }, conditions],
  new_conversation: [conditions],
  intent_detected: [
    { kind: 'csv', path: 'intents', label: 'Intents (comma separated)' },
    { kind: 'number', path: 'minConfidence', label: 'Minimum confidence (0–1)' },
    conditions,
  ],
};

export interface TriggerInspectorProps {
  flow: Flow;
  ctx: FieldContext;
  onTrigger: (trigger: Trigger, group: string) => void;
  onDetails: (
    details: Partial<Pick<Flow, 'name' | 'description' | 'priority'>>,
    group: string,
  ) => void;
  onStart: (start: string) => void;
}

export function TriggerInspector({
  flow,
  ctx,
  onTrigger,
  onDetails,
  onStart,
}: TriggerInspectorProps) {
  const id = useId();
  const trigger = flow.trigger;
  // An empty utm object is not an error but is noise in the saved file.
  const clean = (t: Trigger): Trigger => {
    if (t.type === 'page_visited' && t.utm && Object.values(t.utm).every((v) => v === undefined)) {
      const { utm: _, ...rest } = t;
      return rest as Trigger;
    }
    return t;
  };
  return (
    <div class="inspector-body">
      <h2 class="inspector-title">Trigger</h2>
      <div class="field">
        <label for={`${id}-type`}>Trigger type</label>
        <select
          id={`${id}-type`}
          data-field="type"
          value={trigger.type}
          disabled={ctx.readOnly}
          onChange={(e) => {
            const made = TRIGGERS.find((t) => t.type === e.currentTarget.value);
            if (made) onTrigger(made.make(), 'trigger:type');
          }}
        >
          {TRIGGERS.map((t) => (
            <option key={t.type} value={t.type}>
              {t.title}
            </option>
          ))}
        </select>
      </div>
      {TRIGGER_FIELDS[trigger.type].map((spec) => (
        <SpecField
          key={spec.path}
          spec={spec}
          value={trigger}
          base=""
          ctx={ctx}
          onChange={(next, group) => onTrigger(clean(next as Trigger), `trigger:${group}`)}
        />
      ))}
      <div class="field">
        <label for={`${id}-start`}>Start step</label>
        <select
          id={`${id}-start`}
          data-field="start"
          value={flow.start}
          disabled={ctx.readOnly}
          onChange={(e) => onStart(e.currentTarget.value)}
        >
          {flow.nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label ? `${n.label} (${n.id})` : n.id}
            </option>
          ))}
        </select>
      </div>
      <h2 class="inspector-title">Flow</h2>
      {(
        [
          { kind: 'text', path: 'name', label: 'Name' },
          { kind: 'textarea', path: 'description', label: 'Description', optional: true },
          { kind: 'number', path: 'priority', label: 'Priority (lowest number wins)' },
        ] as FieldSpec[]
      ).map((spec) => (
        <SpecField
          key={spec.path}
          spec={spec}
          value={flow}
          base=""
          ctx={{ ...ctx, problems: new Map() }}
          onChange={(next, group) => {
            const f = next as Flow;
            onDetails(
              { name: f.name, description: f.description, priority: f.priority },
              `flow:${group}`,
            );
          }}
        />
      ))}
    </div>
  );
}
