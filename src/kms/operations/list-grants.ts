// ListGrants (AWS KMS API Reference): the grants of one KMS key (key id or key ARN; another
// account's key ARN is resolved and authorized like any key, as ListGrants is cross-account in
// AWS), optionally only the grant GrantId or those of one grantee (GranteePrincipal or
// GranteeServicePrincipal, not both). Works in every key state (key-state table). Limit 1..100
// (default 50); the grants are ordered by grant id so that paging is stable, and the Marker is
// opaque as in ListKeys (an invalid one is InvalidMarkerException). A GrantId that is not 64
// lowercase hex is InvalidGrantIdException; one the key does not have selects nothing. Entries
// name the key by its ARN and the issuing account by its root ARN, as AWS shows them.

import { ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { checkGrantId, grantListEntry, type GrantListEntry } from '../grants.js';
import { resolveKey } from '../key-resolution.js';
import { compareStrings, page } from '../pagination.js';
import { wipeRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface ListGrantsInput {
  Limit?: number;
  Marker?: string;
  KeyId: string | undefined;
  GrantId?: string;
  GranteePrincipal?: string;
  GranteeServicePrincipal?: string;
}

export interface ListGrantsOutput {
  Grants?: GrantListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

export async function listGrants(ctx: OperationContext, input: ListGrantsInput): Promise<ListGrantsOutput> {
  validateInput('ListGrants', input);
  if (input.GranteePrincipal !== undefined && input.GranteeServicePrincipal !== undefined) {
    // The model's rule; the message is this engine's (AWS's is not recorded).
    throw new ValidationException('You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.');
  }
  const key = await resolveKey(ctx, input.KeyId as string, { allowAlias: false, arnCheck: true, action: 'ListGrants' });
  try {
    if (input.GrantId !== undefined) checkGrantId(input.GrantId);
    const grants = (key.grants ?? [])
      .filter(
        (g) =>
          (input.GrantId === undefined || g.grantId === input.GrantId) &&
          (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal) &&
          (input.GranteeServicePrincipal === undefined || g.granteeServicePrincipal === input.GranteeServicePrincipal),
      )
      .sort((a, b) => compareStrings(a.grantId, b.grantId));
    const { items, nextMarker } = page(grants, (g) => g.grantId, 'grants', input.Limit ?? 50, input.Marker);
    const out: ListGrantsOutput = {
      Grants: items.map((g) => grantListEntry(key.arn, g)),
      Truncated: nextMarker !== undefined,
    };
    if (nextMarker !== undefined) out.NextMarker = nextMarker;
    return out;
  } finally {
    wipeRecord(key);
  }
}
