#!/usr/bin/env node
/**
 * Knowledge answers on SMALL knowledge bases (issue 17), VALIDATION THREADS ONLY. Site owners
 * start with a handful of articles, while the shipped answer model was fitted on one base of 100.
 * For bases of 3, 5, 10, 25 and 50 articles drawn from the validation threads in scope (fixed
 * seed; 15 bases each up to 10 articles, 6 above), in-scope questions are those threads'
 * paraphrases, out-of-scope ones the held-out validation threads' paraphrases plus those of 8
 * in-scope validation threads left out of that base; size 100 is the eval's own base (validation
 * queries). Prints right first / out-of-scope answered per size for the shipped decision, for an
 * absolute evidence floor on top of it (mean of the best article's non-BM25 views, which are not
 * relative to the other articles as BM25's scale and the consensus are), and for answer models
 * fitted on all sizes pooled, each at the lowest threshold that keeps out-of-scope answered
 * ≤ 20% at every size.
 *   npx node eval/explore-small-knowledge.mjs
 */
import { readStackFaq } from '../scripts/eval-knowledge.mjs';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import {
  answerFeatures,
  answerProbability,
  DEFAULT_MIN_CONFIDENCE,
  MIN_SCORE,
  rankArticles,
  scoreArticles,
} from '../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../shared/knowledge/knowledge-index.ts';
import { loadWordVectors } from '../shared/knowledge/word-vectors.ts';

const SIZES = [3, 5, 10, 25, 50];
const OTHER_THREADS = 8;
const datasets = process.env.EVAL_DATASETS ?? '/work/shared/datasets';
const vectors = await loadWordVectors();
const { threads, validation, heldOut, queries, articles } = readStackFaq(datasets, {
  withTest: false,
});
const valThreads = threads.filter((t) => validation.has(t.faq_id));
const inScope = valThreads.filter((t) => !heldOut.has(t.faq_id)).map((t) => t.faq_id);
const outside = valThreads.filter((t) => heldOut.has(t.faq_id)).map((t) => t.faq_id);
const asked = new Map();
for (const q of queries) asked.set(q.gold_faq_id, [...(asked.get(q.gold_faq_id) ?? []), q.text]);

function featuresOf(text, index) {
  const ranked = rankArticles(scoreArticles(text, index, vectors));
  const top = ranked[0];
  if (!top || top.fused <= 0) return { top: null, consensus: 0, evidence: 0, score: 0 };
  const f = answerFeatures(ranked);
  const absolute = [top.title, ...(top.lead === null ? [] : [top.lead]), top.titleChars];
  absolute.push(top.leadChars);
  const evidence = absolute.reduce((a, b) => a + b, 0) / absolute.length;
  return { top: top.article.articleId, consensus: f.consensus, evidence, score: f.score };
}

const rows = [];
const random = seededRandom(11);
for (const size of SIZES) {
  for (let k = 0; k < (size > 10 ? 6 : 15); k++) {
    const order = shuffleInPlace([...inScope], random);
    const kb = new Set(order.slice(0, size));
    const index = KnowledgeIndex.build(
      valThreads
        .filter((t) => kb.has(t.faq_id))
        .map((t) => ({
          id: t.faq_id,
          title: t.question,
          body: t.all_answers.join('\n\n'),
          url: `https://stackfaq.example/${t.faq_id}`,
        })),
    );
    for (const id of kb)
      for (const text of asked.get(id) ?? [])
        rows.push({ size, oos: false, gold: id, ...featuresOf(text, index) });
    for (const id of [...outside, ...order.slice(size, size + OTHER_THREADS)])
      for (const text of asked.get(id) ?? [])
        rows.push({ size, oos: true, gold: null, ...featuresOf(text, index) });
  }
}
const big = KnowledgeIndex.build(articles);
for (const q of queries)
  rows.push({
    size: 100,
    oos: heldOut.has(q.gold_faq_id),
    gold: q.gold_faq_id,
    ...featuresOf(q.text, big),
  });
for (const r of rows) {
  r.right = !r.oos && r.top === r.gold;
  r.small = 1 / Math.log2(r.size + 1);
}

const ALL = [...SIZES, 100];
const pct = (n, d) => (d ? ((100 * n) / d).toFixed(0) : '—');
function line(name, answers) {
  const parts = ALL.map((size) => {
    const r = rows.filter((x) => x.size === size);
    const ins = r.filter((x) => !x.oos);
    const oos = r.filter((x) => x.oos);
    const right = ins.filter((x) => x.right && answers(x)).length;
    return `${size}: ${pct(right, ins.length)}/${pct(oos.filter(answers).length, oos.length)}`;
  });
  console.log(`${name.padEnd(44)} ${parts.join('  ')}`);
}
const shipped = (x) =>
  x.score >= MIN_SCORE && answerProbability(x) >= DEFAULT_MIN_CONFIDENCE && x.top !== null;
const feasible = (answers) =>
  ALL.every((size) => {
    const oos = rows.filter((x) => x.size === size && x.oos);
    return oos.filter(answers).length <= 0.2 * oos.length;
  });

/** Logistic regression of "the best article is right" (as scripts/eval-knowledge.mjs fits it). */
function fitModel(features) {
  const w = new Array(features.length + 1).fill(0);
  const xs = rows.map((r) => [1, ...features.map((k) => r[k])]);
  for (let step = 0; step < 3000; step++) {
    const grad = new Array(w.length).fill(0);
    xs.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((sum, v, j) => sum + v * w[j], 0)));
      x.forEach((v, j) => {
        grad[j] += (p - (rows[i].right ? 1 : 0)) * v;
      });
    });
    for (let j = 0; j < w.length; j++) w[j] -= 0.5 * (grad[j] / xs.length + (j ? 0.01 * w[j] : 0));
  }
  return (r) =>
    r.score < MIN_SCORE
      ? 0
      : 1 / (1 + Math.exp(-[1, ...features.map((k) => r[k])].reduce((s, v, j) => s + v * w[j], 0)));
}

console.log('knowledge base size: right first % / out-of-scope answered % (validation threads)');
line('shipped (consensus model, p >= 0.36)', shipped);
for (const floor of [0.2, 0.25, 0.3, 0.35])
  line(`shipped + evidence >= ${floor}`, (x) => shipped(x) && x.evidence >= floor);
for (const features of [
  ['consensus'],
  ['consensus', 'evidence'],
  ['consensus', 'evidence', 'small'],
]) {
  const p = fitModel(features);
  let t = 0;
  while (t < 100 && !feasible((x) => p(x) >= t / 100)) t++;
  line(`pooled fit on ${features.join(' + ')}, p >= ${t / 100}`, (x) => p(x) >= t / 100);
}
