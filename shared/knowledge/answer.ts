/**
 * Knowledge answers for the `ai_answer` node and the pilot's default answer:
 * handover request → `handoverRequested`; else retrieve passages; low retrieval confidence →
 * `noAnswer`; else an extractive answer (the best-matching sentences, local) or, with a chat
 * model, a grounded answer that must cite the numbered sources and may refuse (`NO_ANSWER`).
 */
import type { ChatModel } from '../ai/chat-model.ts';
import type { Citation, KnowledgeAnswer } from './article.ts';
import { isHandoverRequest } from './handover.ts';
import type { KnowledgeIndex, PassageHit } from './knowledge-index.ts';
import { contentTerms, splitSentences, tokenizeWords } from './text.ts';

export interface AnswerOptions {
  /** Share of the question's content words the best passage must match (0..1). */
  minConfidence?: number;
  /** With a chat model the answer is written by it, grounded in the retrieved passages. */
  chat?: ChatModel;
  /** Passages given to the chat model. */
  passages?: number;
  persona?: string;
}

export const DEFAULT_MIN_CONFIDENCE = 0.5;
const REFUSAL = 'NO_ANSWER';

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

export async function answerFromKnowledge(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeAnswer> {
  if (isHandoverRequest(question)) return { kind: 'handoverRequested' };
  const hits = index.query(question, options.passages ?? 3);
  const top = hits[0];
  if (!top) return { kind: 'noAnswer' };
  const confidence = coverage(question, top);
  if (confidence < (options.minConfidence ?? DEFAULT_MIN_CONFIDENCE)) return { kind: 'noAnswer' };
  if (options.chat) return groundedAnswer(question, hits, options.chat, options.persona ?? '');
  return {
    kind: 'answered',
    text: extractAnswer(question, top.text),
    citations: [citationOf(top)],
    confidence,
  };
}
