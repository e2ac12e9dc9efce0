#!/usr/bin/env node
/**
 * `npm run eval`: measures the local intent classifier on public datasets (no network).
 * - CLINC150 full (Larson et al., EMNLP 2019, CC BY 3.0): train on `train`; choose the
 *   out-of-scope threshold on `val` + `oos_val` (maximising accuracy over those 3,100
 *   utterances with "oos" as a 151st answer); report in-scope accuracy on `test` and
 *   out-of-scope recall on `oos_test`, next to the paper's Table 2 rows.
 * - BANKING77 (Casanueva et al., 2020, CC BY 4.0) few-shot: 10 phrases per intent sampled with
 *   a fixed seed from train.csv, accuracy on test.csv.
 * - Training time for 150 intents, model memory and size, load time, latency p50 per message.
 * - Small pilots (eval-small-pilots.mjs): a few intents × 10 phrases, per `minConfidence`.
 * - HINT3 (eval-hint3.mjs): real support-bot traffic, one threshold chosen on train only.
 * - StackFAQ knowledge answers (eval-knowledge.mjs): right citation first / out-of-scope
 *   answered, threshold chosen on validation threads.
 * - Handover detection (eval-handover.mjs): false positives on CLINC150 / HINT3 messages.
 * Nothing here is tuned on test data; thresholds are chosen on validation (or train) and each
 * test split is looked at once per design. The keyword baseline runs in the same process.
 * The whole report is also written to eval/RESULTS.md and spliced into the README's eval block.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeywordIntentDetector } from '../shared/ai/intent-detector.ts';
import { LocalIntentDetector } from '../shared/ai/local-intent-detector.ts';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import { parseCsv } from './eval-csv.mjs';
import { evalHandover, printHandover } from './eval-handover.mjs';
import { evalHint3, localHint3Detector, printHint3 } from './eval-hint3.mjs';
import { evalKnowledge, printKnowledge } from './eval-knowledge.mjs';
import { writeReport } from './eval-report.mjs';
import { evalSmallPilots, printSmallPilots } from './eval-small-pilots.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.EVAL_DATASETS ?? resolve(root, '../shared/datasets');
const SEED = 20191103; // fixed: the few-shot sample is the same every run
const SHOTS = 10;

/** Groups `[text, intent]` rows into intent definitions, in first-seen order. */
function toIntents(rows) {
  const byName = new Map();
  for (const [text, intent] of rows) {
    if (!byName.has(intent)) byName.set(intent, []);
    byName.get(intent).push(text);
  }
  return [...byName].map(([name, trainingPhrases]) => ({ name, trainingPhrases }));
}

const WITH_NLPJS = process.argv.includes('--nlpjs');

// Everything printed is also kept for eval/RESULTS.md.
const report = [];
const print = console.log;
console.log = (...args) => {
  report.push(args.join(' '));
  print(...args);
};

async function predict(detector, rows) {
  const out = [];
  for (const [text, intent] of rows) {
    const { intent: predicted, confidence } = await (detector.classify
      ? detector.classify(text)
      : detector.detect(text));
    // A classifier that names no intent (nlp.js `None`) has rejected the message: out of scope.
    out.push({ correct: predicted === intent, confidence: predicted === null ? -1 : confidence });
  }
  return out;
}

/** Threshold maximising joint accuracy on in-scope + out-of-scope validation predictions. */
function chooseThreshold(inScope, outOfScope) {
  const candidates = [0, ...new Set([...inScope, ...outOfScope].map((p) => p.confidence))].sort(
    (a, b) => a - b,
  );
  let best = { threshold: 0, correct: -1 };
  for (const threshold of candidates) {
    const correct =
      inScope.filter((p) => p.correct && p.confidence >= threshold).length +
      outOfScope.filter((p) => p.confidence < threshold).length;
    if (correct > best.correct) best = { threshold, correct };
  }
  return best.threshold;
}

function scoreOos(inScope, outOfScope, threshold) {
  return {
    inScope: inScope.filter((p) => p.correct && p.confidence >= threshold).length / inScope.length,
    oosRecall: outOfScope.filter((p) => p.confidence < threshold).length / outOfScope.length,
  };
}

const pct = (x) => (100 * x).toFixed(1);
const percentile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

let nlpjsTrainMs = null;

async function evalClinc() {
  const data = JSON.parse(readFileSync(resolve(datasets, 'clinc150/data_full.json'), 'utf8'));
  const intents = toIntents(data.train);
  const started = performance.now();
  const local = LocalIntentDetector.train(intents);
  const trainMs = performance.now() - started;
  const detectors = [
    ['keyword baseline (this run)', new KeywordIntentDetector(intents)],
    ['edgepilot local (this run)', local],
  ];
  if (WITH_NLPJS) {
    const { trainNlpjs } = await import('../eval/nlpjs-detector.mjs');
    const nlpjsStarted = performance.now();
    const nlpjs = await trainNlpjs(intents);
    nlpjsTrainMs = performance.now() - nlpjsStarted;
    detectors.splice(1, 0, ['nlp.js NluNeural (this run)', nlpjs]);
  }
  const rows = [];
  for (const [name, detector] of detectors) {
    const threshold = chooseThreshold(
      await predict(detector, data.val),
      await predict(detector, data.oos_val),
    );
    const test = scoreOos(
      await predict(detector, data.test),
      await predict(detector, data.oos_test),
      threshold,
    );
    rows.push({ name, threshold, ...test });
  }
  return { intents: intents.length, phrases: data.train.length, local, trainMs, rows, data };
}

function timed(fn) {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

async function evalBanking() {
  const [, ...train] = parseCsv(readFileSync(resolve(datasets, 'banking77/train.csv'), 'utf8'));
  const [, ...test] = parseCsv(readFileSync(resolve(datasets, 'banking77/test.csv'), 'utf8'));
  const random = seededRandom(SEED);
  const intents = toIntents(train).map(({ name, trainingPhrases }) => ({
    name,
    trainingPhrases: shuffleInPlace([...trainingPhrases], random).slice(0, SHOTS),
  }));
  const accuracy = async (detector) =>
    (await predict(detector, test)).filter((p) => p.correct).length / test.length;
  const nlpjs = WITH_NLPJS
    ? await accuracy(await (await import('../eval/nlpjs-detector.mjs')).trainNlpjs(intents))
    : null;
  return {
    intents: intents.length,
    test: test.length,
    keyword: await accuracy(new KeywordIntentDetector(intents)),
    nlpjs,
    local: await accuracy(LocalIntentDetector.train(intents)),
    trainMs: timed(() => LocalIntentDetector.train(intents)),
  };
}

function measureHotPath(local, messages) {
  const json = JSON.stringify(local.toJSON());
  const loadStarted = performance.now();
  const loaded = LocalIntentDetector.fromJSON(JSON.parse(json));
  const loadMs = performance.now() - loadStarted;
  const timings = (fn) =>
    messages.map((text) => {
      const t = performance.now();
      fn(text);
      return performance.now() - t;
    });
  for (const text of messages.slice(0, 200)) loaded.detect(text); // warm the JIT first
  return {
    jsonBytes: json.length,
    memoryBytes: loaded.memoryBytes,
    loadMs,
    classifyP50: percentile(
      timings((t) => loaded.classify(t)),
      0.5,
    ),
    detectP50: percentile(
      timings((t) => loaded.detect(t)),
      0.5,
    ),
    detectP99: percentile(
      timings((t) => loaded.detect(t)),
      0.99,
    ),
  };
}

const clinc = await evalClinc();
const banking = await evalBanking();
const hot = measureHotPath(
  clinc.local,
  clinc.data.test.map(([text]) => text),
);

const paper = [
  ['SVM (bag of words)', 88.2, 18.0],
  ['FastText', 88.6, 28.3],
  ['DialogFlow', 90.8, 26.7],
  ['Rasa NLU', 90.9, 31.2],
  ['CNN', 90.9, 30.9],
  ['MLP (USE embeddings)', 93.4, 49.1],
  ['BERT (fine-tuned)', 96.2, 52.3],
];
console.log('\nCLINC150 full, oos-threshold (threshold chosen on val + oos_val)\n');
console.log('| classifier | in-scope accuracy (test) | out-of-scope recall (oos_test) | source |');
console.log('|---|---:|---:|---|');
for (const [name, a, r] of paper) {
  console.log(`| ${name} | ${a.toFixed(1)} | ${r.toFixed(1)} | paper, Table 2 |`);
}
for (const row of clinc.rows) {
  console.log(
    `| **${row.name}** | **${pct(row.inScope)}** | **${pct(row.oosRecall)}** | measured, threshold ${row.threshold.toFixed(3)} |`,
  );
}
console.log(
  `\nBANKING77 few-shot: ${SHOTS} phrases per intent (seed ${SEED}), ${banking.intents} intents, ${banking.test} test utterances\n`,
);
console.log('| classifier | accuracy (test.csv) |');
console.log('|---|---:|');
console.log(`| keyword baseline | ${pct(banking.keyword)} |`);
if (banking.nlpjs !== null) console.log(`| nlp.js NluNeural | ${pct(banking.nlpjs)} |`);
console.log(`| edgepilot local | ${pct(banking.local)} |`);
console.log('\nCost (CLINC150 model: 150 intents, 15,000 phrases; single-threaded Node 22)\n');
console.log('| measure | value |');
console.log('|---|---:|');
console.log(
  `| training time, CLINC150 (150 intents, 15,000 phrases) | ${(clinc.trainMs / 1000).toFixed(2)} s |`,
);
console.log(
  `| training time, BANKING77 few-shot (77 intents × 10) | ${banking.trainMs.toFixed(0)} ms |`,
);
if (nlpjsTrainMs !== null) {
  console.log(`| training time, nlp.js on CLINC150 | ${(nlpjsTrainMs / 1000).toFixed(1)} s |`);
}
console.log(`| model in memory | ${(hot.memoryBytes / 1e6).toFixed(1)} MB |`);
console.log(`| serialised model (JSON) | ${(hot.jsonBytes / 1e6).toFixed(1)} MB |`);
console.log(`| load (JSON.parse + build) | ${hot.loadMs.toFixed(0)} ms |`);
console.log(`| classify p50 | ${(hot.classifyP50 * 1000).toFixed(0)} µs |`);
console.log(
  `| classify + entities p50 / p99 | ${(hot.detectP50 * 1000).toFixed(0)} / ${(hot.detectP99 * 1000).toFixed(0)} µs |`,
);

printSmallPilots(evalSmallPilots(clinc.data));

const hint3Detectors = [
  ['keyword baseline', (intents) => new KeywordIntentDetector(intents)],
  localHint3Detector,
];
if (WITH_NLPJS) {
  const { trainNlpjs } = await import('../eval/nlpjs-detector.mjs');
  hint3Detectors.splice(1, 0, ['nlp.js NluNeural', trainNlpjs]);
}
printHint3(await evalHint3(datasets, hint3Detectors));
printKnowledge(await evalKnowledge(datasets));
printHandover(evalHandover(datasets));

writeReport(root, report, `npm run eval${WITH_NLPJS ? ' -- --nlpjs' : ''}`);
