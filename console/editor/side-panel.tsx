/** The tabs beside the canvas: inspector, problems, flow manager, settings, versions, test. */
import type { ComponentChildren } from 'preact';

export type PanelId = 'inspect' | 'problems' | 'variables' | 'settings' | 'versions' | 'test';

const TABS: { id: PanelId; label: string }[] = [
  { id: 'inspect', label: 'Inspector' },
  { id: 'problems', label: 'Problems' },
  { id: 'variables', label: 'Flow Manager' },
  { id: 'settings', label: 'Execution Settings' },
  { id: 'versions', label: 'Versions' },
  { id: 'test', label: 'Test' },
];

export function SidePanel(props: {
  active: PanelId;
  onTab: (id: PanelId) => void;
  badge: Partial<Record<PanelId, string>>;
  children: ComponentChildren;
}) {
  return (
    <aside class="editor-side" aria-label="Editor panels">
      <div role="tablist" aria-label="Panels" class="tabs">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={props.active === t.id}
            aria-controls="editor-panel"
            tabIndex={props.active === t.id ? 0 : -1}
            onClick={() => props.onTab(t.id)}
            onKeyDown={(e) => {
              const i = TABS.findIndex((x) => x.id === props.active);
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const next = TABS[(i + step + TABS.length) % TABS.length] as (typeof TABS)[number];
              props.onTab(next.id);
              document.getElementById(`tab-${next.id}`)?.focus();
            }}
          >
            {t.label}
            {props.badge[t.id] ? <span class="tab-badge"> {props.badge[t.id]}</span> : null}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id="editor-panel"
        aria-labelledby={`tab-${props.active}`}
        class="editor-panel"
      >
        {props.children}
      </div>
    </aside>
  );
}
