/** Insights as rows with their share of the largest value (the width of each bar). Pure. */
import type { components } from '../api/client.ts';

export type Insights = components['schemas']['Insights'];

export const TOTAL_LABELS: readonly [keyof Insights['totals'], string][] = [
  ['triggered', 'Triggered'],
  ['started', 'Started'],
  ['completed', 'Completed'],
  ['dropped', 'Dropped'],
  ['handedOver', 'Handed over'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
];

export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** 0–100: the bar's width as a share of the largest value of the table. */
  percent: number;
}

/** Rows for labelled values; percents relative to the largest (all 0 when nothing counted). */
export function barRows(
  values: readonly { key: string; label: string; value: number }[],
): BarRow[] {
  const max = Math.max(0, ...values.map((v) => v.value));
  return values.map((v) => ({ ...v, percent: max > 0 ? Math.round((v.value / max) * 100) : 0 }));
}

export function totalRows(insights: Insights): BarRow[] {
  return barRows(TOTAL_LABELS.map(([key, label]) => ({ key, label, value: insights.totals[key] })));
}

/** Choice counts with each choice's share within its question (percent of that node's answers). */
export function choiceRows(insights: Insights) {
  const perNode = new Map<string, number>();
  for (const c of insights.choices) perNode.set(c.nodeId, (perNode.get(c.nodeId) ?? 0) + c.count);
  return insights.choices.map((c) => {
    const total = perNode.get(c.nodeId) ?? 0;
    return {
      key: `${c.nodeId}:${c.choice}`,
      nodeId: c.nodeId,
      choice: c.choice,
      count: c.count,
      percent: total > 0 ? Math.round((c.count / total) * 100) : 0,
    };
  });
}

export interface CompareRow {
  key: string;
  label: string;
  a: number;
  b: number;
}

/** Totals of two insights side by side (two versions of one flow). */
export function compareRows(a: Insights, b: Insights): CompareRow[] {
  return TOTAL_LABELS.map(([key, label]) => ({ key, label, a: a.totals[key], b: b.totals[key] }));
}

/** Steps entered in two insights side by side: every step either one saw, busiest first. */
export function compareNodeRows(a: Insights, b: Insights): CompareRow[] {
  const entered = (i: Insights) => new Map(i.nodes.map((n) => [n.nodeId, n.entered]));
  const ea = entered(a);
  const eb = entered(b);
  return [...new Set([...ea.keys(), ...eb.keys()])]
    .map((id) => ({ key: id, label: id, a: ea.get(id) ?? 0, b: eb.get(id) ?? 0 }))
    .sort((x, y) => y.a + y.b - (x.a + x.b) || x.key.localeCompare(y.key));
}
