/**
 * A deterministic embedding function standing in for Workers AI: words map to a few shared
 * "concept" axes (so "package" and "delivery" point the same way), plus a small constant axis so
 * no text embeds to the zero vector. It proves how the code uses embeddings, never how good a
 * real model's are.
 */
import type { EmbedFn } from '../../shared/knowledge/embeddings.ts';
import { tokenizeWords } from '../../shared/knowledge/text.ts';

const CONCEPTS: Record<string, number> = {};
[
  'delivery deliver orders order package parcel arrive arrives gets reaches shipping days week',
  'germany berlin abroad',
  'refunds refund returned return money payment paid',
  'password reset sign login email link forgot',
  'football team league won',
].forEach((words, axis) => {
  for (const word of words.split(' ')) CONCEPTS[word] = axis;
});
export const CONCEPT_DIMS = 6;

export function conceptVector(text: string): number[] {
  const v = new Array<number>(CONCEPT_DIMS).fill(0);
  v[CONCEPT_DIMS - 1] = 0.3;
  for (const word of tokenizeWords(text)) {
    const axis = CONCEPTS[word];
    if (axis !== undefined) v[axis] = (v[axis] as number) + 1;
  }
  return v;
}

/** The embedding function; every call's texts are pushed to `calls`. */
export function conceptEmbed(calls: string[][] = []): EmbedFn {
  return async (texts) => {
    calls.push(texts);
    return texts.map(conceptVector);
  };
}

/** The same model behind the Workers AI binding's `run(model, { text })` shape. */
export function conceptWorkersAi(calls: string[][] = []) {
  const embed = conceptEmbed(calls);
  return {
    run: async (_model: string, input: unknown) => {
      const text = (input as { text?: string[] }).text;
      if (!text) throw new Error('this stand-in only embeds');
      return { shape: [text.length, CONCEPT_DIMS], data: await embed(text) };
    },
  };
}
