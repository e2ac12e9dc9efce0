/**
 * The console: sign-in, then the shell and its pages under `/admin`. Routes are listed here;
 * the nav entries live in shell/nav.ts. The editor page loads on demand (it carries the canvas
 * library), so the flows list opens fast.
 */
import lazy, { ErrorBoundary } from 'preact-iso/lazy';
import { LocationProvider, Route, Router } from 'preact-iso/router';
import { ApiContext } from './api/context.ts';
import { FlowsListPage } from './pages/flows-list.tsx';
import { NotFoundPage } from './pages/not-found.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { apiClient } from './session.ts';
import { Layout } from './shell/layout.tsx';
import { yieldToMain } from './yield-to-main.ts';

/**
 * The editor page evaluates zod, the flow format's schemas, xyflow and the editor: one task of
 * 200-390 ms at 4x CPU throttle when they came as one import (bench/profile-editor.mjs). Each
 * stage here is evaluated in a task of its own (a module already evaluated is not again); the
 * flow schema alone was 90 ms, so its conditions and steps come first.
 */
const FlowEditorPage = lazy(async () => {
  await import('zod');
  await yieldToMain();
  await import('../shared/expr/condition-schema.ts');
  await yieldToMain();
  await import('../shared/flow/nodes.ts');
  await yieldToMain();
  await import('../shared/flow/schema.ts');
  await yieldToMain();
  await import('@xyflow/react');
  await yieldToMain();
  return (await import('./pages/flow-editor.tsx')).FlowEditorPage;
});
// Issue 14's operations pages, each loaded on demand.
const InboxPage = lazy(() => import('./pages/inbox.tsx').then((m) => m.InboxPage));
const LiveViewPage = lazy(() => import('./pages/live-view.tsx').then((m) => m.LiveViewPage));
const EnrollmentsPage = lazy(() =>
  import('./pages/enrollments.tsx').then((m) => m.EnrollmentsPage),
);
const RunPage = lazy(() => import('./pages/run.tsx').then((m) => m.RunPage));
const InsightsPage = lazy(() => import('./pages/insights.tsx').then((m) => m.InsightsPage));
const PilotsPage = lazy(() => import('./pages/pilots.tsx').then((m) => m.PilotsPage));
const PilotSettingsPage = lazy(() => import('./pages/pilots.tsx').then((m) => m.PilotSettingsPage));
// Pilot knowledge and workspace access (issue 14, settings), each loaded on demand.
const IntentsPage = lazy(() => import('./pages/intents.tsx').then((m) => m.IntentsPage));
const EntitiesPage = lazy(() => import('./pages/entities.tsx').then((m) => m.EntitiesPage));
const KnowledgePage = lazy(() => import('./pages/knowledge.tsx').then((m) => m.KnowledgePage));
const ApiKeysPage = lazy(() => import('./pages/api-keys.tsx').then((m) => m.ApiKeysPage));
const TeamPage = lazy(() => import('./pages/team.tsx').then((m) => m.TeamPage));

export function App() {
  const client = apiClient.value;
  if (!client) return <SignInPage />;
  return (
    <ApiContext.Provider value={client}>
      <LocationProvider scope="/admin">
        <Layout>
          <ErrorBoundary>
            <Router>
              <Route path="/admin" component={FlowsListPage} />
              <Route path="/admin/flows" component={FlowsListPage} />
              <Route path="/admin/flows/:flowId" component={FlowEditorPage} />
              <Route path="/admin/inbox" component={InboxPage} />
              <Route path="/admin/inbox/:conversationId" component={InboxPage} />
              <Route path="/admin/live" component={LiveViewPage} />
              <Route path="/admin/runs" component={EnrollmentsPage} />
              <Route path="/admin/runs/:enrollmentId" component={RunPage} />
              <Route path="/admin/insights" component={InsightsPage} />
              <Route path="/admin/pilots" component={PilotsPage} />
              <Route path="/admin/pilots/:pilotId" component={PilotSettingsPage} />
              <Route path="/admin/intents" component={IntentsPage} />
              <Route path="/admin/intents/:pilotId" component={IntentsPage} />
              <Route path="/admin/entities" component={EntitiesPage} />
              <Route path="/admin/entities/:pilotId" component={EntitiesPage} />
              <Route path="/admin/knowledge" component={KnowledgePage} />
              <Route path="/admin/knowledge/:pilotId" component={KnowledgePage} />
              <Route path="/admin/api-keys" component={ApiKeysPage} />
              <Route path="/admin/team" component={TeamPage} />
              <Route default component={NotFoundPage} />
            </Router>
          </ErrorBoundary>
        </Layout>
      </LocationProvider>
    </ApiContext.Provider>
  );
}
