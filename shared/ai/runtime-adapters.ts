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

/** Answer text with its sources appended, for channels that can only show plain text. */
export function answerWithSources(answer: KnowledgeAnswer & { kind: 'answered' }): string {
  const sources = answer.citations.map((c) => `${c.title}: ${c.url}`).join('\n');
  return sources ? `${answer.text}\n\nSource: ${sources}` : answer.text;
}
