// ImportKeyMaterial: not built yet; answers UnsupportedOperationException after validating its input.

import { UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { validateInput } from '../validation.js';

export async function importKeyMaterial(
  _ctx: OperationContext,
  input: Record<string, unknown>,
): Promise<Record<string, never>> {
  validateInput('ImportKeyMaterial', input);
  throw new UnsupportedOperationException({ message: 'ImportKeyMaterial is not supported by this engine yet.' });
}
