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

const FlowEditorPage = lazy(() => import('./pages/flow-editor.tsx').then((m) => m.FlowEditorPage));

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
              <Route default component={NotFoundPage} />
            </Router>
          </ErrorBoundary>
        </Layout>
      </LocationProvider>
    </ApiContext.Provider>
  );
}
