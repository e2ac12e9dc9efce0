/** Entry of the console bundle (scripts/build-console.mjs): theme first, then the app. */
import { render } from 'preact';
import { App } from './app.tsx';
import { applyTheme } from './shell/theme.ts';

applyTheme();
const root = document.getElementById('app');
if (root) render(<App />, root);
