/** One line describing a node or the trigger, for canvas cards, the outline and menus. */
import type { FlowNode, Trigger } from '../../shared/flow/schema.ts';

export function nodeSummary(node: FlowNode): string {
  switch (node.type) {
    case 'send_message':
    case 'ask_question':
    case 'show_banner':
      return node.text;
    case 'post':
      return node.title ?? node.text;
    case 'condition':
      return `${node.branches.length} branch${node.branches.length === 1 ? '' : 'es'} + else`;
    case 'split':
      return node.paths.map((p) => `${p.percent}%`).join(' / ');
    case 'set_variable':
      return node.assignments.map((a) => `${a.op} ${a.target}`).join(', ');
    case 'add_tag':
    case 'remove_tag':
      return node.tags.join(', ');
    case 'http_request':
      return `${node.method} ${node.url}`;
    case 'send_email':
      return `${node.to}: ${node.subject}`;
    case 'capture_contact':
    case 'capture_company':
      return node.fields.map((f) => f.label).join(', ');
    case 'update_company':
      return node.assignments.map((a) => `${a.op} company.${a.field}`).join(', ');
    case 'email_conversation':
      return node.to.kind === 'address'
        ? node.to.address
        : node.to.kind === 'user'
          ? `user ${node.to.userId}`
          : node.to.kind === 'team'
            ? `team ${node.to.teamId}`
            : 'the visitor';
    case 'redirect':
      return node.url;
    case 'go_to_flow':
      return node.flowId;
    case 'ai_answer':
      return node.question ?? 'Answers from knowledge';
    case 'handover':
    case 'close_conversation':
      return node.message ?? '';
    case 'create_record':
      return node.kind;
    case 'assign':
      return node.to.kind === 'user'
        ? `user ${node.to.userId}`
        : node.to.kind === 'team'
          ? `team ${node.to.teamId}`
          : 'round robin';
    default:
      return '';
  }
}

export function triggerSummary(trigger: Trigger): string {
  switch (trigger.type) {
    case 'page_visited':
      return trigger.urls.length
        ? `Page visited: ${trigger.urls.map((u) => `${u.op} ${u.value}`).join(' or ')}`
        : 'Page visited: any page';
    case 'event':
      return `Event: ${trigger.name}`;
    case 'new_conversation':
      return 'New conversation';
    case 'intent_detected':
      return `Intent: ${trigger.intents.join(', ')}`;
  }
}
