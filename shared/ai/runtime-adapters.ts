/**
 * Glue between AI results and the engine's shapes, so the runtime does not re-derive them:
 * detected entities become the `entity.*` namespace, knowledge answers become `ai_answer`
 * effect results (`outcome` per shared/engine/types.ts EffectResultData).
 */
import type { Citation, KnowledgeAnswer } from '../knowledge/article.ts';
import type { EntityMatch } from './intent-detector.ts';

/**
 * `entity.<name>` values for flows: the first value found per name; every value is also under
 * `entity.<name>_all` (a list) for messages that mention several.
 */
export function entitiesToRecord(entities: readonly EntityMatch[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const { name, value } of entities) {
    if (!(name in record)) record[name] = value;
    const all = (record[`${name}_all`] as string[] | undefined) ?? [];
    all.push(value);
    record[`${name}_all`] = all;
  }
  return record;
}

export interface AiAnswerEffectData {
  outcome: 'answered' | 'no_answer' | 'handover_requested';
  text?: string;
  citations?: Citation[];
}

/** The `effect_result` data for an `ai_answer` effect. */
export function toAiAnswerEffectData(answer: KnowledgeAnswer): AiAnswerEffectData {
  if (answer.kind === 'answered') {
    return { outcome: 'answered', text: answer.text, citations: answer.citations };
  }
  return { outcome: answer.kind === 'noAnswer' ? 'no_answer' : 'handover_requested' };
}

/**
 * An answer's citations as the message's link buttons (one per article), so the visitor gets a
 * real, named link to each source instead of a URL in the text.
 */
export function citationLinks(citations: readonly Citation[]): { label: string; url: string }[] {
  const seen = new Set<string>();
  return citations.flatMap((c) => {
    if (seen.has(c.url)) return [];
    seen.add(c.url);
    return [{ label: c.title, url: c.url }];
  });
}
