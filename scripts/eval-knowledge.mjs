#!/usr/bin/env node
/**
 * Knowledge answers that abstain, measured on StackFAQ (Karan & Šnajder, Expert Systems with
 * Applications 91, 2018; TakeLab; evaluation only — never shipped in the product or its demo).
 *
 * Protocol (fixed, seed below): the 125 threads are shuffled once; the first 25 are left out of
 * the knowledge base, so their paraphrase queries are out of scope; the other 100 threads are
 * the articles (title = the thread's question, body = all its answers). Threads, not queries,
 * are split: the queries of 12 held-out + 50 knowledge threads are the validation part, the
 * queries of the other 13 + 50 threads are the test part.
 *
 * Everything is chosen on validation only: the lowest fused score and the lowest margin to
 * answer — the combination with the most right citations first in scope while answering ≤ 20%
 * of validation out-of-scope questions (the BM25 share is fixed at 0.5, see `choose`).
 * Validation has only 60 genuinely held-out queries, so each in-scope validation query is also
 * asked once more with its own article taken out of the ranking (an out-of-scope question about
 * a topic the site really lacks, 250 more); the 20% bound holds on both sets. How well that
 * choice carries over to unseen threads is estimated by 5-fold cross-validation over the
 * validation threads. The test part is reported once per design at the shipped defaults
 * (shared/knowledge/answer.ts); every look is recorded in the README.
 * Part of `npm run eval`; runs alone with `node scripts/eval-knowledge.mjs`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import {
  DEFAULT_MIN_CONFIDENCE,
  decideKnowledgeAnswer,
  LEXICAL_WEIGHT,
  MIN_SCORE,
  marginOf,
  rankArticles,
  scoreArticles,
} from '../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../shared/knowledge/knowledge-index.ts';
import { loadWordVectors } from '../shared/knowledge/word-vectors.ts';

const SEED = 20180117;
const HELD_OUT = 25;
const VAL_HELD_OUT = 12;
const VAL_IN_KB = 50;
const MAX_OOS_ANSWERED = 0.2;
const FOLDS = 5;

/**
 * The lowest fused score and margin with the most right citations first in scope while answering
 * ≤ 20% of both kinds of out-of-scope questions. The BM25 share is not chosen: it stays at
 * LEXICAL_WEIGHT = 0.5. StackFAQ's queries paraphrase the titles, which favours the title match
 * (a share under 0.5 did better there), but a help center is also asked about what only article
 * bodies say ("express shipping" in an article titled "Shipping times"); and a share over 0.5
 * (0.7 tied 0.5 on validation) would leave the semantic signal too little of the score to ever
 * answer a question that shares no word with its article (the embeddings path relies on it).
 * Ties (many floors give the same answers) are broken towards the smallest margin, then the
 * middle of the tied floors: the choice farthest from both edges of what validation supports.
 */
function choose(within, score, rule) {
  const feasible = [];
  for (let s = 0; s <= 50; s++)
    for (let m = 0; m <= 40; m++) {
      const answers = rule(s / 50, m / 100);
      const val = score(['val'], answers, within);
      const removed = score(['val-removed'], answers, within);
      if (val.oosAnswered <= MAX_OOS_ANSWERED && removed.oosAnswered <= MAX_OOS_ANSWERED)
        feasible.push({
          minScore: s / 50,
          minMargin: m / 100,
          rightFirst: val.rightFirst,
          oosAnswered: val.oosAnswered,
          removedAnswered: removed.oosAnswered,
        });
    }
  const best = Math.max(...feasible.map((c) => c.rightFirst));
  const tied = feasible.filter((c) => c.rightFirst === best);
  const margin = Math.min(...tied.map((c) => c.minMargin));
  const atMargin = tied.filter((c) => c.minMargin === margin);
  return { weight: LEXICAL_WEIGHT, ...atMargin[Math.floor((atMargin.length - 1) / 2)] };
}

const readJsonl = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));

const percentile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export async function evalKnowledge(datasets) {
  const dir = resolve(datasets, 'stackfaq');
  const threads = readJsonl(resolve(dir, 'faq_threads.jsonl'));
  const queries = readJsonl(resolve(dir, 'queries-dev.jsonl'));
  const order = shuffleInPlace(
    threads.map((t) => t.faq_id),
    seededRandom(SEED),
  );
  const heldOut = new Set(order.slice(0, HELD_OUT));
  const validation = new Set([
    ...order.slice(0, VAL_HELD_OUT),
    ...order.slice(HELD_OUT, HELD_OUT + VAL_IN_KB),
  ]);
  const articles = threads
    .filter((t) => !heldOut.has(t.faq_id))
    .map((t) => ({
      id: t.faq_id,
      title: t.question,
      body: t.all_answers.join('\n\n'),
      url: `https://stackfaq.example/${t.faq_id}`,
    }));
  const index = KnowledgeIndex.build(articles);
  const vectors = await loadWordVectors();
  const timings = [];
  const rows = [];
  for (const query of queries) {
    const started = performance.now();
    // The shipped decision, timed end to end (vectors already loaded).
    const decision = await decideKnowledgeAnswer(query.text, index);
    timings.push(performance.now() - started);
    const part = validation.has(query.gold_faq_id) ? 'val' : 'test';
    const outOfScope = heldOut.has(query.gold_faq_id);
    const scores = scoreArticles(query.text, index, vectors);
    rows.push({ part, outOfScope, gold: query.gold_faq_id, scores, decision });
    // The same question with its own article out of the ranking: an out-of-scope question.
    if (part === 'val' && !outOfScope)
      rows.push({
        part: 'val-removed',
        outOfScope: true,
        gold: query.gold_faq_id,
        scores: scores.filter((s) => s.article.articleId !== query.gold_faq_id),
      });
  }
  // Fused ranking at a weight, then thresholds applied to the best article.
  const decide = (weight) => {
    for (const row of rows) {
      const ranked = rankArticles(row.scores, weight);
      row.top = ranked[0]?.article.articleId;
      row.fused = ranked[0]?.fused ?? 0;
      row.margin = marginOf(ranked);
    }
  };
  const score = (parts, answers, within = rows) => {
    const inScope = within.filter((r) => parts.includes(r.part) && !r.outOfScope);
    const outOfScope = within.filter((r) => parts.includes(r.part) && r.outOfScope);
    return {
      inScope: inScope.length,
      outOfScope: outOfScope.length,
      rightFirst: inScope.filter((r) => r.top === r.gold && answers(r)).length / inScope.length,
      oosAnswered: outOfScope.filter(answers).length / outOfScope.length,
      rightFirstIfAnswering: inScope.filter((r) => r.top === r.gold).length / inScope.length,
    };
  };
  const rule = (minScore, minMargin) => (r) => r.fused >= minScore && r.margin >= minMargin;
  decide(LEXICAL_WEIGHT);
  const chosen = choose(
    rows.filter((r) => r.part !== 'test'),
    score,
    rule,
  );
  // How well choosing on validation carries over to threads it did not see: 5 folds of the
  // validation threads, thresholds chosen on 4 and applied to the 5th.
  const folds = new Map(
    shuffleInPlace([...validation].sort(), seededRandom(SEED + 1)).map((id, i) => [id, i % FOLDS]),
  );
  const picked = new Map();
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = rows.filter((r) => r.part !== 'test' && folds.get(r.gold) !== fold);
    const c = choose(train, score, rule);
    for (const r of rows)
      if (r.part !== 'test' && folds.get(r.gold) === fold)
        picked.set(r, rule(c.minScore, c.minMargin)(r));
  }
  const crossValidated = {
    val: score(['val'], (r) => picked.get(r)),
    valRemoved: score(['val-removed'], (r) => picked.get(r)),
  };
  const shipped = rule(MIN_SCORE, DEFAULT_MIN_CONFIDENCE);
  // What the product does (decideKnowledgeAnswer) must be what the table reports.
  const mismatches = rows.filter(
    (r) => r.decision && (r.decision.answer.kind === 'answered') !== shipped(r),
  );
  if (mismatches.length)
    throw new Error(`eval and product disagree on ${mismatches.length} questions`);
  decide(0);
  const titleOnly = { alone: score(['test'], () => true) };
  decide(1);
  const bm25 = {
    margin: score(['test'], (r) => r.margin >= 0.29),
    alone: score(['test'], () => true),
  };
  decide(LEXICAL_WEIGHT);
  return {
    threads: threads.length,
    articles: articles.length,
    queries: queries.length,
    vocabulary: vectors.size,
    chosen,
    crossValidated,
    shipped: { weight: LEXICAL_WEIGHT, minScore: MIN_SCORE, minMargin: DEFAULT_MIN_CONFIDENCE },
    val: score(['val'], shipped),
    valRemoved: score(['val-removed'], shipped),
    test: score(['test'], shipped),
    bm25,
    titleOnly,
    p50: percentile(timings, 0.5),
    p99: percentile(timings, 0.99),
  };
}

export function printKnowledge(r) {
  const pct = (x) => (100 * x).toFixed(1);
  console.log(
    `\nStackFAQ knowledge answers: ${r.articles} threads in the knowledge base, ${r.threads - r.articles} held out (out of scope), ${r.queries} paraphrase queries; threads split into validation / test (seed ${SEED}); local word vectors: ${r.vocabulary} words\n`,
  );
  const c = r.chosen;
  const s = r.shipped;
  const cv = r.crossValidated;
  console.log(
    `Chosen on validation (BM25 share fixed at ${c.weight}; stemmed BM25): lowest fused score ${c.minScore}, lowest margin ${c.minMargin} — validation right first ${pct(c.rightFirst)}%, out-of-scope answered ${pct(c.oosAnswered)}% (own article removed: ${pct(c.removedAnswered)}%) (shipped: ${s.weight}, ${s.minScore}, ${s.minMargin}). Cross-validated over the validation threads (5 folds: chosen on 4, scored on the 5th): right first ${pct(cv.val.rightFirst)}%, out-of-scope answered ${pct(cv.val.oosAnswered)}% (own article removed: ${pct(cv.valRemoved.oosAnswered)}%). Targets: right first ≥ 75% of in-scope, out-of-scope answered ≤ 20%\n`,
  );
  console.log(
    '| design | part | in-scope queries | right citation first | out-of-scope queries | out-of-scope answered |',
  );
  console.log('|---|---|---:|---:|---:|---:|');
  const line = (name, part, x) =>
    console.log(
      `| ${name} | ${part} | ${x.inScope} | ${x.inScope ? pct(x.rightFirst) : '—'} | ${x.outOfScope} | ${pct(x.oosAnswered)} |`,
    );
  const always = (x) => ({ ...x, rightFirst: x.rightFirstIfAnswering, oosAnswered: 1 });
  line('BM25 alone, always answer', 'test', always(r.bm25.alone));
  line('previous: BM25 margin ≥ 0.29 (without its coverage floor)', 'test', r.bm25.margin);
  line('title word vectors alone, always answer', 'test', always(r.titleOnly.alone));
  line('fused, always answer', 'validation', always(r.val));
  line('fused, always answer', 'test', always(r.test));
  line('**fused + score and margin (shipped)**', 'validation', r.val);
  line('**fused + score and margin (shipped)**', 'validation, own article removed', r.valRemoved);
  line('**fused + score and margin (shipped)**', '**test**', r.test);
  console.log(
    `\nLatency per question (local, 100 articles, vectors loaded): p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const datasets = process.env.EVAL_DATASETS ?? resolve(root, '../shared/datasets');
  printKnowledge(await evalKnowledge(datasets));
}
