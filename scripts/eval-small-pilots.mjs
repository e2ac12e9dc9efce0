#!/usr/bin/env node
/**
 * Pilots as admins build them: a few intents with 10 phrases each, behind an `intent_detected`
 * trigger's `minConfidence`. Drawn from CLINC150 (Larson et al., EMNLP 2019, CC BY 3.0) with a
 * fixed seed: phrases from `train`, messages from `val` and `oos_val` only (the test split stays
 * untouched). For each pilot size and threshold it reports how many in-scope messages start the
 * right flow, and how many out-of-scope messages and messages about *other* CLINC intents would
 * wrongly start one. Part of `npm run eval`; runs alone with `node scripts/eval-small-pilots.mjs`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalIntentDetector } from '../shared/ai/local-intent-detector.ts';
import { seededRandom, shuffleInPlace } from '../shared/ai/seeded-random.ts';

const SEED = 20260105;
const SIZES = [3, 5, 10];
const THRESHOLDS = [0.3, 0.5, 0.7];
const PILOTS_PER_SIZE = 20;
const SHOTS = 10;
/** Messages about intents the pilot does not have, per such intent. */
const OTHER_PER_INTENT = 5;

const group = (rows) => {
  const by = new Map();
  for (const [text, intent] of rows) {
    if (!by.has(intent)) by.set(intent, []);
    by.get(intent).push(text);
  }
  return by;
};

export function evalSmallPilots(data) {
  const random = seededRandom(SEED);
  const train = group(data.train);
  const val = group(data.val);
  const labels = [...train.keys()];
  const oos = data.oos_val.map(([text]) => text);
  const rows = [];
  for (const size of SIZES) {
    const counts = THRESHOLDS.map(() => ({ right: 0, inScope: 0, oos: 0, other: 0 }));
    let inScope = 0;
    let other = 0;
    for (let pilot = 0; pilot < PILOTS_PER_SIZE; pilot++) {
      const shuffled = shuffleInPlace([...labels], random);
      const chosen = shuffled.slice(0, size);
      const elsewhere = shuffled.slice(size, size + 10);
      const detector = LocalIntentDetector.train(
        chosen.map((name) => ({
          name,
          trainingPhrases: shuffleInPlace([...train.get(name)], random).slice(0, SHOTS),
        })),
      );
      const score = (text) => detector.classify(text);
      for (const name of chosen)
        for (const text of val.get(name)) {
          inScope++;
          const result = score(text);
          THRESHOLDS.forEach((t, i) => {
            if (result.intent === name && result.confidence >= t) counts[i].right++;
          });
        }
      for (const text of oos) {
        const { confidence } = score(text);
        THRESHOLDS.forEach((t, i) => {
          if (confidence >= t) counts[i].oos++;
        });
      }
      for (const name of elsewhere)
        for (const text of val.get(name).slice(0, OTHER_PER_INTENT)) {
          other++;
          const { confidence } = score(text);
          THRESHOLDS.forEach((t, i) => {
            if (confidence >= t) counts[i].other++;
          });
        }
    }
    THRESHOLDS.forEach((threshold, i) => {
      rows.push({
        size,
        threshold,
        right: counts[i].right / inScope,
        oos: counts[i].oos / (oos.length * PILOTS_PER_SIZE),
        other: counts[i].other / other,
      });
    });
  }
  return rows;
}

export function printSmallPilots(rows) {
  const pct = (x) => (100 * x).toFixed(1);
  console.log(
    `\nSmall pilots: ${PILOTS_PER_SIZE} random pilots per size, ${SHOTS} phrases per intent from CLINC150 train, messages from val + oos_val (seed ${SEED})\n`,
  );
  console.log(
    '| intents | minConfidence | in-scope → right flow | out-of-scope → a flow | other-intent → a flow |',
  );
  console.log('|---:|---:|---:|---:|---:|');
  for (const row of rows)
    console.log(
      `| ${row.size} | ${row.threshold} | ${pct(row.right)} | ${pct(row.oos)} | ${pct(row.other)} |`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const datasets = process.env.EVAL_DATASETS ?? resolve(root, '../shared/datasets');
  const data = JSON.parse(readFileSync(resolve(datasets, 'clinc150/data_full.json'), 'utf8'));
  printSmallPilots(evalSmallPilots(data));
}
