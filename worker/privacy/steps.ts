/**
 * The durable steps of an erasure, named as each completes. Production passes no hook; the
 * interruption test throws from it to end a request right after any step, as an eviction or
 * deploy would, and proves the next call finishes the job.
 */
export type ErasureStep =
  | 'job.start'
  | 'conversation.object'
  | 'conversation.d1'
  | 'conversation.live'
  | 'job.progress'
  | 'targets.d1'
  | 'targets.claims';

export type StepHook = (step: ErasureStep) => void;

export const noSteps: StepHook = () => {};
