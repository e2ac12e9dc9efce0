/**
 * nlp.js (`@nlpjs/nlu` NluNeural, English) behind the eval's detector shape, so the issue's
 * suggested library is measured on the same data and threshold rule as ours (`--nlpjs`).
 */
import { containerBootstrap } from '@nlpjs/core';
import { LangEn } from '@nlpjs/lang-en-min';
import { NluNeural } from '@nlpjs/nlu';

export async function trainNlpjs(intents) {
  const container = await containerBootstrap();
  container.use(LangEn);
  const nlu = new NluNeural({ locale: 'en', log: false }, container);
  await nlu.train(
    intents.flatMap(({ name, trainingPhrases }) =>
      trainingPhrases.map((utterance) => ({ utterance, intent: name })),
    ),
  );
  return {
    async classify(text) {
      const [best] = (await nlu.process(text)).classifications;
      return { intent: best?.intent ?? null, confidence: best?.score ?? 0 };
    },
  };
}
