// Error cases of this group's operations (format: types.ts).
import type { ErrorTable } from './types.js';

export const table: ErrorTable = { ops: [], cases: [], excused: {} };
