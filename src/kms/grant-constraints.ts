// Grant constraints as KMS applies them when a grant is used (AWS KMS API Reference,
// GrantConstraints; Developer Guide, "Using grant constraints"): EncryptionContextEquals and
// EncryptionContextSubset apply only to the operations that take an encryption context; other
// operations a constrained grant allows (DescribeKey, RetireGrant, GetPublicKey...) ignore them.
// In a constraint, the key of each pair is compared without case and the value with case. A
// constrained grant that allows CreateGrant lets its grantee create only grants whose own
// constraint is as strict or stricter.

import { requestEncryptionContext } from './condition-keys.js';
import type { GrantConstraintsRecord } from './records.js';

const WITH_CONTEXT = new Set([
  'Encrypt',
  'Decrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
]);

/** The pairs with lower-case keys. */
function folded(ec: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(ec).map(([k, v]) => [k.toLowerCase(), v]));
}

function includes(outer: Map<string, string>, inner: Map<string, string>): boolean {
  for (const [k, v] of inner) if (outer.get(k) !== v) return false;
  return true;
}

function equal(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && includes(a, b);
}

/** Whether a grant with `constraints` allows `action` on the request `input`. */
export function constraintsAllow(
  constraints: GrantConstraintsRecord | undefined,
  action: string,
  input: unknown,
): boolean {
  const equals = constraints?.encryptionContextEquals;
  const subset = constraints?.encryptionContextSubset;
  if (equals === undefined && subset === undefined) return true;
  if (action === 'CreateGrant') return childIsStricter(equals, subset, input);
  if (!WITH_CONTEXT.has(action)) return true;
  const request = folded(requestEncryptionContext(action, input) ?? {});
  if (equals !== undefined && !equal(request, folded(equals))) return false;
  if (subset !== undefined && !includes(request, folded(subset))) return false;
  return true;
}

/** CreateGrant under a constrained grant: the new grant's constraint must be as strict or stricter. */
function childIsStricter(
  equals: Readonly<Record<string, string>> | undefined,
  subset: Readonly<Record<string, string>> | undefined,
  input: unknown,
): boolean {
  const c = (
    input as
      | {
          Constraints?: {
            EncryptionContextEquals?: Record<string, string>;
            EncryptionContextSubset?: Record<string, string>;
          };
        }
      | undefined
  )?.Constraints;
  const childEquals = c?.EncryptionContextEquals === undefined ? undefined : folded(c.EncryptionContextEquals);
  const childSubset = c?.EncryptionContextSubset === undefined ? undefined : folded(c.EncryptionContextSubset);
  if (childEquals === undefined && childSubset === undefined) return false;
  if (equals !== undefined) {
    // Only the same exact context is as strict as an Equals constraint.
    if (childEquals === undefined || !equal(childEquals, folded(equals))) return false;
  }
  if (subset !== undefined) {
    const need = folded(subset);
    if (childEquals !== undefined && !includes(childEquals, need)) return false;
    if (childSubset !== undefined && !includes(childSubset, need)) return false;
  }
  return true;
}
