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
 * The bases, questions and summary are eval/small-knowledge-bases.mjs's.
 *   npx node eval/explore-small-knowledge.mjs
 */
import {
  answerFeatures,
  answerProbability,
  MIN_SCORE,
  rankArticles,
  scoreArticles,
} from '../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../shared/knowledge/knowledge-index.ts';
import {
  feasible,
  fitModel,
  fullBase,
  heldOut,
  queries,
  shipped,
  sizeParts,
  smallBases,
  vectors,
} from './small-knowledge-bases.mjs';

function featuresOf(text, index) {
  const ranked = rankArticles(scoreArticles(text, index, vectors));
  const top = ranked[0];
  if (!top || top.fused <= 0) return { top: null, consensus: 0, evidence: 0, score: 0 };
  const f = answerFeatures(ranked);
  return {
    top: top.article.articleId,
    consensus: f.consensus,
    evidence: f.evidence,
    score: f.score,
  };
}

const rows = [];
for (const { size, inputs, inside, away } of smallBases()) {
  const index = KnowledgeIndex.build(inputs);
  for (const { id, text } of inside)
    rows.push({ size, oos: false, gold: id, ...featuresOf(text, index) });
  for (const text of away) rows.push({ size, oos: true, gold: null, ...featuresOf(text, index) });
}
const big = fullBase();
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

const line = (name, answers) => console.log(`${name.padEnd(44)} ${sizeParts(rows, answers)}`);

console.log('knowledge base size: right first % / out-of-scope answered % (validation threads)');
line('shipped (consensus model, p >= 0.36; evidence >= 0.18)', shipped);
line(
  'before the evidence floor',
  (x) => x.top !== null && x.score >= MIN_SCORE && answerProbability(x) >= 0.36,
);
for (const floor of [0.2, 0.25, 0.3, 0.35])
  line(`shipped + evidence >= ${floor}`, (x) => shipped(x) && x.evidence >= floor);
for (const features of [
  ['consensus'],
  ['consensus', 'evidence'],
  ['consensus', 'evidence', 'small'],
]) {
  const p = fitModel(rows, features);
  let t = 0;
  while (t < 100 && !feasible(rows, (x) => p(x) >= t / 100)) t++;
  line(`pooled fit on ${features.join(' + ')}, p >= ${t / 100}`, (x) => p(x) >= t / 100);
}
