/**
 * Office hours moved to the base layer (shared/expr/office-hours.ts), below flows and the engine.
 * This path stays only for worker/conversation/engine-data.ts, which is being refactored in
 * parallel (issue 15); point it at shared/expr/office-hours.ts there and delete this file.
 */
export * from '../expr/office-hours.ts';
