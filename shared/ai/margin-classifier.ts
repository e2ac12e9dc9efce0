/**
 * Multiclass linear classifier trained with averaged Passive-Aggressive updates on the
 * Crammer–Singer hinge loss (Crammer et al., JMLR 2006): each step moves only the true class
 * and the highest-scoring wrong class, so weights stay sparse (memory grows with what was
 * learned, not vocabulary × intents) and training is fast. Averaging the weights over all steps
 * is the standard cure for online-learning noise. Chosen over softmax regression on CLINC150
 * validation (see README "AI pilot"). Confidence is a softmax over scores with a temperature.
 */
import { seededRandom, shuffleInPlace } from './seeded-random.ts';
import type { SparseVector } from './text-features.ts';

export interface MarginTrainOptions {
  epochs: number;
  /** PA-I aggressiveness cap: the largest step one example may take. */
  aggressiveness: number;
  margin: number;
  seed: number;
}

export const defaultMarginTrainOptions: MarginTrainOptions = {
  epochs: 10,
  aggressiveness: 1,
  margin: 1,
  seed: 7,
};

/** Compressed sparse rows: feature f's weights are classes/weights[rowStart[f]..rowStart[f+1]). */
export interface SparseWeights {
  rowStart: Int32Array;
  classes: Uint16Array;
  weights: Float32Array;
}

/** One feature's growing row during training: class ids, current and step-weighted sums. */
interface TrainingRow {
  classes: number[];
  current: number[];
  weightedSum: number[];
}

export function trainMarginClassifier(
  examples: readonly SparseVector[],
  labels: readonly number[],
  featureCount: number,
  classCount: number,
  options: MarginTrainOptions = defaultMarginTrainOptions,
): SparseWeights {
  const rows: (TrainingRow | undefined)[] = new Array(featureCount);
  const scores = new Float64Array(classCount);
  const order = shuffleInPlace(
    examples.map((_, i) => i),
    seededRandom(options.seed),
  );
  const random = seededRandom(options.seed + 1);
  let step = 1;
  const bump = (feature: number, cls: number, delta: number) => {
    let row = rows[feature];
    if (!row) {
      row = { classes: [], current: [], weightedSum: [] };
      rows[feature] = row;
    }
    let at = row.classes.indexOf(cls);
    if (at < 0) {
      at = row.classes.push(cls) - 1;
      row.current.push(0);
      row.weightedSum.push(0);
    }
    row.current[at] = (row.current[at] as number) + delta;
    // Averaging trick (Daumé): keep sum of step·delta; average = current − weightedSum / steps.
    row.weightedSum[at] = (row.weightedSum[at] as number) + step * delta;
  };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    if (epoch > 0) shuffleInPlace(order, random);
    for (const index of order) {
      const { indices, values } = examples[index] as SparseVector;
      const label = labels[index] as number;
      scores.fill(0);
      let squaredNorm = 0;
      for (let k = 0; k < indices.length; k++) {
        const row = rows[indices[k] as number];
        const x = values[k] as number;
        squaredNorm += x * x;
        if (!row) continue;
        for (let n = 0; n < row.classes.length; n++) {
          const c = row.classes[n] as number;
          scores[c] = (scores[c] as number) + (row.current[n] as number) * x;
        }
      }
      let rival = -1;
      for (let c = 0; c < classCount; c++) {
        if (c !== label && (rival < 0 || (scores[c] as number) > (scores[rival] as number))) {
          rival = c;
        }
      }
      const loss =
        rival < 0 ? 0 : options.margin - (scores[label] as number) + (scores[rival] as number);
      if (loss > 0 && squaredNorm > 0) {
        const tau = Math.min(options.aggressiveness, loss / (2 * squaredNorm));
        for (let k = 0; k < indices.length; k++) {
          const feature = indices[k] as number;
          const x = values[k] as number;
          bump(feature, label, tau * x);
          bump(feature, rival, -tau * x);
        }
      }
      step++;
    }
  }
  return compress(rows, featureCount, step);
}

function compress(
  rows: (TrainingRow | undefined)[],
  featureCount: number,
  steps: number,
): SparseWeights {
  let total = 0;
  for (const row of rows) total += row?.classes.length ?? 0;
  const rowStart = new Int32Array(featureCount + 1);
  const classes = new Uint16Array(total);
  const weights = new Float32Array(total);
  let n = 0;
  for (let f = 0; f < featureCount; f++) {
    rowStart[f] = n;
    const row = rows[f];
    if (!row) continue;
    for (let i = 0; i < row.classes.length; i++) {
      classes[n] = row.classes[i] as number;
      weights[n] = (row.current[i] as number) - (row.weightedSum[i] as number) / steps;
      n++;
    }
  }
  rowStart[featureCount] = n;
  return { rowStart, classes, weights };
}

/** Raw linear scores per class for one vector. */
export function scoreVector(
  model: SparseWeights,
  vector: SparseVector,
  classCount: number,
): Float64Array {
  const scores = new Float64Array(classCount);
  for (let k = 0; k < vector.indices.length; k++) {
    const f = vector.indices[k] as number;
    const x = vector.values[k] as number;
    const end = model.rowStart[f + 1] as number;
    for (let n = model.rowStart[f] as number; n < end; n++) {
      const c = model.classes[n] as number;
      scores[c] = (scores[c] as number) + (model.weights[n] as number) * x;
    }
  }
  return scores;
}

/** Softmax with temperature, in place: turns margins into 0..1 confidences. */
export function softmaxInPlace(scores: Float64Array, temperature: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp(temperature * ((scores[c] as number) - max));
    scores[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] as number) / sum;
  return scores;
}
