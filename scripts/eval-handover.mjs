#!/usr/bin/env node
/**
 * Handover detection on real traffic: how often a message that is not a request for a person
 * would hand the conversation over (false positives), and how many real requests are caught.
 * Negatives: every CLINC150 utterance (no CLINC intent asks for a person) and every HINT3 v1
 * sentence outside the bots' agent intents; positives: HINT3's `CHAT_WITH_AGENT` (curekart)
 * and `CHAT_WITH_AN_AGENT` (powerplay11) sentences. sofmattress's `LEAD_GEN` mixes agent
 * requests with other things, so it is in neither set. The rules were revised after reading the
 * false positives of all these splits: the figures are development figures, not held out.
 * Part of `npm run eval`; runs alone with `node scripts/eval-handover.mjs`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHandoverRequest } from '../shared/knowledge/handover.ts';
import { parseCsv } from './eval-csv.mjs';
import { BOTS } from './eval-hint3.mjs';

const AGENT_INTENTS = new Set(['CHAT_WITH_AGENT', 'CHAT_WITH_AN_AGENT']);
const MIXED = new Set(['LEAD_GEN']);

export function evalHandover(datasets) {
  const clinc = JSON.parse(readFileSync(resolve(datasets, 'clinc150/data_full.json'), 'utf8'));
  const clincTexts = Object.values(clinc)
    .flat()
    .map(([text]) => text);
  const hint3 = BOTS.flatMap((bot) =>
    ['train', 'test'].flatMap((part) =>
      parseCsv(
        readFileSync(resolve(datasets, `hint3/dataset/v1/${part}/${bot}_${part}.csv`), 'utf8'),
      )
        .slice(1)
        .filter(([text]) => text?.trim()),
    ),
  );
  const hint3Negatives = hint3.filter(([, l]) => !AGENT_INTENTS.has(l) && !MIXED.has(l));
  const positives = hint3.filter(([, l]) => AGENT_INTENTS.has(l)).map(([t]) => t);
  const flagged = (texts) => texts.filter((t) => isHandoverRequest(t));
  return {
    clinc: { total: clincTexts.length, flagged: flagged(clincTexts) },
    hint3: { total: hint3Negatives.length, flagged: flagged(hint3Negatives.map(([t]) => t)) },
    positives: { total: positives.length, caught: flagged(positives).length },
  };
}

export function printHandover(r) {
  const pct = (x) => (100 * x).toFixed(2);
  console.log('\nHandover detection ("talk to a human") on real traffic\n');
  console.log('| messages | count | taken as a handover request | rate |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| CLINC150, all splits (no intent asks for a person) | ${r.clinc.total} | ${r.clinc.flagged.length} | ${pct(r.clinc.flagged.length / r.clinc.total)}% |`,
  );
  console.log(
    `| HINT3 v1, outside the agent intents | ${r.hint3.total} | ${r.hint3.flagged.length} | ${pct(r.hint3.flagged.length / r.hint3.total)}% |`,
  );
  console.log(
    `| HINT3 v1 agent intents (requests: recall) | ${r.positives.total} | ${r.positives.caught} | ${pct(r.positives.caught / r.positives.total)}% |`,
  );
  console.log(
    `\nFalse positives: ${[...r.clinc.flagged, ...r.hint3.flagged].map((t) => `"${t}"`).join('; ')}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const datasets = process.env.EVAL_DATASETS ?? resolve(root, '../shared/datasets');
  printHandover(evalHandover(datasets));
}
