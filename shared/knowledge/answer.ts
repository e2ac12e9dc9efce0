/**
 * Knowledge answers for the `ai_answer` node and the pilot's default answer:
 * handover request → `handoverRequested`; else retrieve passages; low retrieval confidence →
 * `noAnswer`; else an extractive answer (the best-matching sentences, local) or, with a chat
 * model, a grounded answer that must cite the numbered sources and may refuse (`NO_ANSWER`).
 *
 * Confidence is how clearly the best article beats the runner-up (1 − runner-up score / best
 * score), with a floor on how much of the question the best passage covers. Measured on
 * StackFAQ (`npm run eval`, scripts/eval-knowledge.mjs), a lone best article is what separates
 * a question the knowledge covers from one it does not: word coverage alone let an unrelated
 * article answer most out-of-scope questions. Both defaults were chosen on the validation
 * threads only (see the README's AI section).
 */
import type { ChatModel } from '../ai/chat-model.ts';
import type { Citation, KnowledgeAnswer } from './article.ts';
import { isHandoverRequest } from './handover.ts';
import type { KnowledgeIndex, PassageHit } from './knowledge-index.ts';
import { contentTerms, splitSentences, tokenizeWords } from './text.ts';

export interface AnswerOptions {
  /** How clearly the best article must beat the runner-up (0..1) before the pilot answers. */
  minConfidence?: number;
  /** With a chat model the answer is written by it, grounded in the retrieved passages. */
  chat?: ChatModel;
  /** Passages given to the chat model. */
  passages?: number;
  persona?: string;
}

/** Chosen on the StackFAQ validation threads (scripts/eval-knowledge.mjs). */
export const DEFAULT_MIN_CONFIDENCE = 0.29;
/** Share of the question's content words the best passage must match, whatever the margin. */
export const MIN_COVERAGE = 0.34;
/** Passages retrieved to find the best article and its runner-up. */
const CANDIDATE_PASSAGES = 20;
const REFUSAL = 'NO_ANSWER';

/** Why the pilot answered or not: what the admin's "ask the pilot" shows. */
export interface KnowledgeDecision {
  answer: KnowledgeAnswer;
  /** Margin of the best article over the runner-up (0 when nothing matched). */
  confidence: number;
  /** Share of the question's content words the best passage matches. */
  coverage: number;
  /** The best-matching article, even when it was not good enough to answer from. */
  best: Citation | null;
  why: string;
}

/** Retrieval confidence: how much of the question the passage covers. */
function coverage(question: string, hit: PassageHit): number {
  const terms = contentTerms(question);
  if (terms.length === 0) return 0;
  return Math.min(1, new Set(hit.queryTerms).size / terms.length);
}

const related = (a: string, b: string) =>
  a === b || (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a)));

/** The sentence sharing most words with the question, plus the next one when it is short. */
export function extractAnswer(question: string, passage: string): string {
  const terms = contentTerms(question);
  const sentences = splitSentences(passage);
  let best = 0;
  let bestScore = -1;
  sentences.forEach((sentence, i) => {
    const words = tokenizeWords(sentence);
    const score = terms.filter((term) => words.some((word) => related(word, term))).length;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  const first = sentences[best] ?? passage;
  const next = sentences[best + 1];
  const incomplete = first.length < 80 || !/[.!?]$/.test(first);
  return incomplete && next ? `${first} ${next}` : first;
}

const citationOf = (hit: PassageHit): Citation => ({ title: hit.title, url: hit.url });

function groundedPrompt(question: string, hits: PassageHit[], persona: string) {
  const sources = hits
    .map((hit, i) => `[${i + 1}] ${hit.title} (${hit.url})\n${hit.text}`)
    .join('\n\n');
  return [
    {
      role: 'system' as const,
      content:
        `${persona ? `${persona}\n\n` : ''}Answer the visitor's question using ONLY the numbered ` +
        'sources. Cite every claim with its source number in brackets, like [1]. Keep it short. ' +
        `If the sources do not contain the answer, reply with exactly ${REFUSAL} and nothing else. ` +
        'Never use outside knowledge.',
    },
    { role: 'user' as const, content: `Sources:\n\n${sources}\n\nQuestion: ${question}` },
  ];
}

async function groundedAnswer(
  question: string,
  hits: PassageHit[],
  chat: ChatModel,
  persona: string,
): Promise<KnowledgeAnswer> {
  const reply = (await chat.complete(groundedPrompt(question, hits, persona))).trim();
  if (!reply || reply.includes(REFUSAL)) return { kind: 'noAnswer' };
  const cited = [...reply.matchAll(/\[(\d+)\]/g)]
    .map((m) => hits[Number(m[1]) - 1])
    .filter((hit): hit is PassageHit => hit !== undefined);
  // An answer that cites nothing is not grounded in the knowledge: treat it as no answer.
  if (cited.length === 0) return { kind: 'noAnswer' };
  const citations = [...new Map(cited.map((hit) => [hit.url, citationOf(hit)])).values()];
  return {
    kind: 'answered',
    text: reply,
    citations,
    confidence: coverage(question, cited[0] as PassageHit),
  };
}

/** The best passage of each article, best article first. */
function bestPerArticle(hits: PassageHit[]): PassageHit[] {
  const seen = new Set<string>();
  return hits.filter((hit) => !seen.has(hit.articleId) && seen.add(hit.articleId));
}

export async function decideKnowledgeAnswer(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeDecision> {
  if (isHandoverRequest(question)) {
    const why = 'The visitor asked for a person.';
    return { answer: { kind: 'handoverRequested' }, confidence: 0, coverage: 0, best: null, why };
  }
  const hits = index.query(question, Math.max(CANDIDATE_PASSAGES, options.passages ?? 3));
  const [top, runnerUp] = bestPerArticle(hits);
  if (!top) {
    const why = 'No article shares a word with the question.';
    return { answer: { kind: 'noAnswer' }, confidence: 0, coverage: 0, best: null, why };
  }
  const covered = coverage(question, top);
  const confidence = runnerUp ? Math.max(0, 1 - runnerUp.score / top.score) : 1;
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const best = citationOf(top);
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  if (covered < MIN_COVERAGE) {
    const why = `The best article ("${top.title}") matches only ${pct(covered)} of the question's words (needs ${pct(MIN_COVERAGE)}).`;
    return { answer: { kind: 'noAnswer' }, confidence, coverage: covered, best, why };
  }
  if (confidence < minConfidence) {
    const why = `The best article ("${top.title}") does not stand out from "${runnerUp?.title}" (margin ${pct(confidence)}, needs ${pct(minConfidence)}).`;
    return { answer: { kind: 'noAnswer' }, confidence, coverage: covered, best, why };
  }
  const passages = hits.slice(0, options.passages ?? 3);
  if (options.chat) {
    const answer = await groundedAnswer(question, passages, options.chat, options.persona ?? '');
    const why =
      answer.kind === 'answered'
        ? `The chat model answered from the retrieved passages, citing ${answer.citations.length} source(s).`
        : 'The chat model found no answer in the retrieved passages.';
    const confident = answer.kind === 'answered' ? { ...answer, confidence } : answer;
    return { answer: confident, confidence, coverage: covered, best, why };
  }
  const why = `"${top.title}" matches ${pct(covered)} of the question's words and stands out from the next article by a margin of ${pct(confidence)}.`;
  return {
    answer: {
      kind: 'answered',
      text: extractAnswer(question, top.text),
      citations: [best],
      confidence,
    },
    confidence,
    coverage: covered,
    best,
    why,
  };
}

export async function answerFromKnowledge(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeAnswer> {
  return (await decideKnowledgeAnswer(question, index, options)).answer;
}
