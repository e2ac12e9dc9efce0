/**
 * The pilot's knowledge search index: articles split into passages, indexed with MiniSearch
 * (BM25, prefix and fuzzy matching), plus each article's title and first passage (what the
 * word-vector match compares a question with, and answers from when no word is shared),
 * serialised to JSON for KV and rebuilt when articles change.
 */
import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import { stemmer } from 'stemmer';
import type { KnowledgeArticle } from './article.ts';
import { STOP_WORDS } from './text.ts';

export interface Passage {
  id: string;
  articleId: string;
  title: string;
  url: string;
  text: string;
}

export interface PassageHit extends Passage {
  score: number;
  /** Query terms (after stop-word removal) that matched this passage. */
  queryTerms: string[];
}

/** An article as the vector match sees it: its title, and the passage answered from. */
export interface ArticleEntry {
  articleId: string;
  title: string;
  url: string;
  /** The article's first passage. */
  text: string;
}

const PASSAGE_CHARS = 700;
const FORMAT = 'edgepilot-knowledge/3';
/** Snapshots written before stemming: their terms are whole words, so they are searched as such. */
const FORMAT_UNSTEMMED = 'edgepilot-knowledge/2';

/**
 * Terms are Porter stems (npm `stemmer`: "archived", "archiving" → "archiv"; "mails" → "mail"), so
 * a question finds an article in another form of its words; prefix matching, which did part of
 * that before, also matched unrelated longer words ("port" → "portal") and was dropped. Fuzzy
 * matching stays for typos ("adress"). Chosen on the StackFAQ validation threads (README's AI
 * section): BM25 alone 80.8% → 82.8% right first, fused with the title match 81.6% → 83.6%.
 */
const indexOptions: Options<Passage> = {
  fields: ['title', 'text'],
  storeFields: ['articleId', 'title', 'url', 'text'],
  processTerm: (term) => {
    const word = term.toLowerCase();
    return STOP_WORDS.has(word) ? null : stemmer(word);
  },
  searchOptions: { boost: { title: 2 }, prefix: false, fuzzy: 0.2, combineWith: 'OR' },
};

const unstemmedOptions: Options<Passage> = {
  ...indexOptions,
  processTerm: (term) => {
    const word = term.toLowerCase();
    return STOP_WORDS.has(word) ? null : word;
  },
  searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2, combineWith: 'OR' },
};

/** Paragraphs merged up to ~700 characters: long enough to answer, short enough to cite. */
export function splitPassages(article: KnowledgeArticle): Passage[] {
  const paragraphs = article.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const chunks: string[] = [];
  for (const paragraph of paragraphs) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + paragraph.length < PASSAGE_CHARS) {
      chunks[chunks.length - 1] = `${last}\n\n${paragraph}`;
    } else chunks.push(paragraph);
  }
  return chunks.map((text, i) => ({
    id: `${article.id}#${i}`,
    articleId: article.id,
    title: article.title,
    url: article.url,
    text,
  }));
}

/**
 * The article list of a snapshot from before it was stored: each article's first passage (the
 * `#0` one, else the first added), from the stored fields MiniSearch keeps for every passage.
 * Walks what the snapshot holds once (bounded by the stored knowledge's size).
 */
function articlesOfPassages(stored: {
  documentIds?: Record<string, unknown>;
  storedFields?: Record<string, Partial<Record<keyof Passage, unknown>>>;
}): ArticleEntry[] {
  const byArticle = new Map<string, ArticleEntry>();
  const first = new Set<string>();
  for (const [shortId, fields] of Object.entries(stored.storedFields ?? {})) {
    const { articleId, title, url, text } = fields ?? {};
    if (typeof articleId !== 'string' || typeof title !== 'string') continue;
    if (typeof url !== 'string' || typeof text !== 'string') continue;
    const isFirst = stored.documentIds?.[shortId] === `${articleId}#0`;
    if (first.has(articleId) || (byArticle.has(articleId) && !isFirst)) continue;
    byArticle.set(articleId, { articleId, title, url, text });
    if (isFirst) first.add(articleId);
  }
  return [...byArticle.values()];
}

export class KnowledgeIndex {
  private readonly search: MiniSearch<Passage>;
  readonly articles: readonly ArticleEntry[];

  private constructor(search: MiniSearch<Passage>, articles: readonly ArticleEntry[]) {
    this.search = search;
    this.articles = articles;
  }

  static build(articles: readonly KnowledgeArticle[]): KnowledgeIndex {
    const search = new MiniSearch<Passage>(indexOptions);
    const passages = articles.map(splitPassages);
    search.addAll(passages.flat());
    const entries = passages.flatMap((list) => {
      const first = list[0];
      return first
        ? [{ articleId: first.articleId, title: first.title, url: first.url, text: first.text }]
        : [];
    });
    return new KnowledgeIndex(search, entries);
  }

  /**
   * Reads what `toJSON` wrote. A snapshot from before the article list (plain MiniSearch JSON)
   * still loads; its article list is read back from the passages it stores (each article's
   * first passage), so its views are built once and cached like a current snapshot's. Snapshots
   * from before stemming hold whole words and are searched as they were built (until the next
   * article change rebuilds them).
   */
  static fromJSON(json: string): KnowledgeIndex {
    const stored = JSON.parse(json);
    if (stored?.format === FORMAT)
      return new KnowledgeIndex(
        MiniSearch.loadJS<Passage>(stored.search, indexOptions),
        stored.articles,
      );
    if (stored?.format === FORMAT_UNSTEMMED)
      return new KnowledgeIndex(
        MiniSearch.loadJS<Passage>(stored.search, unstemmedOptions),
        stored.articles,
      );
    return new KnowledgeIndex(
      MiniSearch.loadJS<Passage>(stored, unstemmedOptions),
      articlesOfPassages(stored),
    );
  }

  toJSON(): string {
    return JSON.stringify({
      format: FORMAT,
      search: this.search.toJSON(),
      articles: this.articles,
    });
  }

  get passageCount(): number {
    return this.search.documentCount;
  }

  query(question: string, limit = 3): PassageHit[] {
    return this.search
      .search(question)
      .slice(0, limit)
      .map((hit: SearchResult) => ({
        id: String(hit.id),
        articleId: hit.articleId as string,
        title: hit.title as string,
        url: hit.url as string,
        text: hit.text as string,
        score: hit.score,
        queryTerms: hit.queryTerms,
      }));
  }
}
