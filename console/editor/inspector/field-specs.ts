/**
 * The inspector's form for each node type, as data: every field of the flow format (SPEC 3.5,
 * shared/flow/nodes.ts) with the control that edits it. Ports are not here: they are edited by
 * connecting on the canvas, the "connect to…" menu or the outline.
 */
import {
  CONDITION_OPS,
  FORM_FIELD_KINDS,
  HTTP_METHODS,
  INPUT_KINDS,
  type NodeType,
} from '../../../shared/flow/schema.ts';

export type FieldSpec =
  | { kind: 'text' | 'textarea' | 'template'; path: string; label: string; optional?: boolean }
  | { kind: 'number'; path: string; label: string; optional?: boolean }
  | { kind: 'checkbox'; path: string; label: string }
  | { kind: 'select'; path: string; label: string; options: readonly string[]; optional?: boolean }
  | { kind: 'csv'; path: string; label: string; optional?: boolean }
  | { kind: 'record'; path: string; label: string; keyLabel: string; optional?: boolean }
  | { kind: 'json'; path: string; label: string; optional?: boolean; hint?: string }
  | { kind: 'condition'; path: string; label: string; optional?: boolean }
  | { kind: 'url-rules'; path: string; label: string }
  | { kind: 'input-kind'; path: string; label: string }
  | { kind: 'assign-to'; path: string; label: string }
  | {
      kind: 'list';
      path: string;
      label: string;
      itemLabel: string;
      item: FieldSpec[];
      newItem: () => unknown;
      min?: number;
      max: number;
      optional?: boolean;
    };

const option = (): FieldSpec[] => [
  { kind: 'text', path: 'label', label: 'Label' },
  { kind: 'text', path: 'value', label: 'Value' },
];

/** A capture node's form: the text above it and each field it asks. */
function captureSpecs(target: 'contact' | 'company'): FieldSpec[] {
  return [
    { kind: 'template', path: 'text', label: 'Message' },
    {
      kind: 'list',
      path: 'fields',
      label: `Form fields (${target}.<field>)`,
      itemLabel: 'Field',
      min: 1,
      max: 12,
      newItem: () => ({ field: 'name', label: 'Name', kind: 'text', required: false }),
      item: [
        { kind: 'text', path: 'field', label: 'Field' },
        { kind: 'text', path: 'label', label: 'Label' },
        { kind: 'select', path: 'kind', label: 'Kind', options: FORM_FIELD_KINDS },
        { kind: 'checkbox', path: 'required', label: 'Required' },
      ],
    },
    { kind: 'number', path: 'retries', label: 'Re-show after errors (times)', optional: true },
  ];
}

export const FIELD_SPECS: Record<NodeType, FieldSpec[]> = {
  send_message: [
    { kind: 'template', path: 'text', label: 'Message' },
    {
      kind: 'json',
      path: 'image',
      label: 'Image',
      optional: true,
      hint: '{"url": "…", "alt": "…"}',
    },
    {
      kind: 'list',
      path: 'buttons',
      label: 'Link buttons',
      itemLabel: 'Button',
      optional: true,
      max: 10,
      newItem: () => ({ label: 'Open', url: 'https://example.com/' }),
      item: [
        { kind: 'text', path: 'label', label: 'Label' },
        { kind: 'template', path: 'url', label: 'URL' },
        { kind: 'checkbox', path: 'newTab', label: 'Open in a new tab' },
      ],
    },
    {
      kind: 'list',
      path: 'cards',
      label: 'Cards',
      itemLabel: 'Card',
      optional: true,
      max: 10,
      newItem: () => ({ title: 'Card' }),
      item: [
        { kind: 'text', path: 'title', label: 'Title' },
        { kind: 'template', path: 'text', label: 'Text', optional: true },
        { kind: 'text', path: 'imageUrl', label: 'Image URL', optional: true },
        { kind: 'text', path: 'url', label: 'Link URL', optional: true },
      ],
    },
  ],
  ask_question: [
    { kind: 'template', path: 'text', label: 'Question' },
    { kind: 'input-kind', path: 'input', label: 'Answer type' },
    { kind: 'text', path: 'saveTo', label: 'Save answer to (variable.name)', optional: true },
    { kind: 'number', path: 'retries', label: 'Retries after an invalid answer', optional: true },
    { kind: 'template', path: 'invalidText', label: 'Invalid answer message', optional: true },
  ],
  condition: [
    {
      kind: 'list',
      path: 'branches',
      label: 'Branches (first match wins; else otherwise)',
      itemLabel: 'Branch',
      min: 1,
      max: 20,
      newItem: () => ({ when: { field: 'variable.value', op: 'eq', value: '' } }),
      item: [{ kind: 'condition', path: 'when', label: 'When' }],
    },
  ],
  split: [
    {
      kind: 'list',
      path: 'paths',
      label: 'Paths (percentages sum to 100)',
      itemLabel: 'Path',
      min: 2,
      max: 10,
      newItem: () => ({ percent: 0 }),
      item: [{ kind: 'number', path: 'percent', label: 'Percent' }],
    },
  ],
  set_variable: [
    {
      kind: 'list',
      path: 'assignments',
      label: 'Assignments',
      itemLabel: 'Assignment',
      min: 1,
      max: 50,
      newItem: () => ({ target: 'variable.value', op: 'set', value: '' }),
      item: [
        { kind: 'text', path: 'target', label: 'Variable (variable.name)' },
        {
          kind: 'select',
          path: 'op',
          label: 'Operation',
          options: ['set', 'clear', 'increment', 'append'],
        },
        { kind: 'template', path: 'value', label: 'Value', optional: true },
      ],
    },
  ],
  update_contact: [{ kind: 'record', path: 'fields', label: 'Contact fields', keyLabel: 'Field' }],
  add_tag: [{ kind: 'csv', path: 'tags', label: 'Tags (comma separated)' }],
  remove_tag: [{ kind: 'csv', path: 'tags', label: 'Tags (comma separated)' }],
  assign: [{ kind: 'assign-to', path: 'to', label: 'Assign to' }],
  check_availability: [
    { kind: 'csv', path: 'users', label: 'Only these users (ids)', optional: true },
    { kind: 'csv', path: 'teams', label: 'Only these teams (ids)', optional: true },
  ],
  handover: [
    { kind: 'template', path: 'message', label: 'Message to the visitor', optional: true },
    { kind: 'text', path: 'teamId', label: 'Team id', optional: true },
    { kind: 'textarea', path: 'note', label: 'Note for the agent', optional: true },
  ],
  ai_answer: [
    {
      kind: 'template',
      path: 'question',
      label: 'Question (default: the last message)',
      optional: true,
    },
    { kind: 'text', path: 'saveTo', label: 'Save answer to (variable.name)', optional: true },
  ],
  http_request: [
    { kind: 'select', path: 'method', label: 'Method', options: HTTP_METHODS },
    { kind: 'template', path: 'url', label: 'URL' },
    { kind: 'record', path: 'headers', label: 'Headers', keyLabel: 'Header', optional: true },
    { kind: 'json', path: 'body', label: 'Body (JSON; strings may be templates)', optional: true },
    { kind: 'number', path: 'timeoutMs', label: 'Timeout (ms)' },
    {
      kind: 'list',
      path: 'saveResponse',
      label: 'Save from the response',
      itemLabel: 'Mapping',
      optional: true,
      max: 20,
      newItem: () => ({ path: '$.status', to: 'variable.status' }),
      item: [
        { kind: 'text', path: 'path', label: 'JSON path' },
        { kind: 'text', path: 'to', label: 'To (variable.name)' },
      ],
    },
  ],
  send_email: [
    { kind: 'template', path: 'to', label: 'To' },
    { kind: 'template', path: 'subject', label: 'Subject' },
    { kind: 'textarea', path: 'body', label: 'Body' },
  ],
  capture_contact: captureSpecs('contact'),
  capture_company: captureSpecs('company'),
  update_company: [
    {
      kind: 'list',
      path: 'assignments',
      label: 'Company fields',
      itemLabel: 'Field',
      min: 1,
      max: 50,
      newItem: () => ({ field: 'plan', op: 'set', value: '' }),
      item: [
        { kind: 'text', path: 'field', label: 'Field' },
        { kind: 'select', path: 'op', label: 'Operation', options: ['set', 'clear', 'increment'] },
        { kind: 'template', path: 'value', label: 'Value', optional: true },
      ],
    },
  ],
  email_conversation: [
    {
      kind: 'json',
      path: 'to',
      label: 'To',
      hint: '{"kind": "visitor"} | {"kind": "user", "userId": "…"} | {"kind": "team", "teamId": "…"} | {"kind": "address", "address": "{{…}}"}',
    },
    { kind: 'template', path: 'subject', label: 'Subject', optional: true },
  ],
  create_record: [
    { kind: 'select', path: 'kind', label: 'Record', options: ['deal', 'task', 'note'] },
    { kind: 'record', path: 'fields', label: 'Fields', keyLabel: 'Field' },
  ],
  redirect: [
    { kind: 'template', path: 'url', label: 'URL' },
    { kind: 'checkbox', path: 'newTab', label: 'Open in a new tab' },
  ],
  show_banner: [
    { kind: 'template', path: 'text', label: 'Banner text' },
    { kind: 'text', path: 'url', label: 'Link URL', optional: true },
    { kind: 'select', path: 'style', label: 'Style', options: ['info', 'success', 'warning'] },
  ],
  post: [
    { kind: 'select', path: 'size', label: 'Size', options: ['small', 'large'] },
    { kind: 'template', path: 'title', label: 'Title (large)', optional: true },
    { kind: 'template', path: 'text', label: 'Body' },
    { kind: 'text', path: 'imageUrl', label: 'Image URL (https, large)', optional: true },
    {
      kind: 'json',
      path: 'cta',
      label: 'Call to action (large)',
      optional: true,
      hint: '{"label": "…", "url": "https://…"}',
    },
    { kind: 'select', path: 'delivery', label: 'Delivery', options: ['full', 'snippet'] },
    {
      kind: 'json',
      path: 'response',
      label: 'Response',
      hint: '{"type": "none"} | {"type": "text", "saveTo": "variable.x"} | {"type": "reaction", "reactions": ["👍", "👎"], "saveTo": "variable.x"}',
    },
  ],
  go_to_flow: [{ kind: 'text', path: 'flowId', label: 'Flow id' }],
  close_conversation: [
    { kind: 'template', path: 'message', label: 'Closing message', optional: true },
  ],
  end: [],
};

/** The option list of an `ask_question` with buttons or yes/no answers. */
export const OPTION_FIELDS = option();
export { CONDITION_OPS, INPUT_KINDS };
