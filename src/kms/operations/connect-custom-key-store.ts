// ConnectCustomKeyStore: not built yet; answers UnsupportedOperationException after validating its input.

import { UnsupportedOperationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { validateInput } from '../validation.js';

export async function connectCustomKeyStore(
  _ctx: OperationContext,
  input: Record<string, unknown>,
): Promise<Record<string, never>> {
  validateInput('ConnectCustomKeyStore', input);
  throw new UnsupportedOperationException({ message: 'ConnectCustomKeyStore is not supported by this engine yet.' });
}
