/**
 * The edgepilot Worker: static assets (loader, messenger bundle, demo page) are served by the
 * assets binding; `/v1/widget/*` and `/v1/admin/*` are this Hono app.
 */
import { Hono } from 'hono';
import { ErrorCode } from '../shared/errors.ts';
import { type AppEnv, MIN_SECRET_LENGTH, secretProblems } from './env.ts';
import { ApiError, errorBody, handleError } from './http/api-error.ts';
import { resumeStalledErasures } from './privacy/erasure-job.ts';
import { runRetention } from './privacy/retention.ts';
import { consumeEvents } from './queue/consumer.ts';
import { adminApp } from './routes/admin/index.ts';
import { consoleRoutes } from './routes/admin-console.ts';
import { widgetRoutes } from './routes/widget-routes.ts';

export { ConversationObject } from './conversation/conversation-object.ts';
export { PilotObject } from './pilot/pilot-object.ts';

export const app = new Hono<{ Bindings: AppEnv }>();

// A production Worker without real secrets serves no API at all: falling back to the public
// development key and token secret would let anyone administer it and forge visitor tokens.
app.use('/v1/*', async (c, next) => {
  const problems = secretProblems(c.env);
  if (problems.length === 0) return next();
  const commands = problems.map((p) => `wrangler secret put ${p.path}`).join(', ');
  throw new ApiError(
    503,
    ErrorCode.notConfigured,
    `edgepilot is not configured for production: run ${commands} ` +
      `(at least ${MIN_SECRET_LENGTH} random characters, e.g. from openssl rand -hex 32). ` +
      'For local development use npm start, which sets ENVIRONMENT=development.',
    problems,
  );
});
app.route('/v1/widget', widgetRoutes);
app.route('/v1/admin', adminApp);
app.route('/admin', consoleRoutes);
app.notFound((c) => c.json(errorBody(ErrorCode.notFound, 'Not found'), 404));
app.onError(handleError);

export default {
  fetch: app.fetch,
  // Run/step/conversation events from ConversationObjects: batched, idempotent D1 writes.
  queue: (batch, env) => consumeEvents(batch, env),
  // Cron (wrangler.toml): finishes erasures whose request died, then erases conversations idle
  // past their pilot's `retentionDays`.
  scheduled: async (controller, env) => {
    // Each on its own: a failure of one must not skip the other this run.
    await resumeStalledErasures(env, controller.scheduledTime).catch((error: unknown) =>
      console.error('erasure resume failed', String(error)),
    );
    await runRetention(env, controller.scheduledTime);
  },
} satisfies ExportedHandler<AppEnv>;
