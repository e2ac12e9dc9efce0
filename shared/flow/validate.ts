/**
 * The flow validator (SPEC 3.5 "Validation"): schema errors plus cross-node rules. Errors block
 * publish, warnings do not. Every issue names its path and, where there is one, its node id.
 */
import type { z } from 'zod';
import { REJECTED_NODE_TYPES } from './nodes.ts';
import { type Flow, flowSchema } from './schema.ts';
import type { FlowIssue, ValidateOptions } from './validate-options.ts';
import { checkStructure } from './validate-structure.ts';

export type { FlowIssue, ValidateOptions };

export interface ValidationResult {
  ok: boolean;
  flow?: Flow;
  errors: FlowIssue[];
  warnings: FlowIssue[];
}

const KNOWN_TYPES = new Set(
  flowSchema.shape.nodes.element.options.map((option) => option.shape.type.value as string),
);

function rawNodes(input: unknown): unknown[] {
  if (input === null || typeof input !== 'object') return [];
  const nodes = (input as { nodes?: unknown }).nodes;
  return Array.isArray(nodes) ? nodes : [];
}

function rawNodeId(node: unknown): string | undefined {
  const id = node !== null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function rawNodeType(node: unknown): unknown {
  return node !== null && typeof node === 'object' ? (node as { type?: unknown }).type : undefined;
}

/** Turns zod issues into flow issues, naming the node each one belongs to. */
function schemaIssues(error: z.ZodError, nodes: unknown[], skip: ReadonlySet<number>): FlowIssue[] {
  const issues: FlowIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    const nodeIndex = path[0] === 'nodes' && path[1] !== undefined ? Number(path[1]) : undefined;
    if (nodeIndex !== undefined && skip.has(nodeIndex)) continue;
    const node = nodeIndex === undefined ? undefined : nodes[nodeIndex];
    const nodeId = rawNodeId(node);
    const type = rawNodeType(node);
    let code: string = issue.code;
    let message = issue.message;
    if (
      nodeIndex !== undefined &&
      path.length <= 3 &&
      typeof type === 'string' &&
      !KNOWN_TYPES.has(type)
    ) {
      code = 'unknown_node_type';
      message = `Unknown node type "${type}"`;
      path.splice(2, path.length, 'type');
    } else if (issue.code === 'unrecognized_keys') {
      code = nodeIndex === undefined ? 'unknown_field' : 'unknown_port';
      message = `Unknown field(s): ${issue.keys.join(', ')}`;
    }
    issues.push({ code, message, path: path.join('.'), ...(nodeId ? { nodeId } : {}) });
  }
  return issues;
}

/**
 * The schema half of validation: the parsed flow, or every schema error naming its node. A
 * rejected node type (`wait`) is reported with its reason instead of the union's list of types.
 * Saving a draft runs only this (a draft may have cross-node errors; publishing may not).
 */
export function parseFlowDocument(input: unknown): { flow?: Flow; errors: FlowIssue[] } {
  const errors: FlowIssue[] = [];
  const nodes = rawNodes(input);
  const rejected = new Set<number>();
  nodes.forEach((node, index) => {
    const type = rawNodeType(node);
    const reason = typeof type === 'string' ? REJECTED_NODE_TYPES[type] : undefined;
    if (!reason) return;
    rejected.add(index);
    const nodeId = rawNodeId(node);
    errors.push({
      code: 'wait_not_allowed',
      message: reason,
      path: `nodes.${index}.type`,
      ...(nodeId ? { nodeId } : {}),
    });
  });

  const parsed = flowSchema.safeParse(input);
  if (!parsed.success) {
    errors.push(...schemaIssues(parsed.error, nodes, rejected));
    return { errors };
  }
  return { flow: parsed.data, errors };
}

export function validateFlow(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const warnings: FlowIssue[] = [];
  const { flow, errors } = parseFlowDocument(input);
  if (!flow) return { ok: false, errors, warnings };
  checkStructure(flow, options, errors, warnings);
  return { ok: errors.length === 0, flow, errors, warnings };
}
