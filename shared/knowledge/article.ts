/** Knowledge articles (SPEC 3.7): what the pilot may answer from, each with a citable url. */
import { z } from 'zod';

export const knowledgeArticleSchema = z.object({
  id: z.string().min(1).max(100),
  title: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(100_000),
  url: z.url({ protocol: /^https?$/ }),
});
export type KnowledgeArticle = z.infer<typeof knowledgeArticleSchema>;

export interface Citation {
  title: string;
  url: string;
}

export type KnowledgeAnswer =
  | { kind: 'answered'; text: string; citations: Citation[]; confidence: number }
  | { kind: 'noAnswer' }
  | { kind: 'handoverRequested' };
