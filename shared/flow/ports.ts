/** The ports of each node type: which fields hold node ids (validator, graph, editors). */
import type { FlowNode } from './nodes.ts';

/** The port fields of a node and the node ids they point to (undefined = ends the run). */
export function nodePorts(node: FlowNode): { port: string; target: string | undefined }[] {
  switch (node.type) {
    case 'ask_question': {
      const options =
        node.input.kind === 'buttons' || node.input.kind === 'yes_no'
          ? (node.input.options ?? []).map((o, i) => ({
              port: `input.options[${i}].next`,
              target: o.next,
            }))
          : [];
      return [
        ...options,
        { port: 'next', target: node.next },
        { port: 'onInvalid', target: node.onInvalid },
      ];
    }
    case 'condition':
      return [
        ...node.branches.map((b, i) => ({ port: `branches[${i}].next`, target: b.next })),
        { port: 'else', target: node.else },
      ];
    case 'split':
      return node.paths.map((p, i) => ({ port: `paths[${i}].next`, target: p.next }));
    case 'assign':
    case 'handover':
      return [
        { port: 'next', target: node.next },
        { port: 'unavailable', target: node.unavailable },
      ];
    case 'check_availability':
      return [
        { port: 'available', target: node.available },
        { port: 'unavailable', target: node.unavailable },
      ];
    case 'ai_answer':
      return [
        { port: 'next', target: node.next },
        { port: 'noAnswer', target: node.noAnswer },
        { port: 'handoverRequested', target: node.handoverRequested },
      ];
    case 'http_request':
    case 'send_email':
    case 'create_record':
    case 'update_contact':
    case 'update_company':
    case 'email_conversation':
      return [
        { port: 'next', target: node.next },
        { port: 'onError', target: node.onError },
      ];
    case 'capture_contact':
    case 'capture_company':
      return [
        { port: 'next', target: node.next },
        { port: 'onError', target: node.onError },
        { port: 'onInvalid', target: node.onInvalid },
      ];
    case 'go_to_flow':
    case 'close_conversation':
    case 'end':
      return [];
    default:
      return [{ port: 'next', target: node.next }];
  }
}
