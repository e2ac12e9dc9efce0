/**
 * The palette: every node type of the flow format with its title, group and a new node's
 * starting fields (valid against the schema, so a freshly added node is never an error by
 * itself).
 */
import type { FlowNode, NodeType } from '../../../shared/flow/schema.ts';

export interface NodeTypeInfo {
  type: NodeType;
  title: string;
  group: 'Messages' | 'Logic' | 'Data' | 'People' | 'Integrations' | 'Page' | 'End';
}

export const NODE_TYPES: readonly NodeTypeInfo[] = [
  { type: 'send_message', title: 'Send message', group: 'Messages' },
  { type: 'ask_question', title: 'Ask question', group: 'Messages' },
  { type: 'ai_answer', title: 'AI answer', group: 'Messages' },
  { type: 'post', title: 'Post', group: 'Messages' },
  { type: 'condition', title: 'Condition', group: 'Logic' },
  { type: 'split', title: 'Split', group: 'Logic' },
  { type: 'go_to_flow', title: 'Go to flow', group: 'Logic' },
  { type: 'set_variable', title: 'Set variable', group: 'Data' },
  { type: 'update_contact', title: 'Update contact', group: 'Data' },
  { type: 'add_tag', title: 'Add tag', group: 'Data' },
  { type: 'remove_tag', title: 'Remove tag', group: 'Data' },
  { type: 'create_record', title: 'Create record', group: 'Data' },
  { type: 'assign', title: 'Assign', group: 'People' },
  { type: 'check_availability', title: 'Check availability', group: 'People' },
  { type: 'handover', title: 'Hand over', group: 'People' },
  { type: 'http_request', title: 'HTTP request', group: 'Integrations' },
  { type: 'send_email', title: 'Send email', group: 'Integrations' },
  { type: 'redirect', title: 'Redirect', group: 'Page' },
  { type: 'show_banner', title: 'Show banner', group: 'Page' },
  { type: 'close_conversation', title: 'Close conversation', group: 'End' },
  { type: 'end', title: 'End', group: 'End' },
  { type: 'capture_contact', title: 'Capture contact', group: 'Data' },
  { type: 'capture_company', title: 'Capture company', group: 'Data' },
  { type: 'update_company', title: 'Update company', group: 'Data' },
  { type: 'email_conversation', title: 'Email conversation', group: 'Integrations' },
];

export const nodeTitle = (type: string): string =>
  NODE_TYPES.find((t) => t.type === type)?.title ?? type;

/** A new node of `type` with the given id: the smallest valid set of fields. */
export function newNode(type: NodeType, id: string): FlowNode {
  switch (type) {
    case 'send_message':
      return { id, type, text: 'Hello!' };
    case 'ask_question':
      return {
        id,
        type,
        text: 'Which one?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'Yes', value: 'yes' },
            { label: 'No', value: 'no' },
          ],
        },
      };
    case 'condition':
      return {
        id,
        type,
        branches: [{ when: { field: 'system.last_utterance', op: 'is_not_empty' } }],
      };
    case 'split':
      return { id, type, paths: [{ percent: 50 }, { percent: 50 }] };
    case 'set_variable':
      return { id, type, assignments: [{ target: 'variable.value', op: 'set', value: '' }] };
    case 'update_contact':
      return { id, type, fields: {} };
    case 'add_tag':
    case 'remove_tag':
      return { id, type, tags: ['tag'] };
    case 'assign':
      return { id, type, to: { kind: 'round_robin' } };
    case 'check_availability':
      return { id, type };
    case 'handover':
      return { id, type };
    case 'ai_answer':
      return { id, type };
    case 'http_request':
      return { id, type, method: 'GET', url: 'https://example.com/', timeoutMs: 10_000 };
    case 'send_email':
      return { id, type, to: '{{contact.email}}', subject: 'Hello', body: '' };
    case 'create_record':
      return { id, type, kind: 'task', fields: { title: 'Follow up' } };
    case 'redirect':
      return { id, type, url: 'https://example.com/', newTab: false };
    case 'show_banner':
      return { id, type, text: 'Announcement', style: 'info' };
    case 'post':
      return {
        id,
        type,
        size: 'small',
        text: 'News!',
        delivery: 'full',
        response: { type: 'none' },
      };
    case 'go_to_flow':
      return { id, type, flowId: 'flow_id' };
    case 'close_conversation':
      return { id, type };
    case 'end':
      return { id, type };
    case 'capture_contact':
      return {
        id,
        type,
        text: 'How can we reach you?',
        fields: [{ field: 'email', label: 'Email', kind: 'email', required: true }],
      };
    case 'capture_company':
      return {
        id,
        type,
        text: 'Which company are you with?',
        fields: [{ field: 'name', label: 'Company', kind: 'text', required: true }],
      };
    case 'update_company':
      return { id, type, assignments: [{ field: 'plan', op: 'set', value: '' }] };
    case 'email_conversation':
      return { id, type, to: { kind: 'visitor' } };
  }
}

/** A fresh id like `send_message_3`, unused in `taken`. */
export function freshId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 50) || 'node';
  for (let n = 1; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}
