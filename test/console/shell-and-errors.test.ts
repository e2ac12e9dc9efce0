import { describe, expect, it } from 'vitest';
import { apiFailure, failureText } from '../../console/api/errors.ts';
import { currentNavItem, type NavItem, navItems } from '../../console/shell/nav.ts';

describe('console navigation', () => {
  it('marks Flows for /admin, the list and any flow page, and nothing for an unknown page', () => {
    const flows = navItems.find((i) => i.label === 'Flows');
    expect(currentNavItem('/admin')).toBe(flows);
    expect(currentNavItem('/admin/flows')).toBe(flows);
    expect(currentNavItem('/admin/flows/flow_1')).toBe(flows);
    expect(currentNavItem('/admin/flowsy')).toBeNull();
    expect(currentNavItem('/admin/nowhere')).toBeNull();
  });

  it('lets the longest matching prefix win when entries nest', () => {
    const items: NavItem[] = [
      { label: 'Flows', href: '/admin/flows', matches: ['/admin/flows'] },
      { label: 'Logs', href: '/admin/flows/logs', matches: ['/admin/flows/logs'] },
    ];
    expect(currentNavItem('/admin/flows/logs/run_1', items)?.label).toBe('Logs');
    expect(currentNavItem('/admin/flows/flow_1', items)?.label).toBe('Flows');
  });
});

describe('API error helper', () => {
  it('maps every issue to its field, keeping the first message of a path', () => {
    const failure = apiFailure(400, {
      error: {
        code: 'invalid_input',
        message: 'Invalid flow',
        issues: [
          { path: 'name', message: 'Too short' },
          { path: 'name', message: 'Second' },
          { path: 'nodes.0.text', message: 'Required' },
        ],
      },
    });
    expect(failure).toMatchObject({ status: 400, code: 'invalid_input', message: 'Invalid flow' });
    expect(failure.fields).toEqual({ name: 'Too short', 'nodes.0.text': 'Required' });
    expect(failureText(failure)).toBe(
      'Invalid flow (name: Too short; name: Second; nodes.0.text: Required)',
    );
  });

  it('still gives a readable failure for a body that is not the documented shape', () => {
    expect(apiFailure(502, '<html>Bad gateway</html>')).toMatchObject({
      status: 502,
      code: 'unexpected_response',
      message: 'The server answered 502 without an error body',
      issues: [],
    });
    expect(apiFailure(0, undefined).code).toBe('network_error');
    expect(
      apiFailure(400, { error: { code: 'x', message: 'm', issues: [{ path: 1 }] } }).code,
    ).toBe('unexpected_response');
    const many = Array.from({ length: 500 }, (_, i) => ({ path: `f${i}`, message: 'bad' }));
    expect(
      apiFailure(400, { error: { code: 'x', message: 'm', issues: many } }).issues,
    ).toHaveLength(200);
  });
});
