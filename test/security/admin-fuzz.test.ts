/**
 * The admin fuzz at depth, configured as production: 100 fast-check cases per admin route (the
 * quick layer runs 10). The property and its arbitraries are in test/worker/admin-fuzz-property.ts.
 */
import { describeAdminFuzz } from '../worker/admin-fuzz-property.ts';

// The stored-state comparison (which costs more than the request) on one case in ten here; the
// quick layer runs it on every case.
describeAdminFuzz({ numRuns: 100, stateEvery: 10, parts: 8, timeoutMs: 300_000 });
