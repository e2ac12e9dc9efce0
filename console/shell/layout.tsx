/** The signed-in frame: a skip link, the header (theme, sign out), the nav, the page. */
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { signOut } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { Toasts } from '../ui/toast.tsx';
import { currentNavItem, navItems } from './nav.ts';
import { nextTheme, setTheme, theme } from './theme.ts';

const themeLabel = { system: 'System', light: 'Light', dark: 'Dark' } as const;

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const current = currentNavItem(path);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="shell-header">
        <a class="brand" href="/admin/flows">
          edgepilot <span class="brand-sub">admin</span>
        </a>
        <div class="shell-tools">
          <Button
            variant="ghost"
            onClick={() => setTheme(nextTheme(theme.value))}
            aria-label={`Theme: ${themeLabel[theme.value]} (switch to ${themeLabel[nextTheme(theme.value)]})`}
          >
            Theme: {themeLabel[theme.value]}
          </Button>
          <Button variant="ghost" onClick={() => signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <nav class="shell-nav" aria-label="Console">
        <ul>
          {navItems.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={item === current ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="shell-main" tabIndex={-1}>
        {children}
      </main>
      <Toasts />
    </div>
  );
}
