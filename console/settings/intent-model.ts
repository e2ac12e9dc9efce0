/**
 * The intent form (name, description, training phrases one per line, entities used) ↔ the
 * admin API's intent, and the "try a sentence" verdict. Pure.
 */
import type { components } from '../api/client.ts';
import { linesOf, percent, textField, textList, uniqueLoose } from './text.ts';

type IntentInput = components['schemas']['IntentInput'];
type Classified = components['schemas']['ClassifySentenceResult'];

/** The API's minimum (shared/ai/intent-schema.ts): fewer phrases cannot train a useful model. */
export const MIN_PHRASES = 5;

export interface IntentForm {
  name: string;
  description: string;
  /** One training phrase per line. */
  phrases: string;
  entities: string[];
}

export const emptyIntentForm: IntentForm = { name: '', description: '', phrases: '', entities: [] };

export function intentFormOf(row: Record<string, unknown>): IntentForm {
  return {
    name: textField(row, 'name'),
    description: textField(row, 'description'),
    phrases: textList(row, 'trainingPhrases').join('\n'),
    entities: textList(row, 'entities'),
  };
}

/** The training phrases the form holds: trimmed, one per line, repeats dropped. */
export function phrasesOf(form: IntentForm): string[] {
  return uniqueLoose(linesOf(form.phrases));
}

/** The request body; the server validates it again and names any field it refuses. */
export function intentBody(form: IntentForm): IntentInput {
  const description = form.description.trim();
  return {
    name: form.name.trim(),
    ...(description ? { description } : {}),
    trainingPhrases: phrasesOf(form),
    ...(form.entities.length ? { entities: [...new Set(form.entities)] } : {}),
  };
}

/** What to fix before saving, by field; empty when the form can be sent. */
export function intentProblems(form: IntentForm): Partial<Record<'name' | 'phrases', string>> {
  const problems: Partial<Record<'name' | 'phrases', string>> = {};
  const name = form.name.trim();
  if (!name) problems.name = 'Name the intent';
  else if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name))
    problems.name = 'Letters, digits and underscores only, not starting with a digit';
  const count = phrasesOf(form).length;
  if (count < MIN_PHRASES)
    problems.phrases = `Give at least ${MIN_PHRASES} different training phrases (${count} so far)`;
  return problems;
}

/** One line saying what the pilot understood, for the "try a sentence" box. */
export function classifyVerdict(result: Classified): string {
  if (result.trainedAt === null) return 'No intent is trained yet: add an intent first.';
  if (result.intent === null) return 'No intent matched.';
  return `Intent: ${result.intent} (confidence ${percent(result.confidence)})`;
}
