/**
 * The small-knowledge-base harness both explorations share (eval/explore-small-knowledge.mjs,
 * eval/explore-small-background.mjs; issue 17), VALIDATION THREADS ONLY: the StackFAQ validation
 * threads, the bases of 3–50 of them drawn with a fixed seed (15 bases up to 10 articles, 6
 * above), their in-scope and out-of-scope questions, the per-size summary line, the shipped
 * decision, and the pooled logistic fit. Size 100 is the eval's own validation base.
 */
import { readStackFaq } from '../scripts/eval-knowledge.mjs';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import {
  answerProbability,
  DEFAULT_MIN_CONFIDENCE,
  MIN_SCORE,
  passesFloors,
} from '../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../shared/knowledge/knowledge-index.ts';
import { loadWordVectors } from '../shared/knowledge/word-vectors.ts';

export const SIZES = [3, 5, 10, 25, 50];
/** Every size reported: the drawn bases, then the eval's base of 100. */
export const ALL_SIZES = [...SIZES, 100];
/** In-scope validation threads left out of a base: their questions are out of scope there. */
const OTHER_THREADS = 8;

export const datasets = process.env.EVAL_DATASETS ?? '/work/shared/datasets';
export const vectors = await loadWordVectors();
const stackFaq = readStackFaq(datasets, { withTest: false });
export const { heldOut, queries, articles } = stackFaq;
const valThreads = stackFaq.threads.filter((t) => stackFaq.validation.has(t.faq_id));
const inScope = valThreads.filter((t) => !heldOut.has(t.faq_id)).map((t) => t.faq_id);
const outside = valThreads.filter((t) => heldOut.has(t.faq_id)).map((t) => t.faq_id);
const asked = new Map();
for (const q of queries) asked.set(q.gold_faq_id, [...(asked.get(q.gold_faq_id) ?? []), q.text]);

/**
 * Each drawn base, in order (seed 11): its size, its article inputs (for KnowledgeIndex.build),
 * its in-scope questions (with their thread) and its out-of-scope ones.
 */
export function* smallBases() {
  const random = seededRandom(11);
  for (const size of SIZES) {
    for (let k = 0; k < (size > 10 ? 6 : 15); k++) {
      const order = shuffleInPlace([...inScope], random);
      const kb = new Set(order.slice(0, size));
      const inputs = valThreads
        .filter((t) => kb.has(t.faq_id))
        .map((t) => ({
          id: t.faq_id,
          title: t.question,
          body: t.all_answers.join('\n\n'),
          url: `https://stackfaq.example/${t.faq_id}`,
        }));
      const inside = [...kb].flatMap((id) => (asked.get(id) ?? []).map((text) => ({ id, text })));
      const away = [...outside, ...order.slice(size, size + OTHER_THREADS)].flatMap(
        (id) => asked.get(id) ?? [],
      );
      yield { size, inputs, inside, away };
    }
  }
}

/** The eval's base of 100 articles (its held-out threads' questions are out of scope). */
export const fullBase = () => KnowledgeIndex.build(articles);

export const pct = (n, d) => (d ? ((100 * n) / d).toFixed(0) : '—');

/**
 * "size: right first % / out-of-scope answered %" for every size, as `answers` decides;
 * `right` says whether a row's best article is its own (the shipped ranking, or a variant's).
 */
export function sizeParts(rows, answers, right = (x) => x.right) {
  return ALL_SIZES.map((size) => {
    const r = rows.filter((x) => x.size === size);
    const ins = r.filter((x) => !x.oos);
    const oos = r.filter((x) => x.oos);
    const hits = ins.filter((x) => right(x) && answers(x)).length;
    return `${size}: ${pct(hits, ins.length)}/${pct(oos.filter(answers).length, oos.length)}`;
  }).join('  ');
}

/** The shipped decision on a row's features (shared/knowledge/answer.ts). */
export const shipped = (x) =>
  x.top !== null && passesFloors(x) && answerProbability(x) >= DEFAULT_MIN_CONFIDENCE;

/** `answers` keeps every size at ≤ 20% of its out-of-scope questions answered. */
export const feasible = (rows, answers) =>
  ALL_SIZES.every((size) => {
    const oos = rows.filter((x) => x.size === size && x.oos);
    return oos.filter(answers).length <= 0.2 * oos.length;
  });

/**
 * Logistic regression of "the best article is the right one" pooled over all sizes (as
 * scripts/eval-knowledge.mjs fits it); returns the probability per row, its weights as `.w`.
 */
export function fitModel(rows, features) {
  const w = new Array(features.length + 1).fill(0);
  const xs = rows.map((r) => [1, ...features.map((k) => r[k] ?? 0)]);
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
  const p = (r) =>
    r.top === null || r.score < MIN_SCORE
      ? 0
      : 1 /
        (1 +
          Math.exp(-[1, ...features.map((k) => r[k] ?? 0)].reduce((s, v, j) => s + v * w[j], 0)));
  p.w = w;
  return p;
}
