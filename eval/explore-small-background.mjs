#!/usr/bin/env node
/**
 * Knowledge answers on SMALL knowledge bases calibrated against a background (issue 17),
 * VALIDATION THREADS ONLY. Same bases and questions as eval/explore-small-knowledge.mjs (bases of
 * 3–50 validation threads, seed 11; size 100 = the eval's validation base). Each article is
 * scored, as if when its index is built, against a fixed background of questions about nothing a
 * site documents: CLINC150's 100 `oos_train` utterances + 2 training utterances of each of its
 * 150 intents (400; CLINC150, Larson et al. 2019, CC BY 3.0 — never StackFAQ, which is evaluation
 * only), per view (raw BM25, title/lead word vectors, title/lead characters). The signals tried,
 * for the best article, against its own background (q = 90th, 95th, 99th percentile, max):
 * `nc` the consensus with that background quantile as one more competitor in every view; `bc`
 * the same over the four non-BM25 views against the background alone (not relative to the other
 * articles at all); `gap` the mean difference to the quantile; `ex` the share of views above it;
 * `z` (mean z-score), title coverage (`covered`), and logistic models pooled over all sizes. Each
 * is printed with the issue's paraphrase ("how many days until my package gets to Berlin?" on the
 * unit tests' 3-article shop: `berlin+` = answered, which the unit tests require) and three
 * unrelated questions to the same shop.
 *
 * RESULT (2026-11-27, negative; nothing shipped). Right first % / out-of-scope answered %:
 *                                         3       5       10      25      50      100   Berlin
 *   today (consensus model, p ≥ 0.36)    99/66   97/58   92/47   89/45   80/38   74/17  answered
 *   best gate with every size ≤ 20%:
 *     nc0.99 ≥ 0.10                      91/9    90/16   82/17   80/19   74/18   67/10  refused
 *     nc1 (max) ≥ −0.12                  92/7    89/15   82/16   78/20   72/17   69/10  refused
 *     pooled consensus + bc0.95          91/11   86/15   79/16   75/15   71/18   69/20  refused
 *   best gate that keeps size 100 at today's right first:
 *     bc0.9 ≥ 0.595                      94/18   89/25   88/30   85/34   80/33   74/17  answered
 *     gap0.95 ≥ 0.10                     96/18   94/30   90/31   86/36   79/32   74/13  refused
 * Every gate that meets the target refuses the issue's paraphrase, as the absolute evidence floor
 * did (its Berlin value is below the 99th percentile of the background in every view: CLINC150
 * asks "how many days…", "how long until…" too). The one design that keeps it (bc0.9 at 0.595)
 * halves out-of-scope answers at 3–50 articles but misses ≤ 20% at 5–50 and keeps Berlin by a
 * margin of 0.03 that depends on which background sample is drawn: with BG_SEED=1, 2, 3 the same
 * rule gives gates 0.605, 0.650, 0.655 and refuses Berlin for 2 and 3. Why it cannot work here:
 * StackFAQ's questions are all web-app questions (Gmail, Google Docs, Facebook, Trello…), so its
 * out-of-scope questions are siblings of the articles ("forward several Gmail mails" against
 * "strikethrough in Gmail"); a background about other domains scores them like unrelated
 * questions only when they really are unrelated (the shop's "my gmail keeps logging me out",
 * which today answers, is refused by every background gate). Cost: scoring 400 background
 * questions took ~117 ms per base of 3–50 articles and ~410 ms for 100 (build time, once per
 * index; a Worker would need a cap or to store it in the snapshot); per question the gate is a
 * lookup. PER_INTENT=0 (oos only) or 5 gave the same picture.
 * Also tried (same run):
 * - Decoys: 150 pseudo-articles (one per CLINC150 intent: a training utterance as title, five
 *   more as body) + 20 of `oos_train` utterances added to the base as competitors, a decoy ranked
 *   first = no answer: at the shipped threshold 95/17 93/26 89/28 85/29 77/30 (100: 72/12); at
 *   p ≥ 0.45 93/12 90/19 82/18 77/17 68/18 (100: 57/3) — the target at 3–50 (and size 100 would
 *   keep today's rule) — but the Berlin paraphrase loses to two decoys ("have i used half of my
 *   days off yet…" wins BM25 on "many days", "can you find my package in transit…" the
 *   character views) and is refused; with the 20 `oos_train` decoys only (DECOYS=oos) it still
 *   loses, and the small sizes stay at 23–42% out of scope.
 * - Question words weighted by how rare they are in CLINC150 questions (15,100 utterances:
 *   "many", "days" weigh little, "package", "berlin" much), then the share of the question the
 *   best article's lead covers (`cbLead`, word vectors): Berlin 0.22, "what is the capital of
 *   France" 0.26 (France ↔ Germany is as close as Berlin ↔ Germany) — no gate keeps one and not
 *   the other; at ≤ 20% everywhere 69/3 … (100: 60/12).
 * - A bound for every rule monotone in consensus, score, title coverage, bc0.9, bc0.95, gap0.9,
 *   nc0.9 and z: out-of-scope questions at least as strong as Berlin in all of them are 12, 16,
 *   17, 11, 5 and 2% at 3…100, and answering only those gives 91/12 84/16 80/17 71/11 60/5
 *   (100: 45/2): a rule that keeps Berlin and meets the target can at best get there, and the
 *   two-gate search (each gate at most Berlin's value) finds consensus ≥ 0.25 & bc0.9 ≥ 0.62:
 *   91/14 85/18 82/19 73/15 63/15 (100: 50/2), with Berlin 0.003 above the second gate — a
 *   choice made on the unit test, not on validation, so not shipped either.
 * - Unrelated questions (40 CLINC150 `oos_val` utterances, not siblings; the background is drawn
 *   from training) answered at 3, 5, 10, 25, 50, 100 articles: today 35 26 18 20 28 20; with
 *   bc0.9 ≥ 0.595 0 0 3 5 18 15; nc0.99 ≥ 0.10 0 0 1 2 0 3; decoys 1 0 1 3 5 5 — the background
 *   does what it was meant to for questions about other domains (in distribution here: both are
 *   CLINC150 out-of-scope utterances), not for StackFAQ's siblings.
 * - The bc0.9 rule with a larger background (PER_INTENT=5, 850 questions) over three draws
 *   (BG_SEED=1, 2, 3): gates 0.495, 0.620, 0.515 (one question at size 100 moves the rule), Berlin
 *   refused by the second; 96/25 91/34 90/38 87/41 80/37 (100: 74/17) for the first.
 *   npx node eval/explore-small-background.mjs        (env: PER_INTENT, BG_SEED, DECOYS=oos; ~1 min)
 */
import { readFileSync } from 'node:fs';
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
import { SIMILARITY_FLOOR, sameStem, titleCoverage } from '../shared/knowledge/semantic.ts';
import { contentTerms, tokenizeWords } from '../shared/knowledge/text.ts';
import {
  ALL_SIZES as ALL,
  articles,
  datasets,
  feasible as feasibleOn,
  fitModel as fitModelOn,
  fullBase,
  heldOut,
  pct,
  queries,
  shipped,
  sizeParts,
  smallBases,
  vectors,
} from './small-knowledge-bases.mjs';

const clinc = JSON.parse(readFileSync(`${datasets}/clinc150/data_full.json`, 'utf8'));
const PER_INTENT = Number(process.env.PER_INTENT ?? 2);
const byIntent = new Map();
for (const [text, intent] of clinc.train)
  byIntent.set(intent, [...(byIntent.get(intent) ?? []), text]);
const bgRandom = seededRandom(Number(process.env.BG_SEED ?? 7));
const background = [
  ...clinc.oos_train.map(([t]) => t),
  ...[...byIntent.values()].flatMap((list) =>
    shuffleInPlace([...list], bgRandom).slice(0, PER_INTENT),
  ),
];
console.log(`background: ${background.length} questions`);
/**
 * Decoys: one pseudo-article per CLINC150 intent (title = one training utterance, body = five
 * more) and one per 10 `oos_train` utterances, added to the base as competitors; a decoy ranked
 * first means no answer.
 */
const DECOY_UTTERANCES = 6;
const decoys = [
  ...(process.env.DECOYS === 'oos'
    ? []
    : [...byIntent.values()].map((list) => list.slice(0, DECOY_UTTERANCES))),
  ...Array.from({ length: 20 }, (_, i) => clinc.oos_train.slice(5 * i, 5 * i + 5).map(([t]) => t)),
].map((list, i) => ({
  id: `decoy-${i}`,
  title: list[0],
  body: list.slice(1).join('. '),
  url: `https://decoy.example/${i}`,
}));
const withDecoys = (kb) => KnowledgeIndex.build([...kb, ...decoys]);
function decoyFeaturesOf(text, index) {
  const ranked = rankArticles(scoreArticles(text, index, vectors));
  const top = ranked[0];
  if (!top || top.fused <= 0) return { dtop: null, dconsensus: 0, dscore: 0 };
  const f = answerFeatures(ranked);
  const id = top.article.articleId;
  return { dtop: id.startsWith('decoy-') ? null : id, dconsensus: f.consensus, dscore: f.score };
}

const raw = (s) => [s.lexical, s.title, s.lead ?? 0, s.titleChars, s.leadChars];
const QS = [0.9, 0.95, 0.99, 1];
/** Per article, per view: the background's quantiles, mean and spread. */
function backgroundOf(index) {
  const per = index.articles.map(() =>
    raw({ lexical: 0, title: 0, lead: 0, titleChars: 0, leadChars: 0 }).map(() => []),
  );
  const pos = new Map(index.articles.map((a, i) => [a.articleId, i]));
  for (const text of background)
    for (const s of scoreArticles(text, index, vectors)) {
      const i = pos.get(s.article.articleId);
      raw(s).forEach((v, k) => {
        per[i][k].push(v);
      });
    }
  return per.map((views) =>
    views.map((values) => {
      const sorted = values.sort((a, b) => a - b);
      const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
      const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / sorted.length);
      const q = QS.map((x) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))]);
      return { mean, sd, q };
    }),
  );
}

/**
 * Question-language IDF from the background: how often a word appears in CLINC150 questions
 * (all 15,100 training utterances). Generic question words ("many", "days", "way") weigh little,
 * topic words ("package", "berlin") much; then how much of the question's weight the article's
 * lead / first passage covers (same word or stem = 1, else GloVe cosine above the floor).
 */
const bgDf = new Map();
const bgTexts = [...clinc.train, ...clinc.oos_train].map(([t]) => t);
for (const t of bgTexts)
  for (const w of new Set(contentTerms(t))) bgDf.set(w, (bgDf.get(w) ?? 0) + 1);
const bgIdf = (w) => Math.log(1 + bgTexts.length / (1 + (bgDf.get(w) ?? 0)));
function covered(question, text, idf = bgIdf) {
  const terms = contentTerms(question).slice(0, 32);
  const words = [...new Set(tokenizeWords(text))];
  const rows = words.map((w) => vectors.row(w));
  let sum = 0;
  let total = 0;
  for (const term of terms) {
    const weight = idf(term);
    total += weight;
    let best = words.some((w) => w === term || sameStem(w, term)) ? 1 : 0;
    const row = best < 1 ? vectors.row(term) : -1;
    if (row >= 0)
      for (const other of rows)
        if (other >= 0)
          best = Math.max(
            best,
            (vectors.cosine(row, other) - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR),
          );
    sum += weight * best;
  }
  return total > 0 ? sum / total : 0;
}
const leadText = (a) => `${a.title} ${tokenizeWords(a.text).slice(0, 40).join(' ')}`;

function featuresOf(text, index, bg) {
  const scores = scoreArticles(text, index, vectors);
  const ranked = rankArticles(scores);
  const top = ranked[0];
  if (!top || top.fused <= 0) return { top: null, consensus: 0, score: 0 };
  const f = answerFeatures(ranked);
  const i = index.articles.findIndex((a) => a.articleId === top.article.articleId);
  const mine = raw(top);
  const others = mine.map((_, k) => Math.max(0, ...ranked.slice(1).map((r) => raw(r)[k])));
  const stats = bg[i];
  const out = {
    top: top.article.articleId,
    consensus: f.consensus,
    score: f.score,
    covered: titleCoverage(text, top.article.title, vectors),
    evidence: (top.title + (top.lead ?? 0) + top.titleChars + top.leadChars) / 4,
    cbLead: covered(text, leadText(top.article)),
    cbText: covered(text, `${top.article.title} ${top.article.text}`),
    cbTitle: covered(text, top.article.title),
    cuLead: covered(text, leadText(top.article), () => 1),
  };
  QS.forEach((q, j) => {
    // null competitor: the article's own background quantile competes in every view
    let sum = 0;
    let sum4 = 0;
    let exceed = 0;
    let gap = 0;
    mine.forEach((v, k) => {
      const rival = Math.max(others[k], stats[k].q[j]);
      const larger = Math.max(v, rival);
      const c = larger > 0 ? (v - rival) / larger : 0;
      sum += c;
      const b = stats[k].q[j];
      const lb = Math.max(v, b);
      const cb = lb > 0 ? (v - b) / lb : 0;
      if (k > 0) {
        sum4 += cb;
        gap += v - b;
      }
      if (v > b) exceed++;
    });
    out[`nc${q}`] = sum / 5;
    out[`bc${q}`] = sum4 / 4;
    out[`ex${q}`] = exceed / 5;
    out[`gap${q}`] = gap / 4;
  });
  let z = 0;
  let z4 = 0;
  mine.forEach((v, k) => {
    const zz = (v - stats[k].mean) / (stats[k].sd || 1e-3);
    z += Math.min(zz, 10);
    if (k > 0) z4 += Math.min(zz, 10);
  });
  out.z = z / 5;
  out.z4 = z4 / 4;
  return out;
}

const rows = [];
/**
 * Unrelated questions (not siblings of the articles): 40 of CLINC150's `oos_val` utterances
 * (disjoint from the background, which is drawn from training), asked to every base.
 */
const farRows = [];
const unrelated = clinc.oos_val.slice(0, 40).map(([t]) => t);
const t0 = performance.now();
let bgTime = 0;
let bgBuilds = 0;
const timed = (index) => {
  const s = performance.now();
  const bg = backgroundOf(index);
  bgTime += performance.now() - s;
  bgBuilds++;
  return bg;
};
for (const { size, inputs, inside, away } of smallBases()) {
  const index = KnowledgeIndex.build(inputs);
  const bg = timed(index);
  const decoyed = withDecoys(inputs);
  const both = (text) => ({ ...featuresOf(text, index, bg), ...decoyFeaturesOf(text, decoyed) });
  for (const { id, text } of inside) rows.push({ size, oos: false, gold: id, ...both(text) });
  for (const text of away) rows.push({ size, oos: true, gold: null, ...both(text) });
  for (const text of unrelated) farRows.push({ size, ...both(text) });
}
const big = fullBase();
const bigStarted = performance.now();
const bigBg = timed(big);
const bigTime = performance.now() - bigStarted;
const bigDecoyed = withDecoys(articles);
for (const q of queries)
  rows.push({
    size: 100,
    oos: heldOut.has(q.gold_faq_id),
    gold: q.gold_faq_id,
    ...featuresOf(q.text, big, bigBg),
    ...decoyFeaturesOf(q.text, bigDecoyed),
  });
for (const text of unrelated)
  farRows.push({
    size: 100,
    ...featuresOf(text, big, bigBg),
    ...decoyFeaturesOf(text, bigDecoyed),
  });
for (const r of rows) {
  r.right = !r.oos && r.top === r.gold;
  r.dright = !r.oos && r.dtop === r.gold;
}
console.log(
  `background scoring (build time): ${bgBuilds} bases, ${(bgTime / 1000).toFixed(1)} s in all; the 100-article base ${bigTime.toFixed(0)} ms; the others ${((bgTime - bigTime) / (bgBuilds - 1)).toFixed(0)} ms each (total run ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

// The unit tests' shop (answer.test: paraphrases through local word vectors).
const shopArticles = [
  {
    id: 'delivery',
    title: 'Delivery within Germany',
    url: 'u1',
    body: 'Orders within Germany arrive in 2 to 3 business days. Orders abroad take up to a week.',
  },
  {
    id: 'refunds',
    title: 'Refunds for returned items',
    url: 'u2',
    body: 'We pay refunds to the original payment method within 5 business days.',
  },
  {
    id: 'password',
    title: 'Resetting your password',
    url: 'u3',
    body: 'Use the "Forgot password" link on the sign-in page to get a reset email.',
  },
];
const shop = KnowledgeIndex.build(shopArticles);
const shopDecoyed = withDecoys(shopArticles);
const shopBg = backgroundOf(shop);
const probe = (text) => ({
  ...featuresOf(text, shop, shopBg),
  ...decoyFeaturesOf(text, shopDecoyed),
});
const probes = {
  berlin: probe('how many days until my package gets to Berlin?'),
  france: probe('what is the capital of France'),
  gmail: probe('my gmail keeps logging me out'),
  football: probe('Which football team won the league?'),
};

/** One line per rule: every size's summary (`right`: whose ranking), then the probes answered. */
function line(name, answers, right = (x) => x.right) {
  const probe = Object.entries(probes)
    .map(([k, x]) => `${k}${answers(x) ? '+' : '-'}`)
    .join(' ');
  console.log(`${name.padEnd(36)} ${sizeParts(rows, answers, right)}   ${probe}`);
}
const feasible = (answers) => feasibleOn(rows, answers);
const probeValues = (k) =>
  Object.entries(probes)
    .map(([n, x]) => `${n}=${(x[k] ?? 0).toFixed(2)}`)
    .join(' ');

console.log('knowledge base size: right first % / out-of-scope answered % (validation threads)');
line('shipped (consensus model, p >= 0.36)', shipped);
for (const key of [
  'cbLead',
  'cbText',
  'cbTitle',
  'cuLead',
  'covered',
  ...QS.flatMap((q) => [`nc${q}`, `bc${q}`, `ex${q}`, `gap${q}`]),
  'z',
  'z4',
]) {
  const values = rows.map((r) => r[key] ?? 0);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // The lowest gate that keeps every size at <= 20% out of scope (the gate on top of shipped).
  let best = null;
  for (let s = 0; s <= 200; s++) {
    const t = lo + ((hi - lo) * s) / 200;
    if (feasible((x) => shipped(x) && (x[key] ?? 0) >= t)) {
      best = t;
      break;
    }
  }
  if (best === null) continue;
  console.log(`  ${key}: gate ${best.toFixed(3)}; probes ${probeValues(key)}`);
  line(`shipped + ${key} >= ${best.toFixed(3)}`, (x) => shipped(x) && (x[key] ?? 0) >= best);
  if (key.startsWith('nc')) {
    // the null-competitor consensus in place of the consensus, same model
    line(
      `model on ${key}, p >= 0.36`,
      (x) =>
        x.top !== null &&
        x.score >= MIN_SCORE &&
        answerProbability({ consensus: x[key] }) >= DEFAULT_MIN_CONFIDENCE,
    );
  }
}

console.log(
  '\nEach signal gated just under the issue paraphrase (Berlin) value, so the unit test still answers:',
);
for (const key of [
  'cbLead',
  'cbText',
  'cbTitle',
  'cuLead',
  'covered',
  ...QS.flatMap((q) => [`nc${q}`, `bc${q}`, `gap${q}`]),
  'z',
  'z4',
]) {
  const t = probes.berlin[key] - 1e-9;
  line(`shipped + ${key} >= ${t.toFixed(3)}`, (x) => shipped(x) && (x[key] ?? 0) >= t);
}
console.log('berlin', JSON.stringify(probes.berlin));

const fitModel = (features) => fitModelOn(rows, features);
console.log('\nPooled models (all sizes), lowest threshold with every size <= 20% out of scope:');
for (const r of rows) r.zs = r.z4 / 10;
for (const features of [
  ['consensus', 'covered'],
  ['consensus', 'covered', 'bc0.95'],
  ['consensus', 'covered', 'bc0.9', 'gap0.9'],
  ['consensus', 'bc0.95'],
  ['consensus', 'bc0.9'],
  ['consensus', 'gap0.9'],
]) {
  const p = fitModel(features);
  let t = 0;
  while (t < 100 && !feasible((x) => p(x) >= t / 100)) t++;
  console.log(
    `  w=${p.w.map((v) => v.toFixed(2)).join(',')} berlin p=${p(probes.berlin).toFixed(2)}`,
  );
  line(`pooled ${features.join('+')} p>=${t / 100}`, (x) => p(x) >= t / 100);
}

console.log(
  '\nGates swept: the highest that keeps size 100 right first at today (no loss where the model was fitted):',
);
const at100 = (answers) => {
  const ins = rows.filter((x) => x.size === 100 && !x.oos);
  return ins.filter((x) => x.right && answers(x)).length;
};
const today100 = at100(shipped);
for (const key of [
  'cbLead',
  'cbText',
  'cbTitle',
  'bc0.9',
  'bc0.95',
  'gap0.9',
  'gap0.95',
  'nc0.9',
]) {
  let best = null;
  for (let s = 0; s <= 400; s++) {
    const t = -1 + s / 200;
    if (at100((x) => shipped(x) && x[key] >= t) >= today100) best = t;
  }
  line(`shipped + ${key} >= ${best.toFixed(3)}`, (x) => shipped(x) && x[key] >= best);
}

// A bound for every rule that is monotone in these signals (answers more as each grows): to
// answer the Berlin paraphrase it must answer every question at least as strong in all of them.
const SIGNALS = ['consensus', 'score', 'covered', 'bc0.9', 'bc0.95', 'gap0.9', 'nc0.9', 'z4'];
console.log(
  `\nOut-of-scope questions at least as strong as Berlin in every signal (${SIGNALS.join(', ')}):`,
);
console.log(
  ALL.map((size) => {
    const oos = rows.filter((x) => x.size === size && x.oos && x.top !== null);
    const n = rows.filter((x) => x.size === size && x.oos).length;
    const above = oos.filter((x) => SIGNALS.every((k) => x[k] >= probes.berlin[k])).length;
    return `${size}: ${pct(above, n)}%`;
  }).join('  '),
);
const dominates = (x) => shipped(x) && SIGNALS.every((k) => x[k] >= probes.berlin[k]);
line('answers only what dominates Berlin', dominates);

// Two gates on top of today's decision, each at most Berlin's value (so it is answered), chosen
// for the most right first (mean over sizes) with every size <= 20% out of scope.
console.log(
  '\nTwo gates (each <= the Berlin value), best mean right first with every size <= 20%:',
);
const PAIR = [
  'cbLead',
  'cbText',
  'consensus',
  'score',
  'evidence',
  'covered',
  'bc0.9',
  'bc0.95',
  'gap0.9',
  'nc0.9',
  'z4',
];
const meanRight = (answers) =>
  ALL.reduce((sum, size) => {
    const ins = rows.filter((x) => x.size === size && !x.oos);
    return sum + ins.filter((x) => x.right && answers(x)).length / ins.length;
  }, 0) / ALL.length;
const grid = (k) => {
  const b = probes.berlin[k];
  const values = rows
    .map((r) => r[k])
    .filter((v) => v <= b)
    .sort((a, c) => a - c);
  return [
    ...new Set(
      Array.from({ length: 16 }, (_, i) => values[Math.floor((i * (values.length - 1)) / 15)]),
    ),
  ];
};
const results = [];
for (let i = 0; i < PAIR.length; i++)
  for (let j = i + 1; j < PAIR.length; j++) {
    const [a, b] = [PAIR[i], PAIR[j]];
    let best = null;
    for (const ta of grid(a))
      for (const tb of grid(b)) {
        const answers = (x) => shipped(x) && x[a] >= ta && x[b] >= tb;
        if (!feasible(answers)) continue;
        const m = meanRight(answers);
        if (!best || m > best.m) best = { m, ta, tb, answers };
      }
    if (best) results.push({ a, b, ...best });
  }
results.sort((x, y) => y.m - x.m);
for (const r of results.slice(0, 6))
  line(`${r.a}>=${r.ta.toFixed(2)} & ${r.b}>=${r.tb.toFixed(2)}`, r.answers);

console.log('\nDecoys: the base plus 170 CLINC150 pseudo-articles; a decoy first = no answer.');
const lineWith = (name, answers) => line(name, answers, (x) => x.dright);
for (const t of [0.36, 0.4, 0.45, 0.5, 0.55, 0.6])
  lineWith(
    `decoys, shipped rule at p >= ${t}`,
    (x) =>
      x.dtop !== null &&
      x.dscore >= MIN_SCORE &&
      answerProbability({ consensus: x.dconsensus }) >= t,
  );
console.log(
  'berlin with decoys',
  JSON.stringify({
    dtop: probes.berlin.dtop,
    dconsensus: probes.berlin.dconsensus,
    dscore: probes.berlin.dscore,
  }),
);

console.log('\nUnrelated questions (40 CLINC150 oos_val utterances) answered %, per size:');
const farLine = (name, answers) =>
  console.log(
    `${name.padEnd(36)} ${ALL.map((size) => {
      const r = farRows.filter((x) => x.size === size);
      return `${size}: ${pct(r.filter(answers).length, r.length)}`;
    }).join('  ')}`,
  );
farLine('shipped', shipped);
farLine('shipped + evidence >= 0.3', (x) => shipped(x) && x.evidence >= 0.3);
farLine('shipped + nc0.99 >= 0.10', (x) => shipped(x) && x['nc0.99'] >= 0.1);
farLine('shipped + bc0.9 >= 0.595', (x) => shipped(x) && x['bc0.9'] >= 0.595);
farLine(
  'decoys at p >= 0.36',
  (x) =>
    x.dtop !== null &&
    x.dscore >= MIN_SCORE &&
    answerProbability({ consensus: x.dconsensus }) >= 0.36,
);
