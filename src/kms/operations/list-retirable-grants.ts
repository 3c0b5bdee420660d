// ListRetirableGrants (AWS KMS API Reference): the grants whose retiring principal is the one
// given (RetiringPrincipal, or RetiringServicePrincipal: exactly one), across the keys of the
// caller's account in the caller's Region. AWS also lists grants on other accounts' keys that
// name the principal; this engine's stores list keys by account, so only the caller's account is
// searched. RetiringPrincipal must be an IAM principal ARN (`arn:<partition>:iam::<account>:...`
// or `arn:<partition>:sts::<account>:...`), else InvalidArnException. Limit 1..100 (default 50);
// ordered by key ARN, then grant id, with an opaque Marker (InvalidMarkerException otherwise).
// The caller needs kms:ListRetirableGrants (authorize.ts) on every key whose grants it would see:
// with the default key policy, those of its own account. Loading the keys decodes all their grants
// (grants.ts): O(all grants of the account and Region) per call.
// Messages are this engine's; AWS's are not recorded.

import { authorizeAccount } from '../authorize.js';
import { InvalidArnException, ValidationException } from '../exceptions.js';
import type { OperationContext } from '../context.js';
import { grantListEntry, type GrantListEntry } from '../grants.js';
import { compareStrings, page } from '../pagination.js';
import { wipeRecord } from '../store.js';
import { validateInput } from '../validation.js';

export interface ListRetirableGrantsInput {
  Limit?: number;
  Marker?: string;
  RetiringPrincipal?: string;
  RetiringServicePrincipal?: string;
}

export interface ListRetirableGrantsOutput {
  Grants?: GrantListEntry[];
  NextMarker?: string;
  Truncated?: boolean;
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:.+$/;

export async function listRetirableGrants(
  ctx: OperationContext,
  input: ListRetirableGrantsInput,
): Promise<ListRetirableGrantsOutput> {
  validateInput('ListRetirableGrants', input);
  const principal = input.RetiringPrincipal;
  const service = input.RetiringServicePrincipal;
  if ((principal === undefined) === (service === undefined)) {
    throw new ValidationException(
      'You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.',
    );
  }
  if (principal !== undefined && !PRINCIPAL_ARN.test(principal)) {
    throw new InvalidArnException(`'${principal}' is not a valid principal ARN.`);
  }
  // kms:ListRetirableGrants is granted by identity policies (resource *), as in AWS.
  authorizeAccount(ctx, 'ListRetirableGrants');
  const keys = await ctx.store.listKeys(ctx.account, ctx.region);
  try {
    const found = keys
      // Only the caller's account: a store is asked for it, and nothing of another account is listed.
      .filter((k) => k.account === ctx.account)
      .flatMap((k) => (k.grants ?? []).map((g) => ({ arn: k.arn, grant: g })))
      .filter(({ grant }) =>
        principal !== undefined ? grant.retiringPrincipal === principal : grant.retiringServicePrincipal === service,
      )
      .map((x) => ({ ...x, name: `${x.arn}/${x.grant.grantId}` }))
      .sort((a, b) => compareStrings(a.name, b.name));
    const { items, nextMarker } = page(found, (x) => x.name, 'retirable-grants', input.Limit ?? 50, input.Marker);
    const out: ListRetirableGrantsOutput = {
      Grants: items.map((x) => grantListEntry(x.arn, x.grant)),
      Truncated: nextMarker !== undefined,
    };
    if (nextMarker !== undefined) out.NextMarker = nextMarker;
    return out;
  } finally {
    for (const k of keys) wipeRecord(k);
  }
}
