import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';

interface Article {
  id: string;
  title: string;
  body: string;
  url: string;
}

async function seed(origin: string) {
  const response = await call(`/v1/admin/dev/seed?siteOrigin=${encodeURIComponent(origin)}`, {
    method: 'POST',
  });
  expect(response.status).toBe(200);
  const { pilotId } = (await response.json()) as { pilotId: string };
  const list = (await (await call(`/v1/admin/pilots/${pilotId}/knowledge?limit=50`)).json()) as {
    items: Article[];
  };
  return { pilotId, articles: list.items };
}

describe('the development seed cites the site origin it is given', () => {
  it('refuses a siteOrigin that is not an http(s) URL with 400 naming the field', async () => {
    const response = await call('/v1/admin/dev/seed?siteOrigin=javascript:alert(1)', {
      method: 'POST',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('siteOrigin');
  });

  it('saves the demo articles on the origin the demo page is opened on (npm start: localhost)', async () => {
    const response = await call(
      `/v1/admin/dev/seed?siteOrigin=${encodeURIComponent('http://localhost:8787/ignored/path')}`,
      { method: 'POST' },
    );
    expect(response.status).toBe(200);
    const { pilotId } = (await response.json()) as { pilotId: string };
    const list = (await (await call(`/v1/admin/pilots/${pilotId}/knowledge?limit=50`)).json()) as {
      items: Article[];
    };
    expect(list.items.length).toBeGreaterThan(0);
    for (const article of list.items) {
      expect(new URL(article.url).origin).toBe('http://localhost:8787');
    }
  });

  it('follows the demo to another origin on the next start, except an article an admin edited', async () => {
    const first = await seed('http://localhost:8787');
    const [edited, ...others] = first.articles;
    if (!edited || others.length === 0) throw new Error('the demo seeds several articles');
    const put = await call(`/v1/admin/pilots/${first.pilotId}/knowledge/${edited.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: edited.title, body: 'Our own words.', url: edited.url }),
    });
    expect(put.status).toBe(200);
    // `npm start` again, now on another port: the untouched demo articles cite it.
    const second = await seed('http://localhost:8799');
    for (const article of second.articles) {
      if (article.id === edited.id) {
        expect(article.body).toBe('Our own words.');
        expect(new URL(article.url).origin).toBe('http://localhost:8787');
      } else expect(new URL(article.url).origin).toBe('http://localhost:8799');
    }
    // The pilot answers with the new links: its knowledge index was rebuilt.
    const other = others[0] as Article;
    const asked = await call(`/v1/admin/pilots/${first.pilotId}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: other.title }),
    });
    const answer = (await asked.json()) as { citations: { url: string }[] };
    expect(answer.citations.map((c) => new URL(c.url).origin)).toContain('http://localhost:8799');
  });
});
