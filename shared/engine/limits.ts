/**
 * How much one event may make a run do, beyond how many nodes it executes (types.ts
 * MAX_STEPS_PER_EVENT). Sizes are characters (UTF-16 code units) of a value's JSON text, so at
 * most 3 bytes each when stored. The engine checks them where values are made, so no value,
 * rendered template, scope or event output ever grows past them: a run that would is `failed`
 * with one of the `RunError` size codes, after a bounded amount of work. Simulate and the
 * ConversationObject share these numbers. How values are measured, and the limit on one rendered
 * template, live one layer down in shared/expr/size.ts (templates and conditions use them too).
 */

/** One variable's value (`set_variable`, a saved answer or response). */
export const MAX_VALUE_CHARS = 64 * 1024;
/** All of a run's variables together (stored with the run after every event). */
export const MAX_SCOPE_CHARS = 256 * 1024;
/** Everything one event makes a run emit: messages and effect intents (the turn's rows). */
export const MAX_EVENT_OUTPUT_CHARS = 256 * 1024;
/** The collapsed preview of a snippet post without a title: its text, cut to this length. */
export const MAX_SNIPPET_CHARS = 80;
/** The whole response of `POST /flows/:id/simulate` (transcript, effects, log, variables). */
export const MAX_SIMULATE_RESPONSE_CHARS = 2 * 1024 * 1024;
