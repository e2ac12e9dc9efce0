import fc from 'fast-check';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import {
  citationLinks,
  entitiesToRecord,
  toAiAnswerEffectData,
} from '../../shared/ai/runtime-adapters.ts';
import {
  ANSWER_MODEL,
  answerFromKnowledge,
  answerProbability,
  consensusOf,
  DEFAULT_MIN_CONFIDENCE,
  decideKnowledgeAnswer,
  evidenceOf,
  LEAD_WORDS,
  leadWordsFor,
  MAX_LEAD_WORDS,
  MIN_EVIDENCE,
  MIN_SCORE,
  type RankedArticle,
  rankArticles,
  type SemanticScorer,
  scoreArticles,
  viewBuildCount,
} from '../../shared/knowledge/answer.ts';
import type { KnowledgeArticle } from '../../shared/knowledge/article.ts';
import {
  CharGramMatcher,
  MAX_GRAM_TERMS,
  MAX_POSTINGS,
} from '../../shared/knowledge/char-grams.ts';
import { isHandoverRequest } from '../../shared/knowledge/handover.ts';
import {
  KnowledgeIndex,
  type Passage,
  splitPassages,
} from '../../shared/knowledge/knowledge-index.ts';
import {
  MAX_QUESTION_TERMS,
  TitleMatcher,
  titleCoverage,
} from '../../shared/knowledge/semantic.ts';
import { STOP_WORDS } from '../../shared/knowledge/text.ts';
import { loadWordVectors } from '../../shared/knowledge/word-vectors.ts';
import { demoArticles } from '../../worker/seed/demo-knowledge.ts';

const articles: KnowledgeArticle[] = [
  {
    id: 'returns',
    title: 'Returns and refunds',
    url: 'https://help.example.com/returns',
    body: 'You can return any item within 30 days of delivery for a full refund. Items must be unused and in their original packaging.\n\nRefunds are paid to the original payment method within 5 business days after we receive the item.',
  },
  {
    id: 'shipping',
    title: 'Shipping times',
    url: 'https://help.example.com/shipping',
    body: 'Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day when ordered before 2 pm.\n\nWe ship to the EU, the UK and Switzerland.',
  },
  {
    id: 'password',
    title: 'Resetting your password',
    url: 'https://help.example.com/password',
    body: 'To reset your password, open the login page and choose "Forgot password". We email you a link that is valid for one hour.',
  },
];

describe('knowledge answers (local, extractive)', () => {
  const index = KnowledgeIndex.build(articles);

  it('answers with the matching sentence and a citation link to its article', async () => {
    const answer = await answerFromKnowledge('How long does express shipping take?', index);
    expect(answer).toMatchObject({
      kind: 'answered',
      citations: [{ title: 'Shipping times', url: 'https://help.example.com/shipping' }],
    });
    if (answer.kind !== 'answered') return;
    expect(answer.text).toContain('next business day');
  });

  it('finds the answer in a later paragraph of a long article', async () => {
    const answer = await answerFromKnowledge('when is my refund paid', index);
    expect(answer.kind === 'answered' && answer.text).toContain('5 business days');
  });

  it('says noAnswer when the knowledge does not cover the question', async () => {
    expect(await answerFromKnowledge('Do you sell gift cards for birthdays?', index)).toEqual({
      kind: 'noAnswer',
    });
    expect(await answerFromKnowledge('hello', index)).toEqual({ kind: 'noAnswer' });
  });

  it('says noAnswer when there is no knowledge at all', async () => {
    const empty = KnowledgeIndex.build([]);
    expect(await answerFromKnowledge('how do refunds work', empty)).toEqual({ kind: 'noAnswer' });
  });

  it('hands over when the visitor asks for a human', async () => {
    for (const text of [
      'Can I talk to a human?',
      'agent please',
      'connect me with a real person',
    ]) {
      expect(await answerFromKnowledge(text, index), text).toEqual({ kind: 'handoverRequested' });
    }
  });

  it('answers the same from an index restored from its stored JSON', async () => {
    const restored = KnowledgeIndex.fromJSON(index.toJSON());
    const question = 'how do I reset my password';
    expect(await answerFromKnowledge(question, restored)).toEqual(
      await answerFromKnowledge(question, index),
    );
  });
});

describe('handover requests', () => {
  it('are not confused with questions that merely mention people or agents', () => {
    expect(isHandoverRequest('How many people work at your company?')).toBe(false);
    expect(isHandoverRequest('Which shipping agent do you use for the UK?')).toBe(false);
    expect(isHandoverRequest('I need to speak to someone about my order')).toBe(true);
  });
});

describe('knowledge answers as ai_answer effect results', () => {
  it('map to the engine outcomes and keep the citations', () => {
    const answered = {
      kind: 'answered' as const,
      text: 'Within 30 days.',
      citations: [{ title: 'Returns', url: 'https://help.example.com/returns' }],
      confidence: 1,
    };
    expect(toAiAnswerEffectData(answered)).toEqual({
      outcome: 'answered',
      text: 'Within 30 days.',
      citations: answered.citations,
    });
    expect(
      citationLinks([
        ...answered.citations,
        { title: 'Returns again', url: answered.citations[0]!.url },
      ]),
    ).toEqual([{ label: 'Returns', url: 'https://help.example.com/returns' }]);
    expect(toAiAnswerEffectData({ kind: 'noAnswer' })).toEqual({ outcome: 'no_answer' });
    expect(toAiAnswerEffectData({ kind: 'handoverRequested' })).toEqual({
      outcome: 'handover_requested',
    });
  });

  it('turn entities into entity.* values for flows', () => {
    expect(
      entitiesToRecord([
        { name: 'number', value: '2', text: '2' },
        { name: 'number', value: '5', text: '5' },
        { name: 'email', value: 'a@b.co', text: 'a@b.co' },
      ]),
    ).toEqual({ number: '2', number_all: ['2', '5'], email: 'a@b.co', email_all: ['a@b.co'] });
  });
});

describe('knowledge answers abstain when no article stands out', () => {
  const twins: KnowledgeArticle[] = [
    {
      id: 'gift-cards',
      title: 'Gift cards',
      url: 'https://help.example.com/gift-cards',
      body: 'Gift cards are sold in our stores in amounts from 10 to 200 euros.',
    },
    {
      id: 'gift-wrap',
      title: 'Gift wrapping',
      url: 'https://help.example.com/gift-wrap',
      body: 'Gift wrapping is available in our stores for 3 euros per item.',
    },
  ];
  const index = KnowledgeIndex.build([...twins, ...articles]);

  it('answers when one article clearly beats the runner-up, and says why', async () => {
    const decision = await decideKnowledgeAnswer('How much does gift wrapping cost?', index);
    expect(decision.answer).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/gift-wrap' }],
    });
    expect(decision.confidence).toBeGreaterThanOrEqual(DEFAULT_MIN_CONFIDENCE);
    expect(decision.why).toContain('Gift wrapping');
  });

  it('says noAnswer when two articles match the question about equally', async () => {
    // Covers the question fully (old rule: answered) but cannot tell which article is meant.
    const decision = await decideKnowledgeAnswer('gift stores', index);
    expect(decision.coverage).toBe(1);
    expect(decision.confidence).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
    expect(decision.why).toContain('Not sure enough');
    expect(decision.why).toMatch(/margin over "Gift (cards|wrapping)" \d+%/);
    expect(decision.best?.url).toMatch(/gift-/);
  });

  it('says noAnswer when the best article matches the question too weakly', async () => {
    const decision = await decideKnowledgeAnswer(
      'Can I pay my invoice with a gift voucher from a partner bank?',
      index,
    );
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
    expect(decision.confidence).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
    expect(decision.why).toContain(`needs ${Math.round(100 * DEFAULT_MIN_CONFIDENCE)}%`);
  });

  it('answers from an article only BM25 finds when it stands alone (no title cap)', async () => {
    // The question shares no word (and no close vector) with any title, only with one body: the
    // old rule's floor on the fused score (0.58) could never be reached by such an article (≤ 0.5).
    const question = 'Which courier company carries heavy furniture?';
    const kb = KnowledgeIndex.build([
      ...articles,
      {
        id: 'sofa',
        title: 'Big items',
        url: 'https://help.example.com/sofa',
        body: 'Heavy furniture such as sofas is carried by our courier company, Speedy Freight.',
      },
    ]);
    const [top] = rankArticles(scoreArticles(question, kb, await loadWordVectors()));
    expect(top?.article.articleId).toBe('sofa');
    expect(top?.fused).toBeLessThan(0.58);
    const decision = await decideKnowledgeAnswer(question, kb);
    expect(decision.answer).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/sofa' }],
    });
  });

  it('the answer model trusts views that agree on the best article more', () => {
    expect(ANSWER_MODEL.consensus).toBeGreaterThan(0);
    const p = (consensus: number) => answerProbability({ consensus });
    expect(p(0.9)).toBeGreaterThan(p(0.5));
    expect(p(0.9)).toBeGreaterThanOrEqual(DEFAULT_MIN_CONFIDENCE);
    // No view puts the best article ahead of the rest: not answered at the default.
    expect(p(0)).toBeLessThan(DEFAULT_MIN_CONFIDENCE);
    // Every view prefers another article: far below any threshold a pilot may set by default.
    expect(p(-1)).toBeLessThan(DEFAULT_MIN_CONFIDENCE / 2);
  });

  it('counts how clearly each view puts the best article ahead (consensus), not just the fused score', async () => {
    const vectors = await loadWordVectors();
    const ranked = rankArticles(scoreArticles('How much does gift wrapping cost?', index, vectors));
    expect(ranked[0]?.article.articleId).toBe('gift-wrap');
    // BM25, title and lead vectors, title and lead characters.
    expect(ranked[0]?.views).toHaveLength(5);
    const clear = consensusOf(ranked);
    expect(clear).toBeGreaterThan(0.3);
    // The same ranking with one view turned around (it prefers the runner-up) agrees less.
    const [top, second, ...rest] = ranked as [RankedArticle, RankedArticle, ...RankedArticle[]];
    const flipped = [
      { ...top, views: [0, ...top.views.slice(1)] },
      { ...second, views: [1, ...second.views.slice(1)] },
      ...rest,
    ];
    expect(consensusOf(flipped)).toBeLessThan(clear - 0.2);
  });
});

describe('title coverage: how much of the best title the question covers', () => {
  it('is full for a paraphrase of the title and partial for a sibling article', async () => {
    const vectors = await loadWordVectors();
    expect(titleCoverage('How do I get a refund?', 'Refunds', vectors)).toBe(1);
    expect(titleCoverage('can I return a gift card?', 'Returning gift cards', vectors)).toBe(1);
    const sibling = titleCoverage(
      'can I return a gift card?',
      'Exchanging a gift card for another size',
      vectors,
    );
    expect(sibling).toBeGreaterThan(0);
    expect(sibling).toBeLessThan(0.75);
    // Without vectors (Workers AI path) only the same word or stem counts.
    expect(titleCoverage('how to return parcels', 'Returns of parcels', null)).toBe(1);
    expect(titleCoverage('refund', 'Money back', null)).toBe(0);
    expect(titleCoverage('anything', '', vectors)).toBe(0);
  });

  it('compares at most 32 words of the title and of the question', async () => {
    const vectors = await loadWordVectors();
    const long = Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ');
    const started = performance.now();
    // 31 of the title's first 32 words are among the question's first 32; "delivery" (last in
    // the question) is not read. Unbounded, every title word would be covered (1).
    expect(titleCoverage(`${long} delivery`, `delivery ${long}`, vectors)).toBeCloseTo(31 / 32);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('handover detection', () => {
  it('takes requests for a person, however they are phrased', () => {
    for (const text of [
      'Can I talk to a human?',
      'I want to talk a agent',
      'chat with customer service representative',
      'Connect an agent',
      'put me through to a real person please',
      'get me a human',
      'Live agent',
      'I need to talk to someone',
    ])
      expect(isHandoverRequest(text), text).toBe(true);
  });

  it('does not take a person merely mentioned near a request verb as a handover request', () => {
    for (const text of [
      "I'd like to get a list of all people who ever sent me emails in gmail.",
      'can you get uber for two people going to 27 moss lane',
      'get me a hotel room for 3 people from march 12th to 14th in chicago',
      'can you put smooth operator by sade on my playlist',
      'am i talking to a real person',
      'I do not need chat agent',
      'how long does delivery take?',
    ])
      expect(isHandoverRequest(text), text).toBe(false);
  });

  it('bounds the text it looks at', () => {
    expect(isHandoverRequest(`${'a '.repeat(300)}talk to a human`)).toBe(false);
  });
});

describe('paraphrases through local word vectors', () => {
  const shop = KnowledgeIndex.build([
    {
      id: 'delivery',
      title: 'Delivery within Germany',
      url: 'https://help.example.com/delivery',
      body: 'Orders within Germany arrive in 2 to 3 business days. Orders abroad take up to a week.',
    },
    {
      id: 'refunds',
      title: 'Refunds for returned items',
      url: 'https://help.example.com/refunds',
      body: 'We pay refunds to the original payment method within 5 business days.',
    },
    {
      id: 'password',
      title: 'Resetting your password',
      url: 'https://help.example.com/password',
      body: 'Use the "Forgot password" link on the sign-in page to get a reset email.',
    },
  ]);

  it('the shipped vectors put related words closer than unrelated ones', async () => {
    const vectors = await loadWordVectors();
    const sim = (a: string, b: string) => vectors.cosine(vectors.row(a), vectors.row(b));
    expect(vectors.size).toBe(20_000);
    expect(sim('package', 'delivery')).toBeGreaterThan(sim('package', 'password') + 0.2);
    expect(sim('berlin', 'germany')).toBeGreaterThan(sim('berlin', 'password') + 0.2);
    // A word outside the kept vocabulary has no vector and matches nothing.
    expect(sim('refunds', 'refund')).toBe(0);
    expect(vectors.row('notawordatall')).toBe(-1);
  });

  it('finds the article for a question that shares no word with it (BM25 finds nothing)', async () => {
    const question = 'how long until my parcel reaches Berlin?';
    expect(shop.query(question)).toEqual([]);
    const decision = await decideKnowledgeAnswer(question, shop);
    expect(decision.best?.url).toBe('https://help.example.com/delivery');
    // The thresholds chosen on StackFAQ validation still hold this one back (README: item 2).
    expect(decision.why).toContain('title match');
  });

  it('answers a paraphrase that BM25 alone gets wrong, from the article whose views agree', async () => {
    // The example: BM25 prefers the refunds article ("days" is in both bodies, and its
    // body is shorter); the four other views all prefer the delivery article, the lead's word
    // vectors and characters most (its title's characters partly by luck: "many" is in
    // "Germany"), so the views agree on it more than on refunds.
    const question = 'how many days until my package gets to Berlin?';
    expect(shop.query(question, 1)[0]?.articleId).toBe('refunds');
    const decision = await decideKnowledgeAnswer(question, shop);
    expect(decision.answer).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/delivery' }],
    });
    expect(decision.why).toContain('lead match');
  });

  it('does not answer from a faint likeness to a lone article (the margin alone is not enough)', async () => {
    // Only one article is faintly like the question (score ≈ 0.02; the other views see nothing in
    // any article, so its consensus is high); the answer model alone would answer it, the floor
    // on the fused score (MIN_SCORE) refuses.
    const decision = await decideKnowledgeAnswer('how long until my parcel reaches Berlin?', shop);
    expect(decision.best?.url).toBe('https://help.example.com/delivery');
    expect(decision.confidence).toBeGreaterThanOrEqual(DEFAULT_MIN_CONFIDENCE);
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
    expect(decision.why).toContain(`the score needs ${Math.round(100 * MIN_SCORE)}%`);
  });

  it('does not answer from an article that is little like the question on its own (few articles)', async () => {
    // The demo's help center: with three articles, "one more question from the visitor" shared
    // only "one" with the shipping article ("within one business day"), every view preferred it
    // over the two others, and the pilot answered it with 73% confidence. Its own likeness
    // (title, lead and their characters) is about 0.1: under MIN_EVIDENCE.
    const demo = KnowledgeIndex.build(
      demoArticles.map((a) => ({
        id: a.id,
        title: a.title,
        url: `https://demo.example${a.path}`,
        body: a.body,
      })),
    );
    const decision = await decideKnowledgeAnswer('one more question from the visitor', demo);
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
    expect(decision.best?.url).toBe('https://demo.example/help.html#shipping');
    expect(decision.confidence).toBeGreaterThanOrEqual(DEFAULT_MIN_CONFIDENCE);
    expect(decision.why).toContain(`needs ${Math.round(100 * MIN_EVIDENCE)}%`);
    // A real question about shipping still gets its answer, and so does the paraphrase
    // on the shop above (its evidence, 0.19, is what the floor was held under).
    const asked = await decideKnowledgeAnswer('how long does delivery take?', demo);
    expect(asked.answer).toMatchObject({ kind: 'answered' });
    const berlin = await decideKnowledgeAnswer(
      'how many days until my package gets to Berlin?',
      shop,
    );
    expect(berlin.answer).toMatchObject({ kind: 'answered' });
  });

  it('still says noAnswer to a question none of the articles is about', async () => {
    const decision = await decideKnowledgeAnswer('Which football team won the league?', shop);
    expect(decision.answer).toEqual({ kind: 'noAnswer' });
  });

  it('compares at most 32 question words, so a pasted essay costs no more than a question', async () => {
    const essay = `${'delivery '.repeat(10)}${Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ')}`;
    const matcher = new TitleMatcher(await loadWordVectors(), shop.articles);
    const started = performance.now();
    const sims = matcher.similarities(essay);
    expect(performance.now() - started).toBeLessThan(200);
    expect(sims).toHaveLength(3);
    expect(MAX_QUESTION_TERMS).toBe(32);
  });
});

describe('knowledge search matches other forms of a word (stemmed BM25)', () => {
  const archive: KnowledgeArticle = {
    id: 'archive',
    title: 'Finding old messages',
    url: 'https://help.example.com/archive',
    body: 'Archiving a conversation hides it from the inbox. Open "All mail" to read it again.',
  };
  const portal: KnowledgeArticle = {
    id: 'portal',
    title: 'The customer portal',
    url: 'https://help.example.com/portal',
    body: 'Log in to the customer portal to see your invoices and change your address.',
  };
  it('finds an article through a form of the word it does not contain ("archived" → "Archiving")', async () => {
    // Neither word is a prefix of the other and they are two edits apart: only the stem matches.
    const index = KnowledgeIndex.build([archive, ...articles]);
    const [hit] = index.query('where do archived conversations go', 1);
    expect(hit?.articleId).toBe('archive');
    expect(hit?.queryTerms).toContain('archiv');
  });

  it('does not take a short word for the start of a longer one ("port" is not "portal")', async () => {
    // Prefix matching (before stemming) found the portal article for any question about a port.
    const index = KnowledgeIndex.build([portal, ...articles]);
    const question = 'Which port does your mail server use?';
    expect(index.query(question, 5).map((hit) => hit.articleId)).not.toContain('portal');
    expect((await decideKnowledgeAnswer(question, index)).answer.kind).toBe('noAnswer');
  });

  it('still answers from a snapshot stored before stemming (searched word for word, as built)', async () => {
    // The stored format before stemming: MiniSearch terms are whole lower-case words.
    const old = new MiniSearch<Passage>({
      fields: ['title', 'text'],
      storeFields: ['articleId', 'title', 'url', 'text'],
      processTerm: (term) => (STOP_WORDS.has(term.toLowerCase()) ? null : term.toLowerCase()),
    });
    const passages = articles.flatMap(splitPassages);
    old.addAll(passages);
    const entries = articles.map((a) => ({
      articleId: a.id,
      title: a.title,
      url: a.url,
      text: passages.find((p) => p.articleId === a.id)?.text ?? '',
    }));
    const stored = JSON.stringify({
      format: 'edgepilot-knowledge/2',
      search: old.toJSON(),
      articles: entries,
    });
    const restored = KnowledgeIndex.fromJSON(stored);
    // "business" and "days" are indexed whole there; their stems ("busi", "dai") would find nothing.
    const fresh = KnowledgeIndex.build(articles);
    const ids = (index: KnowledgeIndex) =>
      index.query('business days', 5).map((hit) => hit.articleId);
    expect(ids(restored)).toEqual(ids(fresh));
    expect(ids(restored).length).toBeGreaterThan(0);
    const question = 'How many business days until my refund is paid?';
    expect(await answerFromKnowledge(question, restored)).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/returns' }],
    });
  });
});

describe('character n-grams: a view that survives typos and other word forms', () => {
  const titles = [
    'Strikethrough with GitHub Markdown',
    'Delete my Facebook account',
    'Reset a password',
  ];

  it('finds the title through a misspelled or differently formed word that BM25 cannot match', () => {
    const matcher = new CharGramMatcher(titles);
    const [markdown, facebook, password] = matcher.similarities('stikethrough formating on githib');
    expect(markdown).toBeGreaterThan(0.3);
    expect(markdown).toBeGreaterThan(3 * Math.max(facebook ?? 0, password ?? 0));
    // Same words: the cosine is 1; nothing shared: 0.
    expect(matcher.similarities('reset password')[2]).toBeCloseTo(1);
    expect(matcher.similarities('football league')).toEqual([0, 0, 0]);
  });

  it('looks at 32 words of a question at most, so a pasted essay costs no more than a question', () => {
    const matcher = new CharGramMatcher(titles);
    const filler = Array.from({ length: 5000 }, (_, i) => `xq${i}`).join(' ');
    const started = performance.now();
    const [first] = matcher.similarities(`strikethrough ${filler} password`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(MAX_GRAM_TERMS).toBe(32);
    // The first word is looked at, a word past the 32nd is not.
    expect(first).toBeGreaterThan(0);
    expect(matcher.similarities(`${filler} password`)[2]).toBe(0);
  });
});

describe("the cached views stay bounded at a pilot's largest knowledge", () => {
  // 8,000,000 characters of knowledge, the most a pilot may store (MAX_KNOWLEDGE_CHARS), as
  // 10,000 articles of 800 characters of varied words.
  const words = Array.from({ length: 5000 }, (_, i) => `w${(i * 7919).toString(36)}x${i % 97}`);
  const body = (n: number) =>
    Array.from({ length: 110 }, (_, i) => words[(n * 131 + i * 17) % words.length]).join(' ');
  const big: KnowledgeArticle[] = Array.from({ length: 10_000 }, (_, n) => ({
    id: `a${n}`,
    title: `Article ${words[n % words.length]} ${words[(n * 3) % words.length]}`,
    url: `https://help.example.com/${n}`,
    body: body(n),
  }));

  it('holds at most MAX_POSTINGS postings per character view, whatever the number of articles', () => {
    const leads = big.map((a) => `${a.title}\n${a.body}`);
    const matcher = new CharGramMatcher(leads);
    // 12 bytes a posting (doc + weight), two char views: a few MB whatever the knowledge.
    expect(2 * 12 * MAX_POSTINGS).toBeLessThanOrEqual(6_000_000);
    expect(matcher.postings).toBeLessThanOrEqual(MAX_POSTINGS);
    expect(matcher.postings).toBeGreaterThan(MAX_POSTINGS / 2);
    // Each article keeps its start: its title's first word still matches it.
    const first = matcher.similarities(`Article ${words[5]}`);
    expect(first[5]).toBeGreaterThan(0);
    // More texts than postings: none is indexed, and it still answers (with zeros).
    const many = new CharGramMatcher(Array.from({ length: MAX_POSTINGS + 1 }, () => 'refund'));
    expect(many.postings).toBe(0);
    expect(many.similarities('refund').every((x) => x === 0)).toBe(true);
  });

  it('gives each lead an equal share of MAX_LEAD_WORDS words, all 40 in a usual help center', () => {
    expect(leadWordsFor(100)).toBe(LEAD_WORDS);
    expect(leadWordsFor(2_500)).toBe(LEAD_WORDS);
    expect(leadWordsFor(10_000)).toBe(10);
    for (const n of [1, 2_501, 10_000, 123_457, 1_000_000])
      expect(n * leadWordsFor(n)).toBeLessThanOrEqual(MAX_LEAD_WORDS);
  });

  it('reads the same lead as the word view: title + 40 words, not 2,000 characters', () => {
    // Only the lead's char view can tell the articles apart here: a word after the 40th is not
    // in it, a word within it is.
    const filler = Array.from({ length: 60 }, (_, i) => `filler${i}`).join(' ');
    const kb = KnowledgeIndex.build([
      {
        id: 'late',
        title: 'Alpha',
        url: 'https://help.example.com/late',
        body: `${filler} zyxwvutsr`,
      },
      {
        id: 'early',
        title: 'Beta',
        url: 'https://help.example.com/early',
        body: `qponmlkji ${filler}`,
      },
    ]);
    expect(LEAD_WORDS).toBe(40);
    return loadWordVectors().then((vectors) => {
      const byId = (q: string) =>
        new Map(scoreArticles(q, kb, vectors).map((s) => [s.article.articleId, s.leadChars]));
      expect(byId('zyxwvutsr').get('late')).toBe(0);
      expect(byId('qponmlkji').get('early')).toBeGreaterThan(0);
    });
  });
});

describe('ranking many articles', () => {
  it('ranks and measures consensus over 200,000 scores without overflowing the stack', () => {
    const scores = Array.from({ length: 200_000 }, (_, i) => ({
      article: { articleId: `a${i}`, title: `t${i}`, url: `https://x.example/${i}`, text: '' },
      passage: null,
      lexical: i === 7 ? 9 : (i % 5) / 10,
      title: 0,
      lead: 0,
      titleChars: 0,
      leadChars: 0,
    }));
    const ranked = rankArticles(scores);
    expect(ranked[0]?.article.articleId).toBe('a7');
    expect(ranked[0]?.views[0]).toBe(1);
    // BM25: 1 vs 0.4/9 for the next best; other views tie at 0 (they add nothing).
    expect(consensusOf(ranked)).toBeCloseTo((1 - 0.4 / 9) / 5, 5);
  });
});

describe('a snapshot stored before the article list (plain MiniSearch JSON)', () => {
  it('reads its article list back and builds its views once, not on every question', async () => {
    const many: KnowledgeArticle[] = Array.from({ length: 30 }, (_, n) => ({
      id: `art${n}`,
      title: `Topic ${n} ${['refunds', 'shipping', 'passwords'][n % 3]}`,
      url: `https://help.example.com/${n}`,
      body: `First passage of article ${n} about ${['refunds', 'shipping', 'passwords'][n % 3]}.\n\n${'More text. '.repeat(80)}`,
    }));
    const stored = JSON.stringify(JSON.parse(KnowledgeIndex.build(many).toJSON()).search);
    const legacy = KnowledgeIndex.fromJSON(stored);
    expect(legacy.articles.map((a) => a.articleId)).toEqual(many.map((a) => a.id));
    expect(legacy.articles[4]?.text).toBe('First passage of article 4 about shipping.');
    const vectors = await loadWordVectors();
    scoreArticles('How long does shipping take?', legacy, vectors);
    const builds = viewBuildCount();
    const scores = scoreArticles('Where is my refund?', legacy, vectors);
    expect(viewBuildCount()).toBe(builds);
    // Every article is scored, not only those the lexical search found.
    expect(scores).toHaveLength(30);
  });
});

describe('the answer alone skips the lexical search only where it cannot change the answer', () => {
  const index = KnowledgeIndex.build(articles);
  const demo = KnowledgeIndex.build(
    demoArticles.map((a) => ({ id: a.id, title: a.title, body: a.body, url: a.path })),
  );
  // A snapshot whose article list could not be read: its articles are the ones the lexical
  // search finds, so that search runs first.
  const unlisted = KnowledgeIndex.fromJSON(
    JSON.stringify({ ...JSON.parse(KnowledgeIndex.build(articles).toJSON()), articles: [] }),
  );
  // An embedding scorer's numbers as they may come: out of range, or not a number at all (the
  // decision's floors let NaN through, so the skip must too).
  const oddScorer: SemanticScorer = {
    label: 'odd embeddings',
    similarities: async (_question, listed) =>
      listed.map((_, i) => [Number.NaN, 0.1, 0.6, 1.2, -0.3][i % 5] as number),
  };
  const likeEnough = async (question: string, kb: KnowledgeIndex) =>
    scoreArticles(question, kb, await loadWordVectors()).some(
      (score) => evidenceOf(score) >= MIN_EVIDENCE,
    );

  it('does not search the passages of a knowledge base no article of which is like the question', async () => {
    const searched: string[] = [];
    const query = index.query.bind(index);
    index.query = (question, limit) => {
      searched.push(question);
      return query(question, limit);
    };
    try {
      expect(await answerFromKnowledge('s42 c0 m7', index)).toEqual({ kind: 'noAnswer' });
      expect(await answerFromKnowledge('what is the capital of peru', index)).toEqual({
        kind: 'noAnswer',
      });
      expect(searched).toEqual([]);
      // "Ask the pilot" still reads every view, BM25 included.
      expect((await decideKnowledgeAnswer('s42 c0 m7', index)).answer.kind).toBe('noAnswer');
      expect(searched).toEqual(['s42 c0 m7']);
      expect(
        await answerFromKnowledge('How long does express shipping take?', index),
      ).toMatchObject({
        kind: 'answered',
        citations: [{ url: 'https://help.example.com/shipping' }],
      });
      expect(searched).toHaveLength(2);
    } finally {
      index.query = query;
    }
  });

  it('gives the answer the full decision gives, for any mix of known, unknown and function words', async () => {
    const words = [
      ...['refund', 'shipping', 'express', 'password', 'reset', 'return', 'delivery', 'parcel'],
      ...['days', 'business', 'link', 'email', 'order', 'warehouse', 'euros', 'unused'],
      ...['weather', 'capital', 'peru', 'bank', 'card', 'pizza', 'song', 'flight', 'alarm'],
      ...['s42', 'c0', 'm7', '12', 'ändern', 'rückgabe', '配送', '🙂', 'shiping', 'pasword'],
      ...['how', 'long', 'does', 'take', 'my', 'is', 'the', 'when', 'can', 'i', 'a'],
      ...['human', 'agent', 'talk', 'to', 'person', 'real'],
    ];
    let skipped = 0;
    let searched = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...words), { minLength: 0, maxLength: 12 }),
        fc.constantFrom(index, demo, unlisted),
        fc.constantFrom(undefined, 0, 0.9),
        fc.boolean(),
        async (picked, kb, minConfidence, odd) => {
          const question = picked.join(' ');
          const options = {
            ...(minConfidence === undefined ? {} : { minConfidence }),
            ...(odd ? { semantic: oddScorer } : {}),
          };
          const full = await decideKnowledgeAnswer(question, kb, options);
          expect(await answerFromKnowledge(question, kb, options)).toEqual(full.answer);
          if (odd) return;
          if (await likeEnough(question, kb)) searched++;
          else skipped++;
        },
      ),
      { numRuns: 400 },
    );
    // Both paths were taken (counted with the local views), so the equality covers the skip.
    expect(skipped).toBeGreaterThan(20);
    expect(searched).toBeGreaterThan(20);
  });
});
