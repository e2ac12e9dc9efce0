/** The knowledge article form and the "ask a question" verdict. Pure. */
import type { components } from '../api/client.ts';
import { percent, textField } from './text.ts';

type ArticleInput = components['schemas']['KnowledgeArticleInput'];
type AskResult = components['schemas']['AskPilotResult'];

export interface ArticleForm {
  title: string;
  url: string;
  body: string;
}

export const emptyArticleForm: ArticleForm = { title: '', url: '', body: '' };

export function articleFormOf(row: Record<string, unknown>): ArticleForm {
  return {
    title: textField(row, 'title'),
    url: textField(row, 'url'),
    body: textField(row, 'body'),
  };
}

export function articleBody(form: ArticleForm): ArticleInput {
  return { title: form.title.trim(), url: form.url.trim(), body: form.body.trim() };
}

/** The headline of an "ask" result: what the visitor gets, in words. */
export function askHeadline(result: AskResult): string {
  switch (result.outcome) {
    case 'answered':
      return 'The pilot answers';
    case 'handoverRequested':
      return 'The visitor asks for a person: the pilot hands over';
    default:
      return 'No answer: the visitor reads the fallback message';
  }
}

/** Confidence against the threshold, e.g. "Confidence 42% (answers at 20% or more)". */
export function askConfidence(result: AskResult): string {
  return `Confidence ${percent(result.confidence)} (answers at ${percent(result.minConfidence)} or more); the best passage covers ${percent(result.coverage)} of the question`;
}
