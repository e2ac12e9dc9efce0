import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';

interface Article {
  url: string;
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
});
