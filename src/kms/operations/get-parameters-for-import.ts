// GetParametersForImport: not built yet; answers UnsupportedOperationException after validating its input.

import { UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { validateInput } from '../validation.js';

export async function getParametersForImport(
  _ctx: OperationContext,
  input: Record<string, unknown>,
): Promise<Record<string, never>> {
  validateInput('GetParametersForImport', input);
  throw new UnsupportedOperationException({ message: 'GetParametersForImport is not supported by this engine yet.' });
}
