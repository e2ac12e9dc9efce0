#!/usr/bin/env node
/**
 * Design exploration for StackFAQ knowledge answers (issue 17, goal 1), VALIDATION ONLY: the
 * queries are filtered to the validation threads as they are read (same split and folds as
 * scripts/eval-knowledge.mjs). Prints, per candidate ranking, right-first when always answering,
 * and per candidate answer model the 5-fold cross-validated right-first / out-of-scope answered
 * / own article removed answered (averaged over the fold assignments in SEEDS).
 *   EVAL_DATASETS=/work/shared/datasets npx node eval/explore-knowledge.mjs --rank
 *   SEEDS=1,2,3,4,5 [LO=4] npx node eval/explore-knowledge.mjs --abstain [--old]
 *   npx node eval/explore-knowledge.mjs --inspect   (out-of-scope questions the model trusts most)
 * The signals here are the exploration's own re-implementations (e.g. char grams over all answers,
 * LO = the shortest gram); the shipped design is what scripts/eval-knowledge.mjs measures.
 */
import { stemmer } from 'stemmer';
import { readStackFaq } from '../scripts/eval-knowledge.mjs';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import { scoreArticles } from '../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../shared/knowledge/knowledge-index.ts';
import { TitleMatcher, titleCoverage } from '../shared/knowledge/semantic.ts';
import { contentTerms, tokenizeWords } from '../shared/knowledge/text.ts';
import { loadWordVectors } from '../shared/knowledge/word-vectors.ts';

const SEED = 20180117;
const datasets = process.env.EVAL_DATASETS ?? '/work/shared/datasets';
// The eval's own split; validation queries only.
const { heldOut, validation, queries, articles } = readStackFaq(datasets, { withTest: false });
const ids = articles.map((a) => a.id);
const index = KnowledgeIndex.build(articles);
const vectors = await loadWordVectors();

// ---- char n-gram TF-IDF (word-bounded 3..5 grams) ----
const LO = Number(process.env.LO ?? 3);
function grams(text, lo = LO, hi = 5) {
  const out = new Map();
  for (const w of contentTerms(text)) {
    const s = ` ${w} `;
    for (let n = lo; n <= hi; n++)
      for (let i = 0; i + n <= s.length; i++) {
        const g = s.slice(i, i + n);
        out.set(g, (out.get(g) ?? 0) + 1);
      }
  }
  return out;
}
function charModel(docs) {
  const df = new Map();
  const gs = docs.map((d) => grams(d));
  for (const g of gs) for (const k of g.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const idf = (k) => Math.log((1 + docs.length) / (1 + (df.get(k) ?? 0))) + 1;
  const vec = (g) => {
    const v = new Map();
    let n = 0;
    for (const [k, c] of g) {
      if (!df.has(k)) continue;
      const x = (1 + Math.log(c)) * idf(k);
      v.set(k, x);
      n += x * x;
    }
    n = Math.sqrt(n) || 1;
    for (const [k, x] of v) v.set(k, x / n);
    return v;
  };
  const dv = gs.map(vec);
  return (q) => {
    const qv = vec(grams(q));
    return dv.map((d) => {
      let s = 0;
      for (const [k, x] of qv) s += x * (d.get(k) ?? 0);
      return s;
    });
  };
}
const charTitle = charModel(articles.map((a) => a.title));
const charAll = charModel(articles.map((a) => `${a.title}\n${a.body}`));
const firstPassage = new Map(index.articles.map((e) => [e.articleId, e.text]));
const charLead = charModel(articles.map((a) => `${a.title}\n${firstPassage.get(a.id)}`));

// ---- own BM25 over stemmed words, title and body fields ----
function bm25Model(docs, k1 = 1.2, b = 0.75) {
  const toks = docs.map((d) => contentTerms(d).map((w) => stemmer(w)));
  // contentTerms dedups; use full tokens for tf
  const full = docs.map((d) =>
    tokenizeWords(d)
      .filter((w) => contentTerms(w).length)
      .map((w) => stemmer(w)),
  );
  const df = new Map();
  for (const t of toks) for (const w of new Set(t)) df.set(w, (df.get(w) ?? 0) + 1);
  const avg = full.reduce((s, t) => s + t.length, 0) / full.length;
  const tfs = full.map((t) => {
    const m = new Map();
    for (const w of t) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  });
  const N = docs.length;
  return (q) => {
    const qt = [...new Set(contentTerms(q).map((w) => stemmer(w)))];
    return tfs.map((tf, i) => {
      let s = 0;
      for (const w of qt) {
        const f = tf.get(w);
        if (!f) continue;
        const n = df.get(w);
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        s += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * full[i].length) / avg));
      }
      return s;
    });
  };
}
const bmTitle = bm25Model(articles.map((a) => a.title));
const bmBody = bm25Model(articles.map((a) => a.body));
const bmAll = bm25Model(articles.map((a) => `${a.title}\n${a.title}\n${a.body}`));

// ---- idf-weighted share of the question's words (stems) found anywhere in an article ----
const artStems = articles.map(
  (a) => new Set(tokenizeWords(`${a.title}\n${a.body}`).map((w) => stemmer(w))),
);
const stemDf = new Map();
for (const set of artStems) for (const w of set) stemDf.set(w, (stemDf.get(w) ?? 0) + 1);
const stemIdf = (w) => Math.log(1 + articles.length / (1 + (stemDf.get(w) ?? 0)));
export function questionCovered(text, i) {
  const qs = [...new Set(contentTerms(text).map((w) => stemmer(w)))];
  let tot = 0;
  let got = 0;
  for (const w of qs) {
    const x = stemIdf(w);
    tot += x;
    if (artStems[i].has(w)) got += x;
  }
  return tot ? got / tot : 0;
}
const firstWords = (body, n) => tokenizeWords(body).slice(0, n).join(' ');
const tmLead = new TitleMatcher(
  vectors,
  articles.map((a) => ({ title: `${a.title} ${firstWords(a.body, 40)}` })),
);

const tmPass = new TitleMatcher(
  vectors,
  articles.map((a) => ({ title: `${a.title} ${firstWords(firstPassage.get(a.id), 40)}` })),
);
// ---- signals per query ----
const rows = [];
for (const q of queries) {
  const out = heldOut.has(q.gold_faq_id);
  const sc = scoreArticles(q.text, index, vectors);
  const byId = new Map(sc.map((s) => [s.article.articleId, s]));
  const sig = {
    ms: ids.map((id) => byId.get(id).lexical),
    tm: ids.map((id) => byId.get(id).title),
    ct: charTitle(q.text),
    ca: charAll(q.text),
    cl: charLead(q.text),
    tp: tmPass.similarities(q.text),
    bt: bmTitle(q.text),
    tl: tmLead.similarities(q.text),
    tc: articles.map((a) => titleCoverage(q.text, a.title, vectors)),
    bb: bmBody(q.text),
    ba: bmAll(q.text),
  };
  rows.push({ text: q.text, gold: q.gold_faq_id, out, sig, removed: false });
  if (!out) rows.push({ text: q.text, gold: q.gold_faq_id, out: true, sig, removed: true });
}

export { articles, ids, rows, titleCoverage, vectors };

const norm = (xs) => {
  const m = Math.max(...xs);
  return m > 0 ? xs.map((x) => x / m) : xs.map(() => 0);
};
const ranksOf = (xs, allowed) => {
  const idx = allowed.slice().sort((a, b) => xs[b] - xs[a]);
  const r = new Array(xs.length).fill(Infinity);
  idx.forEach((i, k) => {
    if (xs[i] > 0) r[i] = k + 1;
  });
  return r;
};
// A ranking design: (row, allowed indices) -> scores per article
const designs = {
  shipped: (s) => s.ms.map((_x, i) => 0.5 * norm(s.ms)[i] + 0.5 * s.tm[i]),
  ms: (s) => s.ms,
  ba: (s) => s.ba,
  bt: (s) => s.bt,
  tm: (s) => s.tm,
  ct: (s) => s.ct,
  ca: (s) => s.ca,
  'ms+ct': (s) => {
    const a = norm(s.ms);
    return a.map((x, i) => 0.5 * x + 0.5 * s.ct[i]);
  },
  'ms+tm+ct': (s) => {
    const a = norm(s.ms);
    return a.map((x, i) => (x + s.tm[i] + s.ct[i]) / 3);
  },
  'ms+tm+ctN': (s) => {
    const a = norm(s.ms);
    const c = norm(s.ct);
    return a.map((x, i) => (x + s.tm[i] + c[i]) / 3);
  },
  'ms+tm+ca': (s) => {
    const a = norm(s.ms);
    return a.map((x, i) => (x + s.tm[i] + s.ca[i]) / 3);
  },
  'ms+tm+ct+ca': (s) => {
    const a = norm(s.ms);
    return a.map((x, i) => (x + s.tm[i] + s.ct[i] + s.ca[i]) / 4);
  },
};
designs.tl = (s) => s.tl;
designs.tc = (s) => s.tc;
designs.tmF = (s) => s.tm.map((x, i) => (x + s.tc[i] ? (2 * x * s.tc[i]) / (x + s.tc[i]) : 0));
designs['ms+tl+ctN'] = (s) => {
  const a = norm(s.ms),
    c = norm(s.ct);
  return a.map((x, i) => (x + s.tl[i] + c[i]) / 3);
};
designs['ms+tm+tl+ctN'] = (s) => {
  const a = norm(s.ms),
    c = norm(s.ct);
  return a.map((x, i) => (x + s.tm[i] + s.tl[i] + c[i]) / 4);
};
designs['ms+tmF+ctN'] = (s) => {
  const a = norm(s.ms),
    c = norm(s.ct),
    f = designs.tmF(s);
  return a.map((x, i) => (x + f[i] + c[i]) / 3);
};
designs['ms+tm+tc+ctN'] = (s) => {
  const a = norm(s.ms),
    c = norm(s.ct);
  return a.map((x, i) => (x + s.tm[i] + s.tc[i] + c[i]) / 4);
};
const fuse = (keys, normed) => (s, allowed) => {
  const cols = keys.map((k) => {
    const xs = s[k];
    if (!normed.includes(k)) return xs;
    const m = Math.max(0, ...allowed.map((i) => xs[i])) || 1;
    return xs.map((x) => x / m);
  });
  return s.ms.map((_, i) => cols.reduce((a, c) => a + c[i], 0) / cols.length);
};
for (const keys of [
  ['ms', 'tm', 'ct', 'tp', 'cl'],
  ['ms', 'tm', 'ct', 'tl', 'cl'],
  ['ms', 'tm', 'ct', 'cl'],
  ['ms', 'tm', 'ct', 'tp'],
  ['ms', 'tm', 'ct'],
  ['ms', 'tm', 'ct', 'tl'],
  ['ms', 'tm', 'ct', 'ca'],
  ['ms', 'tm', 'ct', 'tl', 'ca'],
  ['ms', 'tm', 'ct', 'tl', 'ca', 'bt'],
]) {
  designs[`F(${keys})`] = fuse(keys, ['ms', 'ct', 'ca', 'bt', 'cl']);
  designs[`FN(${keys})`] = fuse(keys, keys);
  designs[`FA(${keys})`] = fuse(keys, ['ms']);
}
const rrf = (keys, k) => (s, allowed) => {
  const rs = keys.map((key) => ranksOf(s[key], allowed));
  return s.ms.map((_, i) => rs.reduce((sum, r) => sum + 1 / (k + r[i]), 0));
};
for (const k of [5, 20, 60]) {
  designs[`rrf${k}(ms,tm)`] = rrf(['ms', 'tm'], k);
  designs[`rrf${k}(ms,tm,ct)`] = rrf(['ms', 'tm', 'ct'], k);
  designs[`rrf${k}(ms,tm,ct,ca)`] = rrf(['ms', 'tm', 'ct', 'ca'], k);
  designs[`rrf${k}(ba,tm,ct)`] = rrf(['ba', 'tm', 'ct'], k);
}

const goldIdx = (r) => ids.indexOf(r.gold);
function topOf(scores, allowed) {
  let best = -1;
  for (const i of allowed) if (best < 0 || scores[i] > scores[best]) best = i;
  return best;
}
const allIdx = ids.map((_, i) => i);
const allowedFor = (r) => (r.removed ? allIdx.filter((i) => i !== goldIdx(r)) : allIdx);

if (process.argv.includes('--rank')) {
  for (const [name, f] of Object.entries(designs)) {
    const inScope = rows.filter((r) => !r.out);
    const right = inScope.filter((r) => topOf(f(r.sig, allIdx), allIdx) === goldIdx(r)).length;
    console.log(`${name.padEnd(22)} ${((100 * right) / inScope.length).toFixed(1)}`);
  }
}

// ---- abstention: logistic model over features, CV like the eval ----
function _fit(xs, ys, steps = 3000, rate = 0.5, l2 = 0.01) {
  const w = new Array(xs[0].length).fill(0);
  for (let step = 0; step < steps; step++) {
    const g = new Array(w.length).fill(0);
    xs.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * w[j], 0)));
      x.forEach((v, j) => {
        g[j] += (p - ys[i]) * v;
      });
    });
    for (let j = 0; j < w.length; j++) w[j] -= rate * (g[j] / xs.length + (j ? l2 * w[j] : 0));
  }
  return w;
}
const prob = (w, x) => 1 / (1 + Math.exp(-x.reduce((s, v, j) => s + v * w[j], 0)));
function scoreSet(set, answers) {
  const val = set.filter((r) => !r.removed);
  const inS = val.filter((r) => !r.out);
  const oos = val.filter((r) => r.out);
  const rem = set.filter((r) => r.removed);
  return {
    rf: inS.filter((r) => r.right && answers(r)).length / inS.length,
    oos: oos.filter(answers).length / oos.length,
    rem: rem.filter(answers).length / rem.length,
  };
}
function choose(set, p) {
  const feas = [];
  for (let t = 0; t <= 100; t++) {
    const s = scoreSet(set, (r) => p(r) >= t / 100);
    if (s.oos <= 0.2 && s.rem <= 0.2) feas.push({ t: t / 100, ...s });
  }
  const best = Math.max(...feas.map((c) => c.rf));
  const tied = feas.filter((c) => c.rf === best);
  return tied[Math.floor((tied.length - 1) / 2)];
}
const foldsFor = (seed) =>
  new Map(shuffleInPlace([...validation].sort(), seededRandom(seed)).map((id, i) => [id, i % 5]));
const SEEDS = (process.env.SEEDS ?? '1').split(',').map(Number);
export function evaluate(design, featureFn, names) {
  const rs = rows.map((r) => {
    const allowed = allowedFor(r);
    const s = design(r.sig, allowed);
    const ranked = allowed.slice().sort((a, b) => s[b] - s[a]);
    const top = ranked[0];
    const f = featureFn(r, s, ranked, allowed);
    return { ...r, right: !r.out && top === goldIdx(r), x: [1, ...names.map((n) => f[n])] };
  });
  const always = rs.filter((r) => !r.removed && !r.out);
  const w = it(
    rs.map((r) => r.x),
    rs.map((r) => (r.right ? 1 : 0)),
  );
  const inSample = choose(rs, (r) => prob(w, r.x));
  const cvs = SEEDS.map((sd) => {
    const folds = foldsFor(SEED + sd);
    const picked = new Map();
    for (let k = 0; k < 5; k++) {
      const train = rs.filter((r) => folds.get(r.gold) !== k);
      const wk = it(
        train.map((r) => r.x),
        train.map((r) => (r.right ? 1 : 0)),
      );
      const c = choose(train, (r) => prob(wk, r.x));
      for (const r of rs) if (folds.get(r.gold) === k) picked.set(r, prob(wk, r.x) >= c.t);
    }
    return scoreSet(rs, (r) => picked.get(r));
  });
  const cv = Object.fromEntries(
    ['rf', 'oos', 'rem'].map((k) => [k, cvs.reduce((a, c) => a + c[k], 0) / cvs.length]),
  );
  cv.worstOos = Math.max(...cvs.map((c) => c.oos));
  return {
    always: always.filter((r) => r.right).length / always.length,
    w,
    inSample,
    cv,
  };
}
const margin = (s, ranked) => {
  const a = s[ranked[0]];
  const b = s[ranked[1]] ?? 0;
  return a > 0 ? Math.max(0, 1 - b / a) : 0;
};
const agreeWith = (r, ranked, allowed, keys) =>
  keys.filter((k) => topOf(r.sig[k], allowed) === ranked[0]).length / keys.length;
const baseFeatures = (keys) => (r, s, ranked, allowed) => {
  const top = ranked[0];
  const msn = norm(allowed.map((i) => r.sig.ms[i]));
  return {
    score: s[top] / (keys.scale ?? 1),
    margin: margin(s, ranked),
    title: r.sig.tm[top],
    ct: r.sig.ct[top],
    agree: agreeWith(r, ranked, allowed, keys),
    titleCovered: titleCoverage(r.text, articles[top].title, vectors),
    ms: msn[allowed.indexOf(top)] ?? 0,
    qc: questionCovered(r.text, top),
    cm:
      keys.reduce((sum, k) => {
        const xs = r.sig[k];
        let other = 0;
        for (const i of allowed) if (i !== top) other = Math.max(other, xs[i]);
        const m = Math.max(xs[top], other);
        return sum + (m > 0 ? (xs[top] - other) / m : 0);
      }, 0) / keys.length,
    qcGap: questionCovered(r.text, top) - questionCovered(r.text, ranked[1]),
  };
};
if (process.argv.includes('--abstain')) {
  const pct = (x) => (100 * x).toFixed(1);
  const tries = [['FA(ms,tm,ct,tp,cl)', ['ms', 'tm', 'ct', 'tp', 'cl'], ['cm']]];
  const _older7 = [['FA(ms,tm,ct,tp,cl)', ['ms', 'tm', 'ct', 'tp', 'cl'], ['cm']]];
  const _older6 = [
    ['F(ms,tm,ct,tp,cl)', ['ms', 'tm', 'ct', 'tp', 'cl'], ['cm']],
    ['F(ms,tm,ct,tl,cl)', ['ms', 'tm', 'ct', 'tl', 'cl'], ['cm']],
    ['F(ms,tm,ct,cl)', ['ms', 'tm', 'ct', 'cl'], ['cm']],
    ['F(ms,tm,ct,tp)', ['ms', 'tm', 'ct', 'tp'], ['cm']],
    ['F(ms,tm,ct)', ['ms', 'tm', 'ct', 'tp', 'cl'], ['cm']],
  ];
  const _older5 = [
    ['F(ms,tm,ct,tl)', ['ms', 'tm', 'ct', 'tl'], ['cm']],
    ['F(ms,tm,ct,tl,ca)', ['ms', 'tm', 'ct', 'tl', 'ca'], ['cm']],
    ['FN(ms,tm,ct,tl,ca)', ['ms', 'tm', 'ct', 'tl', 'ca'], ['cm']],
    ['F(ms,tm,ct,tl)', ['ms', 'tm', 'ct', 'tl', 'ca'], ['cm']],
    ['F(ms,tm,ct,tl,ca)', ['ms', 'tm', 'ct', 'tl', 'ca'], ['cm', 'margin']],
    ['F(ms,tm,ct,tl)', ['ms', 'tm', 'ct', 'tl'], ['cm', 'margin']],
  ];
  const _older4 = [
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'tl'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'tc'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'ca'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'tl', 'ca'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'tc', 'ca'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct', 'bt', 'ca'], ['cm']],
    ['ms+tm+ctN', ['ms', 'ct'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm'], ['cm']],
  ];
  const _older3 = [
    [
      'ms+tm+ctN',
      ['ms', 'tm', 'ct'],
      ['cm', 'margin', 'agree', 'titleCovered', 'qc', 'ct', 'title', 'score', 'qcGap'],
    ],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'ct', 'title']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'qcGap']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'margin', 'qcGap']],
  ];
  const _older2 = [
    ['ms+tm+ct', ['ms', 'tm', 'ct'], ['cm']],
    ['ms+tm+ct', ['ms', 'tm', 'ct'], ['cm', 'margin', 'qc']],
    ['ms+tm+ct', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'margin']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'titleCovered']],
    ['rrf5(ms,tm,ct)', ['ms', 'tm', 'ct'], ['cm']],
    ['rrf20(ms,tm,ct)', ['ms', 'tm', 'ct'], ['cm']],
  ];
  const _older = [
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'margin', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'agree', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'titleCovered', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['cm', 'margin', 'agree', 'titleCovered', 'qc']],
    ['shipped', ['ms', 'tm', 'ct'], ['cm', 'qc']],
    ['shipped', ['ms', 'tm', 'ct'], ['cm', 'titleCovered', 'qc']],
    ['shipped', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered', 'qc']],
    ['shipped', ['ms', 'tm', 'ct'], ['margin', 'agree', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['margin', 'agree', 'qc']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['margin', 'agree', 'qc', 'qcGap']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['score', 'margin', 'agree', 'titleCovered', 'qc']],
  ];
  const old = [
    ['shipped', ['ms', 'tm'], ['score', 'margin', 'title', 'titleCovered']],
    ['shipped', ['ms', 'tm', 'ct'], ['score', 'margin', 'title', 'titleCovered', 'agree']],
    ['shipped', ['ms', 'tm', 'ct'], ['margin', 'agree']],
    ['shipped', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered']],
    ['shipped', ['ms', 'tm', 'ct'], ['score', 'margin', 'agree', 'titleCovered']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['score', 'margin', 'title', 'titleCovered']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['score', 'margin', 'agree', 'titleCovered']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['score', 'margin', 'agree', 'titleCovered', 'ct']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered']],
    ['ms+tm+ctN', ['ms', 'tm', 'ct'], ['margin', 'agree', 'titleCovered', 'ct', 'title']],
    ['ms+tm+ca', ['ms', 'tm', 'ca'], ['score', 'margin', 'agree', 'titleCovered']],
    ['ms+tm+ct+ca', ['ms', 'tm', 'ct', 'ca'], ['score', 'margin', 'agree', 'titleCovered']],
    ['rrf5(ms,tm,ct,ca)', ['ms', 'tm', 'ct', 'ca'], ['score', 'margin', 'agree', 'titleCovered']],
    ['rrf5(ba,tm,ct)', ['ba', 'tm', 'ct'], ['score', 'margin', 'agree', 'titleCovered']],
  ];
  for (const [d, keys, names] of process.argv.includes('--old') ? old : tries) {
    const scale = d.startsWith('rrf') ? keys.length / 6 : 1;
    const e = evaluate(designs[d], baseFeatures(Object.assign([...keys], { scale })), names);
    console.log(
      `${d} agree(${keys}) [${names}] always ${pct(e.always)} | in-sample ${pct(e.inSample.rf)}/${pct(e.inSample.oos)}/${pct(e.inSample.rem)} t=${e.inSample.t} | CV ${pct(e.cv.rf)}/${pct(e.cv.oos)}/${pct(e.cv.rem)} worst ${pct(e.cv.worstOos)} | w ${e.w.map((x) => x.toFixed(2))}`,
    );
  }
}
if (process.argv.includes('--inspect')) {
  const names = ['margin', 'agree', 'titleCovered'];
  const keys = ['ms', 'tm', 'ct'];
  const e = evaluate(designs['ms+tm+ctN'], baseFeatures(keys), names);
  const ff = baseFeatures(keys);
  const list = rows.map((r) => {
    const allowed = allowedFor(r);
    const s = designs['ms+tm+ctN'](r.sig, allowed);
    const ranked = allowed.slice().sort((a, b) => s[b] - s[a]);
    const f = ff(r, s, ranked, allowed);
    const p = prob(e.w, [1, ...names.map((n) => f[n])]);
    return { r, p, f, top: articles[ranked[0]].title, right: !r.out && ranked[0] === goldIdx(r) };
  });
  const show = (x) =>
    console.log(
      `${x.p.toFixed(2)} ${x.r.out ? (x.r.removed ? 'REM' : 'OOS') : x.right ? 'OK ' : 'BAD'} m${x.f.margin.toFixed(2)} a${x.f.agree.toFixed(2)} tc${x.f.titleCovered.toFixed(2)} "${x.r.text}" -> "${x.top}"`,
    );
  console.log('--- genuine OOS, highest p');
  list
    .filter((x) => x.r.out && !x.r.removed)
    .sort((a, b) => b.p - a.p)
    .slice(0, 20)
    .forEach(show);
  console.log('--- in-scope right, lowest p');
  list
    .filter((x) => x.right)
    .sort((a, b) => a.p - b.p)
    .slice(0, 30)
    .forEach(show);
}
