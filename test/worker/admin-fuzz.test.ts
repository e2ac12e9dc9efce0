/**
 * The admin fuzz in the quick layer: a few cases per route on every run (new inputs each time,
 * random seed). test/security/admin-fuzz.test.ts runs 100 per route; the property is in
 * admin-fuzz-property.ts.
 */
import { describeAdminFuzz } from './admin-fuzz-property.ts';

// Every case checks that a rejected request changed nothing stored.
describeAdminFuzz({ numRuns: 10, stateEvery: 1, parts: 4, timeoutMs: 90_000 });
