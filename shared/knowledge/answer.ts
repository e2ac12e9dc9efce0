/**
 * Knowledge answers for the `ai_answer` node and the pilot's default answer:
 * handover request → `handoverRequested`; else rank articles; weak or ambiguous best article →
 * `noAnswer`; else an extractive answer (the best-matching sentences, local) or, with a chat
 * model, a grounded answer that must cite the numbered sources and may refuse (`NO_ANSWER`).
 *
 * Ranking fuses two signals per article: BM25 over its passages (MiniSearch; scaled so the best
 * article scores 1) and how well its title covers the question's words in GloVe space
 * (semantic.ts), which bridges paraphrases that share no word. Whether to answer is a small
 * logistic model over four features of the best article (its fused score, its margin over the
 * runner-up, its title match, and how much of its title the question covers): the pilot answers
 * when the model's probability that the best article is the right one reaches minConfidence (and
 * the best article's fused score reaches a low floor, MIN_SCORE).
 * Coefficients and the default threshold were fitted on the StackFAQ validation threads only
 * (scripts/eval-knowledge.mjs fits them and checks the product decides as it does; README's AI
 * section).
 */
import type { ChatModel } from '../ai/chat-model.ts';
import type { Citation, KnowledgeAnswer } from './article.ts';
import { isHandoverRequest } from './handover.ts';
import type { ArticleEntry, KnowledgeIndex, PassageHit } from './knowledge-index.ts';
import { TitleMatcher, titleCoverage } from './semantic.ts';
import { contentTerms, splitSentences, tokenizeWords } from './text.ts';
import { loadWordVectors, type WordVectors } from './word-vectors.ts';

export interface AnswerOptions {
  /** Lowest probability that the best article is the right one (0..1) the pilot answers at. */
  minConfidence?: number;
  /** With a chat model the answer is written by it, grounded in the retrieved passages. */
  chat?: ChatModel;
  /** Passages given to the chat model. */
  passages?: number;
  persona?: string;
  /**
   * Replaces the local title match with another semantic signal (Workers AI embeddings of the
   * passages, embeddings.ts), fused with BM25 the same way. Without it: local word vectors.
   */
  semantic?: SemanticScorer;
}

/** A semantic signal per article (0..1, in the order of `articles`). */
export interface SemanticScorer {
  readonly label: string;
  similarities(question: string, articles: readonly ArticleEntry[]): Promise<number[]>;
}

/**
 * What the pilot reads to decide whether to answer from its best article (each 0..1). Unlike the
 * former floor on the fused score (a best article whose title shares nothing with the question
 * could reach at most 0.5, under the 0.58 floor), no single feature caps the answer: an article
 * that only BM25 finds can still be answered when it stands out far enough from the rest.
 */
export interface AnswerFeatures {
  /** Fused score of the best article (BM25 share + title match share). */
  score: number;
  /** 1 − runner-up / best. */
  margin: number;
  /** The best article's semantic match (title covers the question; or embeddings). */
  title: number;
  /** Share of the best article's title words the question covers. */
  titleCovered: number;
}

/**
 * Logistic model: P(best article is the right one) = σ(bias + Σ weight × feature). Fitted on the
 * StackFAQ validation threads (positives: in-scope questions whose article ranks first; negatives:
 * the others, held-out questions and in-scope questions asked again without their article) by
 * scripts/eval-knowledge.mjs, which refuses to report if these constants drift from its fit.
 */
export const ANSWER_MODEL = {
  bias: -3.151,
  score: 0.763,
  margin: 2.787,
  title: 1.459,
  titleCovered: 1.674,
} as const satisfies Record<keyof AnswerFeatures | 'bias', number>;
/**
 * Lowest probability the pilot answers at (`ai.knowledgeMinConfidence`'s default): chosen with the
 * model on the StackFAQ validation threads (most right citations first while answering ≤ 20% of
 * out-of-scope questions).
 */
export const DEFAULT_MIN_CONFIDENCE = 0.36;
/**
 * Lowest fused score of the best article the pilot answers from, whatever the model says. The
 * margin is a ratio, so a lone article with only a faint word-vector likeness to the question
 * (fused 0.03, runner-up 0) would have the full margin and pass the model in a three-article
 * help center. Each signal alone gives at most 0.5 (the best BM25 article with no title match,
 * or a title covering the question with no shared word), so 0.25 keeps both answerable while
 * refusing an article that has neither half. Not chosen on data: no validation question the model
 * answers scores under 0.55, so every floor up to 0.5 gives the same StackFAQ figures.
 */
export const MIN_SCORE = 0.25;
/**
 * Share of the fused score that is lexical (BM25); the rest is the title's word-vector match (or
 * embeddings). Fixed, not chosen: see scripts/eval-knowledge.mjs.
 */
export const LEXICAL_WEIGHT = 0.5;

/** The model's probability that the best article is the right one (0..1). */
export function answerProbability(features: AnswerFeatures): number {
  const m = ANSWER_MODEL;
  const z =
    m.bias +
    m.score * features.score +
    m.margin * features.margin +
    m.title * features.title +
    m.titleCovered * features.titleCovered;
  return 1 / (1 + Math.exp(-z));
}

/** Passages retrieved to find the best passage of each lexically matching article. */
const CANDIDATE_PASSAGES = 200;
const REFUSAL = 'NO_ANSWER';

/** Why the pilot answered or not: what the admin's "ask the pilot" shows. */
export interface KnowledgeDecision {
  answer: KnowledgeAnswer;
  /** The model's probability that the best article is the right one (0 when nothing matched). */
  confidence: number;
  /** Share of the question's content words the best passage matches. */
  coverage: number;
  /** The best-matching article, even when it was not good enough to answer from. */
  best: Citation | null;
  why: string;
}

/** How much of the question the passage covers word for word (reported, not a threshold). */
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

/** One article's evidence: its best passage by BM25 (if any word matched) and its title match. */
export interface ArticleScore {
  article: ArticleEntry;
  /** Best passage's BM25 score (0 when no passage shares a word with the question). */
  lexical: number;
  passage: PassageHit | null;
  /** Semantic match (0..1): local word-vector coverage of the question by the title, or embeddings. */
  title: number;
}

export interface RankedArticle extends ArticleScore {
  fused: number;
}

const matchers = new WeakMap<KnowledgeIndex, TitleMatcher>();

/** Each article's best passage by BM25, and the articles to score (in index order). */
function lexicalEvidence(question: string, index: KnowledgeIndex) {
  const best = new Map<string, PassageHit>();
  for (const hit of index.query(question, CANDIDATE_PASSAGES))
    if (!best.has(hit.articleId)) best.set(hit.articleId, hit);
  // Snapshots from before the article list know only the articles the lexical search found.
  const articles: readonly ArticleEntry[] = index.articles.length
    ? index.articles
    : [...best.values()].map(({ articleId, title, url, text }) => ({
        articleId,
        title,
        url,
        text,
      }));
  return { best, articles };
}

function combine(
  best: Map<string, PassageHit>,
  articles: readonly ArticleEntry[],
  semantic: readonly number[],
): ArticleScore[] {
  return articles.map((article, i) => {
    const passage = best.get(article.articleId) ?? null;
    return { article, passage, lexical: passage?.score ?? 0, title: semantic[i] ?? 0 };
  });
}

/** Every article's evidence for the question (unordered), with the local title match. */
export function scoreArticles(
  question: string,
  index: KnowledgeIndex,
  vectors: WordVectors,
): ArticleScore[] {
  const { best, articles } = lexicalEvidence(question, index);
  let matcher = index.articles.length ? matchers.get(index) : undefined;
  if (!matcher) {
    matcher = new TitleMatcher(vectors, articles);
    if (index.articles.length) matchers.set(index, matcher);
  }
  return combine(best, articles, matcher.similarities(question));
}

/** The same evidence with another semantic signal (e.g. Workers AI embeddings). */
export async function scoreArticlesWith(
  question: string,
  index: KnowledgeIndex,
  semantic: SemanticScorer,
): Promise<ArticleScore[]> {
  const { best, articles } = lexicalEvidence(question, index);
  return combine(best, articles, await semantic.similarities(question, articles));
}

/** Fused score (BM25 scaled so the best article has 1, plus title match), best first. */
export function rankArticles(
  scores: readonly ArticleScore[],
  lexicalWeight = LEXICAL_WEIGHT,
): RankedArticle[] {
  const top = Math.max(0, ...scores.map((s) => s.lexical)) || 1;
  return scores
    .map((s) => ({
      ...s,
      fused: lexicalWeight * (s.lexical / top) + (1 - lexicalWeight) * s.title,
    }))
    .sort((a, b) => b.fused - a.fused);
}

/** Margin of the best article over the runner-up (1 when alone, 0 when tied or nothing). */
export function marginOf(ranked: readonly RankedArticle[]): number {
  const [top, runnerUp] = ranked;
  if (!top || top.fused <= 0) return 0;
  return runnerUp ? Math.max(0, 1 - runnerUp.fused / top.fused) : 1;
}

/** The decision's features for the best of the ranked articles (vectors: null = same words only). */
export function answerFeatures(
  question: string,
  ranked: readonly RankedArticle[],
  vectors: WordVectors | null,
): AnswerFeatures {
  const top = ranked[0];
  if (!top) return { score: 0, margin: 0, title: 0, titleCovered: 0 };
  return {
    score: top.fused,
    margin: marginOf(ranked),
    title: top.title,
    titleCovered: titleCoverage(question, top.article.title, vectors),
  };
}

const passageOf = (r: RankedArticle): PassageHit =>
  r.passage ?? { ...r.article, id: `${r.article.articleId}#0`, score: 0, queryTerms: [] };

export async function decideKnowledgeAnswer(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeDecision> {
  if (isHandoverRequest(question)) {
    const why = 'The visitor asked for a person.';
    return { answer: { kind: 'handoverRequested' }, confidence: 0, coverage: 0, best: null, why };
  }
  if (index.passageCount === 0) {
    // No knowledge: nothing to rank, and the word vectors are never loaded for this pilot.
    const why = 'The pilot has no knowledge articles.';
    return { answer: { kind: 'noAnswer' }, confidence: 0, coverage: 0, best: null, why };
  }
  const vectors = options.semantic ? null : await loadWordVectors();
  const ranked = rankArticles(
    options.semantic
      ? await scoreArticlesWith(question, index, options.semantic)
      : scoreArticles(question, index, vectors as WordVectors),
  );
  const signal = options.semantic?.label ?? 'title match';
  const top = ranked[0];
  if (!top || top.fused <= 0) {
    const why = 'No article matches the question.';
    return { answer: { kind: 'noAnswer' }, confidence: 0, coverage: 0, best: null, why };
  }
  const features = answerFeatures(question, ranked, vectors);
  const confidence = answerProbability(features);
  const covered = top.passage ? coverage(question, top.passage) : 0;
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const best = citationOf(passageOf(top));
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const evidence = `score ${pct(features.score)} (BM25 ${pct(top.passage ? top.lexical / (Math.max(...ranked.map((r) => r.lexical)) || 1) : 0)} of the best, ${signal} ${pct(top.title)}), margin over "${ranked[1]?.article.title ?? 'nothing'}" ${pct(features.margin)}, title covered by the question ${pct(features.titleCovered)}`;
  if (top.fused < MIN_SCORE) {
    const why = `The best article ("${top.article.title}") matches the question too weakly: ${evidence}; the score needs ${pct(MIN_SCORE)} (confidence ${pct(confidence)}).`;
    return { answer: { kind: 'noAnswer' }, confidence, coverage: covered, best, why };
  }
  if (confidence < minConfidence) {
    const why = `Not sure enough that "${top.article.title}" answers the question: confidence ${pct(confidence)}, needs ${pct(minConfidence)} (${evidence}).`;
    return { answer: { kind: 'noAnswer' }, confidence, coverage: covered, best, why };
  }
  const passages = ranked.slice(0, options.passages ?? 3).map(passageOf);
  if (options.chat) {
    const answer = await groundedAnswer(question, passages, options.chat, options.persona ?? '');
    const why =
      answer.kind === 'answered'
        ? `The chat model answered from the retrieved passages, citing ${answer.citations.length} source(s).`
        : 'The chat model found no answer in the retrieved passages.';
    const confident = answer.kind === 'answered' ? { ...answer, confidence } : answer;
    return { answer: confident, confidence, coverage: covered, best, why };
  }
  const why = `"${top.article.title}" answers the question with confidence ${pct(confidence)} (needs ${pct(minConfidence)}; ${evidence}).`;
  return {
    answer: {
      kind: 'answered',
      text: extractAnswer(question, passageOf(top).text),
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
