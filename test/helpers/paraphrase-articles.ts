/**
 * Three help-center articles the knowledge tests ask paraphrases of (delivery, refunds,
 * password); `concept-embed.ts` gives their words shared concepts. One copy for every test.
 */
import type { KnowledgeArticle } from '../../shared/knowledge/article.ts';

const ARTICLES: readonly KnowledgeArticle[] = [
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
];

/** A fresh copy each call, so one test's edits never reach another's. */
export function paraphraseArticles(): KnowledgeArticle[] {
  return ARTICLES.map((article) => ({ ...article }));
}
