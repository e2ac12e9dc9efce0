import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { BASE, workspace } from './admin-fixtures.ts';

const snapshot = (publicKey: string) =>
  env.SNAPSHOTS.get<PilotSnapshot>(`snapshot:${publicKey}`, 'json');

const fullPilot = {
  name: 'Support pilot',
  persona: 'Calm and precise',
  timezone: 'Europe/Berlin',
  officeHours: { weekly: [{ day: 'mon', from: '09:00', to: '17:00' }], holidays: ['2026-12-25'] },
  trustedDomains: ['example.com', '*.example.com'],
  identitySecret: 'a-very-long-identity-secret',
  identityEnforced: true,
  appearance: { displayName: 'Ada', accentColor: '#112233' },
  ai: { provider: 'local', knowledgeMinConfidence: 0.7 },
};

describe('pilots', () => {
  it('creates a pilot with every field and a generated public key, never returning the secret', async () => {
    const ws = await workspace();
    const created = await ws.json<Record<string, unknown>>('/pilots', {
      method: 'POST',
      body: fullPilot,
    });
    expect(created.status).toBe(201);
    expect(created.body.publicKey).toMatch(/^pk_[A-Za-z0-9_-]+$/);
    const { identitySecret: _, ...visible } = fullPilot;
    expect(created.body).toMatchObject({
      ...visible,
      ai: { knowledgeMinConfidence: 0.7 },
      hasIdentitySecret: true,
    });
    const read = await ws.call(`/pilots/${created.body.id}`);
    const text = await read.text();
    expect(text).not.toContain(fullPilot.identitySecret);
    const list = await ws.call('/pilots');
    expect(await list.text()).not.toContain(fullPilot.identitySecret);
  });

  it('writes the snapshot the widget reads, with the secret kept server-side', async () => {
    const ws = await workspace();
    const created = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: fullPilot,
    });
    const snap = await snapshot(created.body.publicKey);
    expect(snap?.pilot.settings.trustedDomains).toEqual(fullPilot.trustedDomains);
    expect(snap?.pilot.identitySecret).toBe(fullPilot.identitySecret);
    await ws.call(`/pilots/${created.body.id}`, {
      method: 'PATCH',
      body: { trustedDomains: ['shop.test'] },
    });
    expect((await snapshot(created.body.publicKey))?.pilot.settings.trustedDomains).toEqual([
      'shop.test',
    ]);
  });

  it('changes only the fields a PATCH names', async () => {
    const ws = await workspace();
    const { body } = await ws.json<{ id: string }>('/pilots', { method: 'POST', body: fullPilot });
    const patched = await ws.json<Record<string, unknown>>(`/pilots/${body.id}`, {
      method: 'PATCH',
      body: { persona: 'Cheerful' },
    });
    expect(patched.body).toMatchObject({
      persona: 'Cheerful',
      timezone: 'Europe/Berlin',
      name: 'Support pilot',
      hasIdentitySecret: true,
    });
  });

  it('keeps the launcher corner the messenger reads from its config, and refuses an unknown one naming it', async () => {
    const ws = await workspace();
    const { body } = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: fullPilot,
    });
    const patched = await ws.json<{ appearance: Record<string, string> }>(`/pilots/${body.id}`, {
      method: 'PATCH',
      body: { appearance: { accentColor: '#112233', position: 'left' } },
    });
    expect(patched.body.appearance).toEqual({ accentColor: '#112233', position: 'left' });
    const config = await exports.default.fetch(`${BASE}/v1/widget/${body.publicKey}/config`);
    expect(((await config.json()) as { appearance: unknown }).appearance).toMatchObject({
      position: 'left',
    });
    const refused = await ws.json<{ error: { issues: { path: string }[] } }>(`/pilots/${body.id}`, {
      method: 'PATCH',
      body: { appearance: { position: 'top' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues.map((i) => i.path)).toEqual(['appearance.position']);
  });

  it('rotates the identity secret, showing the new one once', async () => {
    const ws = await workspace();
    const { body } = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: fullPilot,
    });
    const rotated = await ws.json<{ identitySecret: string }>(
      `/pilots/${body.id}/identity-secret/rotate`,
      { method: 'POST' },
    );
    expect(rotated.body.identitySecret).not.toBe(fullPilot.identitySecret);
    expect((await snapshot(body.publicKey))?.pilot.identitySecret).toBe(
      rotated.body.identitySecret,
    );
    expect(await (await ws.call(`/pilots/${body.id}`)).text()).not.toContain(
      rotated.body.identitySecret,
    );
  });

  it('trusts `*.` wildcard domains for their subdomains only, and a domain change applies to the next session', async () => {
    const ws = await workspace();
    const pilot = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Wildcards', trustedDomains: ['*.example.com'] },
    });
    const session = async (origin: string) => {
      const res = await exports.default.fetch(
        new Request(`${BASE}/v1/widget/${pilot.body.publicKey}/session`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', 'cf-connecting-ip': '10.9.9.9' },
          body: '{}',
        }),
      );
      await res.body?.cancel();
      return res.status;
    };
    expect(await session('https://shop.example.com')).toBe(200);
    expect(await session('https://a.b.example.com')).toBe(200);
    expect(await session('https://example.com')).toBe(403);
    expect(await session('https://notexample.com')).toBe(403);
    expect(await session('https://example.com.evil.net')).toBe(403);

    await ws.call(`/pilots/${pilot.body.id}`, {
      method: 'PATCH',
      body: { trustedDomains: ['example.com'] },
    });
    expect(await session('https://example.com')).toBe(200);
    expect(await session('https://shop.example.com')).toBe(403);

    const bad = await ws.json<{ error: { issues: { path: string }[] } }>(
      `/pilots/${pilot.body.id}`,
      {
        method: 'PATCH',
        body: { trustedDomains: ['*example.com', '*.*.example.com', 'example.com:8080', '*.'] },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i) => i.path)).toEqual([
      'trustedDomains.0',
      'trustedDomains.1',
      'trustedDomains.2',
      'trustedDomains.3',
    ]);
  });

  it('refuses an unknown timezone, a malformed domain, bad office hours and enforcement without a secret', async () => {
    const ws = await workspace();
    const res = await ws.json<{ error: { issues: { path: string }[] } }>('/pilots', {
      method: 'POST',
      body: {
        name: 'x',
        timezone: 'Europe/Atlantis',
        trustedDomains: ['https://example.com'],
        officeHours: {
          weekly: [{ day: 'funday', from: '25:00', to: '17:00' }],
          holidays: ['12/25'],
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'timezone',
        'trustedDomains.0',
        'officeHours.weekly.0.day',
        'officeHours.weekly.0.from',
        'officeHours.holidays.0',
      ]),
    );
    const enforced = await ws.json<{ error: { issues: { path: string }[] } }>('/pilots', {
      method: 'POST',
      body: { name: 'x', identityEnforced: true },
    });
    expect(enforced.status).toBe(400);
    expect(enforced.body.error.issues[0]?.path).toBe('identityEnforced');
  });

  it('deletes a pilot with its flows and stops its script tag', async () => {
    const ws = await workspace();
    const { body } = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Temp' },
    });
    expect(await snapshot(body.publicKey)).not.toBeNull();
    expect((await ws.call(`/pilots/${body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await snapshot(body.publicKey)).toBeNull();
    expect((await ws.call(`/pilots/${body.id}`)).status).toBe(404);
    expect((await ws.call(`/pilots/${body.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('pages through a list with a stable order and a bounded limit', async () => {
    const ws = await workspace();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await ws.json<{ id: string }>('/pilots', { method: 'POST', body: { name: `P${i}` } })).body
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await ws.json(
        `/pilots?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await ws.call('/pilots?limit=101')).status).toBe(400);
  });
});
