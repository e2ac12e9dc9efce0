#!/usr/bin/env node
/**
 * HINT3 (Arora et al., "HINT3: Raising the bar for Intent Detection in the Wild", EMNLP 2020
 * Insights workshop; ODbL/DbCL): real queries to three live support bots, most of them out of
 * scope (`NO_NODES_DETECTED`). v1, as in the paper.
 *
 * One out-of-scope threshold for all three bots, chosen from the training sets only: 5-fold
 * cross-validation on each bot's train where every fold also leaves a fifth of the intents out
 * entirely (their phrases play the out-of-scope messages the train set does not have). The
 * threshold maximises balanced accuracy ((in-scope right + out-of-scope recall) / 2) over the
 * pooled folds of the three bots. The test sets are read once, at that threshold; the paper's
 * BERT figures (threshold 0.9) are read from the dataset's own `results/` files.
 * Part of `npm run eval`; runs alone with `node scripts/eval-hint3.mjs`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalIntentDetector } from '../shared/ai/local-intent-detector.ts';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';
import { parseCsv } from './eval-csv.mjs';

export const BOTS = ['sofmattress', 'curekart', 'powerplay11'];
const OOS = 'NO_NODES_DETECTED';
const FOLDS = 5;
const SEED = 20201119;
const PAPER_THRESHOLD = '0.9';

const readRows = (path) =>
  parseCsv(readFileSync(path, 'utf8'))
    .slice(1)
    .map(([text, label]) => [text.trim(), label.trim()])
    .filter(([text]) => text.length > 0);

function toIntents(rows) {
  const byName = new Map();
  for (const [text, intent] of rows) {
    if (!byName.has(intent)) byName.set(intent, []);
    byName.get(intent).push(text);
  }
  return [...byName].map(([name, trainingPhrases]) => ({ name, trainingPhrases }));
}

/** The paper's metrics at its threshold, from `results/bert_<bot>.csv`. */
function paperBert(dir, bot) {
  const [header, ...rows] = parseCsv(readFileSync(resolve(dir, `results/bert_${bot}.csv`), 'utf8'));
  const row = rows.find((r) => Number(r[0]).toFixed(1) === PAPER_THRESHOLD);
  const col = (name) => Number(row[header.indexOf(name)]);
  return {
    accuracy: col('Accuracy'),
    inScope: col('Inscope Accuracy'),
    oosRecall: col('OOS Recall'),
  };
}

async function predict(detector, rows) {
  const out = [];
  for (const [text, label] of rows) {
    const { intent, confidence } = await (detector.classify
      ? detector.classify(text)
      : detector.detect(text));
    // No intent named (nlp.js `None`): rejected, out of scope at any threshold.
    out.push({
      oos: label === OOS,
      correct: intent === label,
      confidence: intent === null ? -1 : confidence,
    });
  }
  return out;
}

/** Cross-validation predictions on a bot's train: held-out phrases and held-out intents. */
async function crossValidate(train, makeDetector, random) {
  const intents = toIntents(train);
  const names = shuffleInPlace(
    intents.map((i) => i.name),
    random,
  );
  const foldOfPhrase = new Map(
    intents.map((i) => [i.name, shuffleInPlace([...i.trainingPhrases], random)]),
  );
  const out = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const unseen = new Set(names.filter((_, i) => i % FOLDS === fold));
    const fit = [];
    const heldRows = [];
    for (const [name, phrases] of foldOfPhrase) {
      phrases.forEach((text, i) => {
        if (unseen.has(name)) heldRows.push([text, OOS]);
        else if (i % FOLDS === fold) heldRows.push([text, name]);
        else fit.push([text, name]);
      });
    }
    const detector = await makeDetector(toIntents(fit));
    out.push(...(await predict(detector, heldRows)));
  }
  return out;
}

const score = (predictions, threshold) => {
  const inScope = predictions.filter((p) => !p.oos);
  const oos = predictions.filter((p) => p.oos);
  const right = inScope.filter((p) => p.correct && p.confidence >= threshold).length;
  const rejected = oos.filter((p) => p.confidence < threshold).length;
  return {
    accuracy: (right + rejected) / predictions.length,
    inScope: right / inScope.length,
    oosRecall: rejected / oos.length,
    balanced: (right / inScope.length + rejected / oos.length) / 2,
  };
};

function chooseThreshold(predictions) {
  const candidates = [0, ...new Set(predictions.map((p) => p.confidence))].sort((a, b) => a - b);
  let best = { threshold: 0, balanced: -1 };
  for (const threshold of candidates) {
    const { balanced } = score(predictions, threshold);
    if (balanced > best.balanced) best = { threshold, balanced };
  }
  return best.threshold;
}

/** `detectors`: [name, (intents) => detector] pairs; each gets its own threshold. */
export async function evalHint3(datasets, detectors) {
  const dir = resolve(datasets, 'hint3');
  const data = BOTS.map((bot) => ({
    bot,
    train: readRows(resolve(dir, `dataset/v1/train/${bot}_train.csv`)),
    test: readRows(resolve(dir, `dataset/v1/test/${bot}_test.csv`)),
    paper: paperBert(dir, bot),
  }));
  const results = [];
  for (const [name, make] of detectors) {
    const random = seededRandom(SEED);
    const folds = [];
    for (const { train } of data) folds.push(...(await crossValidate(train, make, random)));
    const threshold = chooseThreshold(folds);
    const bots = [];
    for (const { bot, train, test } of data) {
      const detector = await make(toIntents(train));
      bots.push({ bot, ...score(await predict(detector, test), threshold) });
    }
    results.push({ name, threshold, bots });
  }
  return {
    bots: data.map(({ bot, train, test, paper }) => ({
      bot,
      intents: toIntents(train).length,
      train: train.length,
      test: test.length,
      oos: test.filter(([, label]) => label === OOS).length,
      paper,
    })),
    results,
  };
}

export function printHint3(report) {
  const pct = (x) => (100 * x).toFixed(1);
  console.log(
    `\nHINT3 v1 (real support-bot traffic): one out-of-scope threshold per classifier for all three bots, chosen by ${FOLDS}-fold cross-validation on train (a fifth of the intents left out per fold as out-of-scope), test read once\n`,
  );
  console.log(
    '| bot | test queries (out of scope) | classifier | accuracy | in-scope accuracy | out-of-scope recall | source |',
  );
  console.log('|---|---:|---|---:|---:|---:|---|');
  for (const [i, bot] of report.bots.entries()) {
    const label = `${bot.bot} | ${bot.test} (${bot.oos})`;
    console.log(
      `| ${label} | BERT fine-tuned | ${pct(bot.paper.accuracy)} | ${pct(bot.paper.inScope)} | ${pct(bot.paper.oosRecall)} | paper, threshold ${PAPER_THRESHOLD} |`,
    );
    for (const result of report.results) {
      const r = result.bots[i];
      const bold = result.name.startsWith('edgepilot') ? '**' : '';
      console.log(
        `| ${label} | ${bold}${result.name}${bold} | ${bold}${pct(r.accuracy)}${bold} | ${pct(r.inScope)} | ${pct(r.oosRecall)} | measured, threshold ${result.threshold.toFixed(3)} |`,
      );
    }
  }
}

export const localHint3Detector = [
  'edgepilot local',
  (intents) => LocalIntentDetector.train(intents),
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const datasets = process.env.EVAL_DATASETS ?? resolve(root, '../shared/datasets');
  printHint3(await evalHint3(datasets, [localHint3Detector]));
}
