// RetireGrant: not built yet; answers UnsupportedOperationException after validating its input.

import { UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { validateInput } from '../validation.js';

export async function retireGrant(
  _ctx: OperationContext,
  input: Record<string, unknown>,
): Promise<Record<string, never>> {
  validateInput('RetireGrant', input);
  throw new UnsupportedOperationException({ message: 'RetireGrant is not supported by this engine yet.' });
}
