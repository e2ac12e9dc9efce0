/**
 * Knowledge answers for the `ai_answer` node and the pilot's default answer:
 * handover request → `handoverRequested`; else rank articles; weak or ambiguous best article →
 * `noAnswer`; else an extractive answer (the best-matching sentences, local) or, with a chat
 * model, a grounded answer that must cite the numbered sources and may refuse (`NO_ANSWER`).
 *
 * Ranking fuses five views of each article with equal shares: BM25 over its passages (MiniSearch,
 * stemmed), how well its title and its lead (title + start of the first passage) cover the
 * question's words in GloVe space (semantic.ts; bridges paraphrases that share no word), and the
 * character n-gram cosine of the question with its title and its lead (char-grams.ts; typos and
 * word forms). Whether to answer is a one-feature logistic model over the views' consensus: how
 * clearly each view, on its own, puts the best article ahead of every other. The pilot answers
 * when the model's probability that the best article is the right one reaches minConfidence (and
 * the best article's fused score reaches a low floor, MIN_SCORE).
 * Coefficients and the default threshold were fitted on the StackFAQ validation threads only
 * (scripts/eval-knowledge.mjs fits them and checks the product decides as it does; README's AI
 * section). With Workers AI embeddings (`semantic`) there are four views, not five: one
 * embedding match replaces both word-vector views, and the same coefficients, threshold and
 * MIN_SCORE are applied to their consensus — fitted on the five local views, not validated
 * offline for the four.
 */
import type { ChatModel } from '../ai/chat-model.ts';
import type { Citation, KnowledgeAnswer } from './article.ts';
import { CharGramMatcher, type QuestionGrams, questionGrams } from './char-grams.ts';
import { isHandoverRequest } from './handover.ts';
import type { ArticleEntry, KnowledgeIndex, PassageHit } from './knowledge-index.ts';
import { TitleMatcher, WordTable } from './semantic.ts';
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
 * What the pilot reads to decide whether to answer from its best article. The model reads only
 * `consensus`; the others are shown in `why` (and `score` has a floor, MIN_SCORE).
 */
export interface AnswerFeatures {
  /** Fused score of the best article: the mean of its views (0..1). */
  score: number;
  /** 1 − runner-up / best, on the fused score. */
  margin: number;
  /**
   * How clearly every view picks the best article: per view, (its value − the best value of any
   * other article) / the larger of the two, averaged over the views (−1..1). Negative when views
   * prefer another article. Two different rankers agreeing was the one signal that told right
   * from wrong in every experiment (eval/USE-EXPERIMENT.md); this measures it by how much.
   */
  consensus: number;
  /**
   * How much the best article is like the question on its own, not against the other articles:
   * the mean of its title and lead semantic views and its title and lead character views (0..1).
   * BM25's scale and the consensus are relative, so with few articles an unrelated question still
   * finds a "clear" best one; this is the floor's input (MIN_EVIDENCE).
   */
  evidence: number;
}

/**
 * Logistic model: P(best article is the right one) = σ(bias + consensus × weight). Fitted on the
 * StackFAQ validation threads (positives: in-scope questions whose article ranks first; negatives:
 * the others, held-out questions and in-scope questions asked again without their article) by
 * scripts/eval-knowledge.mjs, which refuses to report if these constants drift from its fit. One
 * feature: the four-feature model before it fitted validation (71.2% right first) and fell to
 * 49.2% on test.
 */
export const ANSWER_MODEL = {
  bias: -0.915,
  consensus: 3.643,
} as const satisfies Partial<Record<keyof AnswerFeatures | 'bias', number>>;
/**
 * Lowest probability the pilot answers at (`ai.knowledgeMinConfidence`'s default): chosen with the
 * model on the StackFAQ validation threads (most right citations first while answering ≤ 20% of
 * out-of-scope questions).
 */
export const DEFAULT_MIN_CONFIDENCE = 0.36;
/**
 * Lowest fused score of the best article the pilot answers from, whatever the model says. The
 * consensus is a ratio, so a lone article with only a faint likeness to the question (runner-up 0
 * in every view) would have the full consensus. One view at full strength (an article only BM25
 * finds, every other view 0) gives 0.2 of five; a faint likeness in every view gives less. Not
 * chosen on data. With Workers AI embeddings (four views) one view alone gives 0.25, so the floor
 * is relatively lower there (not validated offline).
 */
export const MIN_SCORE = 0.2;
/**
 * Lowest `evidence` (AnswerFeatures) the pilot answers from. Chosen on the StackFAQ validation
 * threads with knowledge bases of 3 to 100 articles (`node eval/explore-small-knowledge.mjs`): at
 * 0.18 no size loses a right answer, and out-of-scope questions answered fall from 66 / 58 / 47 /
 * 45 / 38 / 17% to 41 / 46 / 43 / 43 / 37 / 17% at 3 / 5 / 10 / 25 / 50 / 100 articles; it is the
 * largest that keeps the issue's own paraphrase ("how many days until my package gets to
 * Berlin?", evidence 0.19 against its delivery article: a requirement, held by the unit tests) —
 * 0.2 and above lose it. Measured with the local word vectors; with embeddings the semantic views
 * run higher, so the floor holds back less there (not validated offline).
 */
export const MIN_EVIDENCE = 0.18;

/** Whether the best article passes both floors (the answer model decides among those that do). */
export function passesFloors(features: Pick<AnswerFeatures, 'score' | 'evidence'>): boolean {
  return features.score >= MIN_SCORE && features.evidence >= MIN_EVIDENCE;
}

/** AnswerFeatures.evidence of one ranked article. */
export function evidenceOf(top: ArticleScore): number {
  const views = [
    top.title,
    ...(top.lead === null ? [] : [top.lead]),
    top.titleChars,
    top.leadChars,
  ];
  return views.reduce((sum, v) => sum + v, 0) / views.length;
}

/** The model's probability that the best article is the right one (0..1). */
export function answerProbability(features: Pick<AnswerFeatures, 'consensus'>): number {
  const m = ANSWER_MODEL;
  return 1 / (1 + Math.exp(-(m.bias + m.consensus * features.consensus)));
}

/** Passages retrieved to find the best passage of each lexically matching article. */
const CANDIDATE_PASSAGES = 200;
const REFUSAL = 'NO_ANSWER';

/** Why the pilot answered or not: what the admin's "ask the pilot" shows. */
export interface KnowledgeDecision {
  answer: KnowledgeAnswer;
  /** The model's probability that the best article is the right one (0 when nothing matched). */
  confidence: number;
  /** Share of the question's content words the best passage matches (worked out when read). */
  readonly coverage: number;
  /** The best-matching article, even when it was not good enough to answer from. */
  best: Citation | null;
  /** Why the pilot answers or not, in a sentence (worked out when read). */
  readonly why: string;
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

/**
 * One article's evidence, one number per view of it: BM25 over its passages, its title's and its
 * lead's word-vector match (or one Workers AI embedding match in their place), and its title's
 * and lead's character n-gram match. The lead is the title followed by the start of the first
 * passage: the answer's own words, which a paraphrase of the question often uses.
 */
export interface ArticleScore {
  article: ArticleEntry;
  /** Best passage's BM25 score (0 when no passage shares a word with the question). */
  lexical: number;
  passage: PassageHit | null;
  /** Semantic match (0..1): local word-vector coverage of the question by the title, or embeddings. */
  title: number;
  /** Word-vector coverage of the question by the lead (0..1); null with embeddings. */
  lead: number | null;
  /** Character n-gram cosine of the question with the title (0..1). */
  titleChars: number;
  /** Character n-gram cosine of the question with the lead (0..1). */
  leadChars: number;
}

export interface RankedArticle extends ArticleScore {
  /** Mean of the views (BM25 scaled so the best article has 1). */
  fused: number;
  /** The views as fused (0..1 each), the consensus's input. */
  views: number[];
}

/**
 * Words of the first passage in the lead (title + these words), read by both lead views: the
 * word-vector view and the character view. Bounds their distinct words; the character views are
 * also bounded in total (char-grams.ts MAX_POSTINGS), as they stay cached for the isolate's life.
 */
export const LEAD_WORDS = 40;
/**
 * Lead words over all articles at most: each article's lead gets an equal share, at most
 * LEAD_WORDS (all 40 up to 2,500 articles; 10 each at 10,000, the most 8,000,000 characters of
 * knowledge hold at ~800 characters an article). The lead views live as long as the isolate:
 * this bounds the lead word view's size and build time as MAX_POSTINGS bounds the char views.
 */
export const MAX_LEAD_WORDS = 100_000;

interface Views {
  title: TitleMatcher | null;
  lead: TitleMatcher | null;
  titleChars: CharGramMatcher;
  leadChars: CharGramMatcher;
}

const viewsOf = new WeakMap<KnowledgeIndex, Views>();
let viewBuilds = 0;
/** How many times the views of some index were built (a second question must not add one). */
export const viewBuildCount = () => viewBuilds;

/** Words of each lead for a knowledge base of `articles` articles. */
export const leadWordsFor = (articles: number) =>
  Math.min(LEAD_WORDS, Math.floor(MAX_LEAD_WORDS / Math.max(1, articles)));

/** Characters read for a lead word: 40 words of prose fit far within 32 characters each. */
const LEAD_WORD_CHARS = 32;

/** The title followed by the first `words` words of the first passage. */
const leadOf = (article: ArticleEntry, words: number) =>
  `${article.title} ${tokenizeWords(article.text.slice(0, words * LEAD_WORD_CHARS))
    .slice(0, words)
    .join(' ')}`;

/** The matchers of an index's articles, built once per index (vectors: null = embeddings). */
function viewsFor(
  index: KnowledgeIndex,
  articles: readonly ArticleEntry[],
  vectors: WordVectors | null,
): Views {
  const cached = index.articles.length ? viewsOf.get(index) : undefined;
  if (cached && (cached.title || !vectors)) return cached;
  viewBuilds++;
  // The lead repeats the title's words: one table compares a question's words with both.
  const table = vectors ? new WordTable(vectors) : null;
  const words = leadWordsFor(articles.length);
  // Each title and lead is read into words once, for its word view and its char view.
  let titles: string[][] | undefined;
  const titlesOf = () => {
    titles ??= articles.map((a) => contentTerms(a.title));
    return titles;
  };
  let leads: string[][] | undefined;
  const leadsOf = () => {
    leads ??= articles.map((a) => contentTerms(leadOf(a, words)));
    return leads;
  };
  const views: Views = {
    title: vectors
      ? new TitleMatcher(
          vectors,
          titlesOf().map((terms) => ({ terms })),
          table ?? undefined,
        )
      : null,
    lead: vectors
      ? new TitleMatcher(
          vectors,
          leadsOf().map((terms) => ({ terms })),
          table ?? undefined,
        )
      : null,
    titleChars: cached?.titleChars ?? new CharGramMatcher(titlesOf()),
    leadChars: cached?.leadChars ?? new CharGramMatcher(leadsOf()),
  };
  if (index.articles.length) viewsOf.set(index, views);
  return views;
}

/** Each article's best passage by BM25, and the articles to score (in index order). */
function lexicalEvidence(question: string, index: KnowledgeIndex) {
  const best = new Map<string, PassageHit>();
  for (const hit of index.query(question, CANDIDATE_PASSAGES))
    if (!best.has(hit.articleId)) best.set(hit.articleId, hit);
  // An index without an article list (none could be read from its snapshot) knows only the
  // articles the lexical search found.
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

/**
 * The question as the views read it, read once per question: its content terms (title and lead
 * word views) and their character grams (both character views). Each view reading the question
 * itself tokenized it four times and counted its grams twice.
 */
function readQuestion(question: string): { terms: string[]; grams: QuestionGrams } {
  const terms = contentTerms(question);
  return { terms, grams: questionGrams(terms) };
}

/**
 * Every article's scores from the views that do not read BM25 (lexical 0, no passage yet). Only
 * these make up `evidence` (AnswerFeatures), so they alone can tell that no article is like the
 * question enough to be answered from (`likeEnough`), before the lexical search runs.
 */
function viewScores(
  question: { terms: string[]; grams: QuestionGrams },
  articles: readonly ArticleEntry[],
  views: Views,
  semantic: readonly number[],
): ArticleScore[] {
  const lead = views.lead?.similaritiesOf(question.terms) ?? null;
  const titleChars = views.titleChars.similaritiesOf(question.grams);
  const leadChars = views.leadChars.similaritiesOf(question.grams);
  return articles.map((article, i) => ({
    article,
    passage: null,
    lexical: 0,
    title: semantic[i] ?? 0,
    lead: lead ? (lead[i] ?? 0) : null,
    titleChars: titleChars[i] ?? 0,
    leadChars: leadChars[i] ?? 0,
  }));
}

/**
 * Whether some article could be answered from: the pilot refuses a best article whose evidence is
 * under MIN_EVIDENCE (the decision's floor), and BM25 is not part of the evidence, so when every
 * article is under it the answer is no answer whatever the lexical search would find. Written as
 * the floor is (`<`), so a view that is not a number (an embedding scorer's NaN) skips nothing.
 */
const likeEnough = (scores: readonly ArticleScore[]) =>
  !scores.every((score) => evidenceOf(score) < MIN_EVIDENCE);

/**
 * The scores of every view but BM25, and the lexical search if it had to run first (an index
 * without an article list knows only the articles that search finds).
 */
interface Likeness {
  scores: ArticleScore[];
  lexical: ReturnType<typeof lexicalEvidence> | null;
}

function articlesFor(question: string, index: KnowledgeIndex) {
  if (index.articles.length) return { articles: index.articles, lexical: null };
  const lexical = lexicalEvidence(question, index);
  return { articles: lexical.articles, lexical };
}

/** Likeness with the local word vectors. */
function localLikeness(question: string, index: KnowledgeIndex, vectors: WordVectors): Likeness {
  const { articles, lexical } = articlesFor(question, index);
  const views = viewsFor(index, articles, vectors);
  const read = readQuestion(question);
  const title = (views.title as TitleMatcher).similaritiesOf(read.terms);
  return { scores: viewScores(read, articles, views, title), lexical };
}

/** Likeness with another semantic signal (e.g. Workers AI embeddings). */
async function semanticLikeness(
  question: string,
  index: KnowledgeIndex,
  semantic: SemanticScorer,
): Promise<Likeness> {
  const { articles, lexical } = articlesFor(question, index);
  const views = viewsFor(index, articles, null);
  const similarities = await semantic.similarities(question, articles);
  const read = readQuestion(question);
  return { scores: viewScores(read, articles, { ...views, lead: null }, similarities), lexical };
}

/** The scores with each article's best passage by BM25 (in place: they are this question's). */
function withLexical(question: string, index: KnowledgeIndex, likeness: Likeness): ArticleScore[] {
  const best = (likeness.lexical ?? lexicalEvidence(question, index)).best;
  for (const score of likeness.scores) {
    const passage = best.get(score.article.articleId);
    if (passage) {
      score.passage = passage;
      score.lexical = passage.score;
    }
  }
  return likeness.scores;
}

/** Every article's evidence for the question (unordered), with the local word vectors. */
export function scoreArticles(
  question: string,
  index: KnowledgeIndex,
  vectors: WordVectors,
): ArticleScore[] {
  return withLexical(question, index, localLikeness(question, index, vectors));
}

/**
 * How a decision scores the articles: `full` always runs every view (what "ask the pilot" and the
 * eval read); `answer` skips the lexical search when no article is like the question enough to be
 * answered from (`likeEnough`): the same answer, without BM25's share of the work. Off-topic
 * messages take that path (most of CLINC150's questions against the demo's three articles);
 * a question about a topic of the knowledge does not (README, *Knowledge*).
 */
type Scoring = 'full' | 'answer';

/**
 * Fused score, best first: the mean of the article's views. BM25 is scaled so the best article
 * has 1 (its raw value means little across questions); the others are already 0..1 (shares of
 * the question, cosines) and stay as they are, so a faint likeness stays faint. Equal shares:
 * nothing to fit.
 */
export function rankArticles(scores: readonly ArticleScore[]): RankedArticle[] {
  // A loop, not Math.max(...spread): a spread of 120k+ arguments overflows the stack.
  let lexical = 0;
  for (const s of scores) if (s.lexical > lexical) lexical = s.lexical;
  lexical ||= 1;
  return scores
    .map((s) => {
      const views = [
        s.lexical / lexical,
        s.title,
        ...(s.lead === null ? [] : [s.lead]),
        s.titleChars,
        s.leadChars,
      ];
      return { ...s, views, fused: views.reduce((a, b) => a + b, 0) / views.length };
    })
    .sort((a, b) => b.fused - a.fused);
}

/** Margin of the best article over the runner-up (1 when alone, 0 when tied or nothing). */
export function marginOf(ranked: readonly RankedArticle[]): number {
  const [top, runnerUp] = ranked;
  if (!top || top.fused <= 0) return 0;
  return runnerUp ? Math.max(0, 1 - runnerUp.fused / top.fused) : 1;
}

/** How clearly every view picks the best article (AnswerFeatures.consensus; −1..1). */
export function consensusOf(ranked: readonly RankedArticle[]): number {
  const top = ranked[0];
  if (!top) return 0;
  let sum = 0;
  top.views.forEach((value, v) => {
    let other = 0;
    for (let i = 1; i < ranked.length; i++) {
      const x = (ranked[i] as RankedArticle).views[v] ?? 0;
      if (x > other) other = x;
    }
    const larger = Math.max(value, other);
    sum += larger > 0 ? (value - other) / larger : 0;
  });
  return sum / top.views.length;
}

/** The decision's features for the best of the ranked articles. */
export function answerFeatures(ranked: readonly RankedArticle[]): AnswerFeatures {
  const top = ranked[0];
  if (!top) return { score: 0, margin: 0, consensus: 0, evidence: 0 };
  return {
    score: top.fused,
    margin: marginOf(ranked),
    consensus: consensusOf(ranked),
    evidence: evidenceOf(top),
  };
}

const passageOf = (r: RankedArticle): PassageHit =>
  r.passage ?? { ...r.article, id: `${r.article.articleId}#0`, score: 0, queryTerms: [] };

/** Why the pilot answers or not, with every view of every article (the admin's "ask the pilot"). */
export function decideKnowledgeAnswer(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeDecision> {
  return decide(question, index, options, 'full');
}

async function decide(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions,
  scoring: Scoring,
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
  const likeness = options.semantic
    ? await semanticLikeness(question, index, options.semantic)
    : localLikeness(question, index, await loadWordVectors());
  if (scoring === 'answer' && !likeEnough(likeness.scores)) {
    // Read for its answer alone, which BM25 cannot change here (see likeEnough).
    const why = 'No article is like the question enough to answer from.';
    return { answer: { kind: 'noAnswer' }, confidence: 0, coverage: 0, best: null, why };
  }
  const ranked = rankArticles(withLexical(question, index, likeness));
  const signal = options.semantic?.label ?? 'title match';
  const top = ranked[0];
  if (!top || top.fused <= 0) {
    const why = 'No article matches the question.';
    return { answer: { kind: 'noAnswer' }, confidence: 0, coverage: 0, best: null, why };
  }
  const features = answerFeatures(ranked);
  const confidence = answerProbability(features);
  const covered = () => (top.passage ? coverage(question, top.passage) : 0);
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const best = citationOf(passageOf(top));
  const evidence = () => evidenceText(ranked, features, signal);
  if (top.fused < MIN_SCORE) {
    return decided({ kind: 'noAnswer' }, confidence, best, covered, () => {
      return `The best article ("${top.article.title}") matches the question too weakly: ${evidence()}; the score needs ${pct(MIN_SCORE)} (confidence ${pct(confidence)}).`;
    });
  }
  if (features.evidence < MIN_EVIDENCE) {
    return decided({ kind: 'noAnswer' }, confidence, best, covered, () => {
      return `The best article ("${top.article.title}") is too little like the question on its own: ${evidence()}; its likeness (title, lead and their characters) is ${pct(features.evidence)}, needs ${pct(MIN_EVIDENCE)} (confidence ${pct(confidence)}).`;
    });
  }
  if (confidence < minConfidence) {
    return decided({ kind: 'noAnswer' }, confidence, best, covered, () => {
      return `Not sure enough that "${top.article.title}" answers the question: confidence ${pct(confidence)}, needs ${pct(minConfidence)} (${evidence()}).`;
    });
  }
  const passages = ranked.slice(0, options.passages ?? 3).map(passageOf);
  if (options.chat) {
    const answer = await groundedAnswer(question, passages, options.chat, options.persona ?? '');
    const why =
      answer.kind === 'answered'
        ? `The chat model answered from the retrieved passages, citing ${answer.citations.length} source(s).`
        : 'The chat model found no answer in the retrieved passages.';
    const confident = answer.kind === 'answered' ? { ...answer, confidence } : answer;
    return decided(confident, confidence, best, covered, () => why);
  }
  const text = extractAnswer(question, passageOf(top).text);
  return decided(
    { kind: 'answered', text, citations: [best], confidence },
    confidence,
    best,
    covered,
    () =>
      `"${top.article.title}" answers the question with confidence ${pct(confidence)} (needs ${pct(minConfidence)}; ${evidence()}).`,
  );
}

const pct = (x: number) => `${Math.round(100 * x)}%`;

/** What the views said about the best article, for `why`. */
function evidenceText(
  ranked: readonly RankedArticle[],
  features: AnswerFeatures,
  signal: string,
): string {
  const top = ranked[0] as RankedArticle;
  const views = [
    `BM25 ${pct(top.views[0] ?? 0)} of the best`,
    `${signal} ${pct(top.title)}`,
    ...(top.lead === null ? [] : [`lead match ${pct(top.lead)}`]),
    `title characters ${pct(top.titleChars)}`,
    `lead characters ${pct(top.leadChars)}`,
  ];
  return `score ${pct(features.score)} (${views.join(', ')}), margin over "${ranked[1]?.article.title ?? 'nothing'}" ${pct(features.margin)}, the views agree on it ${pct(features.consensus)}`;
}

/**
 * A decision whose `coverage` and `why` are worked out when first read. Only the admin's "ask
 * the pilot" and tests read them; a visitor's turn reads the answer alone, and writing the
 * sentence out for every visitor message was a tenth of the bytes a turn allocated (the
 * garbage collector was a sixth of the hot path's CPU: bench/profile-hot-path.mjs).
 */
function decided(
  answer: KnowledgeAnswer,
  confidence: number,
  best: Citation | null,
  coverage: () => number,
  why: () => string,
): KnowledgeDecision {
  let covered: number | undefined;
  let text: string | undefined;
  return {
    answer,
    confidence,
    best,
    get coverage() {
      covered ??= coverage();
      return covered;
    },
    get why() {
      text ??= why();
      return text;
    },
  };
}

/**
 * The answer alone (a visitor's turn, the `ai_answer` node): the same answer as
 * `decideKnowledgeAnswer`, without the lexical search when no article is like the question
 * enough to be answered from (`Scoring`).
 */
export async function answerFromKnowledge(
  question: string,
  index: KnowledgeIndex,
  options: AnswerOptions = {},
): Promise<KnowledgeAnswer> {
  return (await decide(question, index, options, 'answer')).answer;
}
