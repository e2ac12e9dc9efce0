/**
 * Pilots whose live view nobody watches, remembered per isolate until a time (perf15's shared
 * "nobody watches" window, see live-push.ts). Pure: no clock, no I/O. Bounded: one isolate
 * serves conversations of any number of pilots, so past `max` entries the oldest note is
 * forgotten (the notes are hints: a forgotten pilot is only asked again one push sooner).
 */
export class UnwatchedPilots {
  private readonly until = new Map<string, number>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.until.size;
  }

  get(pilotId: string): number | undefined {
    return this.until.get(pilotId);
  }

  set(pilotId: string, until: number): void {
    // Re-inserted at the end, so the first key is always the note written longest ago.
    this.until.delete(pilotId);
    while (this.until.size >= this.max) {
      const oldest = this.until.keys().next().value;
      if (oldest === undefined) break;
      this.until.delete(oldest);
    }
    this.until.set(pilotId, until);
  }

  delete(pilotId: string): void {
    this.until.delete(pilotId);
  }
}
