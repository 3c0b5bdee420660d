// CreateGrant (AWS KMS API Reference): adds a grant to a KMS key and answers its GrantId (64
// lowercase hex) and a GrantToken (grants.ts). Order: validate (with grant tokens) → the input's own
// rules → resolve (key id or key ARN; another account's key ARN is resolved and authorized like
// any key, since CreateGrant is cross-account in AWS) → key state → operations and constraints
// against the key type → Name → quota → DryRun → work.
//
// Input rules (AWS KMS API Reference, CreateGrant and GrantConstraints):
// - exactly one of GranteePrincipal and GranteeServicePrincipal; at most one of RetiringPrincipal
//   and RetiringServicePrincipal; a GranteeServicePrincipal needs a SourceArn constraint and a
//   retiring principal. ListGrants shows a service grantee in GranteePrincipal as well.
// - Operations not empty, and only operations the key's type supports (grants.ts
//   grantOperationsFor): Sign on a symmetric key or GenerateDataKey on an asymmetric one is a
//   ValidationException.
// - EncryptionContextSubset or EncryptionContextEquals, not both; at most 8 pairs each, values of
//   at most 384 characters; only on symmetric encryption keys, the only ones whose operations take
//   an encryption context. An empty map is taken as no constraint.
// Key states (key-state table): Enabled, Updating and Unavailable pass; Disabled is
// DisabledException; PendingDeletion, PendingReplicaDeletion, PendingImport and Creating are
// KMSInvalidStateException.
// Name: a request with the Name and the same parameters as an existing grant of the key answers
// that grant's GrantId (with a new token) and creates nothing; with other parameters a new grant is
// made, as the model says only identical retries are folded.
// AWS's messages for these rules are not recorded; the texts here are this engine's.

import { DisabledException, LimitExceededException, ValidationException } from '../exceptions.js';
import { nowOf, type OperationContext, transactional } from '../context.js';
import {
  accountRoot,
  grantOperationsFor,
  GRANTS_PER_KEY,
  grantTokenKeyOf,
  issueGrantToken,
  newGrantId,
} from '../grants.js';
import { resolveKey } from '../key-resolution.js';
import { checkDryRun, invalidState, keyStateOf } from '../key-state.js';
import type { GrantConstraintsRecord, GrantRecord } from '../records.js';
import { type KeyRecord, wipeRecord } from '../store.js';
import { formatValidationMessage, validateInput } from '../validation.js';

export interface CreateGrantInput {
  KeyId: string | undefined;
  GranteePrincipal?: string;
  RetiringPrincipal?: string;
  Operations: string[] | undefined;
  Constraints?: {
    EncryptionContextSubset?: Record<string, string>;
    EncryptionContextEquals?: Record<string, string>;
    SourceArn?: string;
  };
  GrantTokens?: string[];
  Name?: string;
  DryRun?: boolean;
  GranteeServicePrincipal?: string;
  RetiringServicePrincipal?: string;
}

export interface CreateGrantOutput {
  GrantToken?: string;
  GrantId?: string;
}

/** Pairs and value length of an encryption context constraint (AWS KMS API Reference, CreateGrant). */
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_VALUE = 384;

/** The grant's parameters from the input, checked against the rules that need no key. */
function grantParameters(input: CreateGrantInput): Omit<GrantRecord, 'grantId' | 'issuingAccount' | 'creationDate'> {
  const grantee = input.GranteePrincipal;
  const service = input.GranteeServicePrincipal;
  if (grantee === undefined && service === undefined) {
    throw new ValidationException('You must specify either GranteePrincipal or GranteeServicePrincipal.');
  }
  if (grantee !== undefined && service !== undefined) {
    throw new ValidationException('You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.');
  }
  if (input.RetiringPrincipal !== undefined && input.RetiringServicePrincipal !== undefined) {
    throw new ValidationException(
      'You can specify either RetiringPrincipal or RetiringServicePrincipal, but not both.',
    );
  }
  const operations = input.Operations as string[];
  if (operations.length === 0) {
    throw new ValidationException(
      formatValidationMessage([
        "Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]),
    );
  }
  const constraints = constraintsOf(input.Constraints);
  if (service !== undefined) {
    if (constraints?.sourceArn === undefined) {
      throw new ValidationException('A grant for a GranteeServicePrincipal must have a SourceArn grant constraint.');
    }
    if (input.RetiringPrincipal === undefined && input.RetiringServicePrincipal === undefined) {
      throw new ValidationException(
        'A grant for a GranteeServicePrincipal must have a RetiringPrincipal or a RetiringServicePrincipal.',
      );
    }
  }
  const params: Omit<GrantRecord, 'grantId' | 'issuingAccount' | 'creationDate'> = {
    granteePrincipal: (grantee ?? service) as string,
    operations: [...new Set(operations)],
  };
  if (service !== undefined) params.granteeServicePrincipal = service;
  if (input.RetiringPrincipal !== undefined) params.retiringPrincipal = input.RetiringPrincipal;
  if (input.RetiringServicePrincipal !== undefined) params.retiringServicePrincipal = input.RetiringServicePrincipal;
  if (input.Name !== undefined) params.name = input.Name;
  if (constraints !== undefined) params.constraints = constraints;
  return params;
}

function constraintsOf(c: CreateGrantInput['Constraints']): GrantConstraintsRecord | undefined {
  if (c === undefined) return undefined;
  const subset = nonEmpty(c.EncryptionContextSubset);
  const equals = nonEmpty(c.EncryptionContextEquals);
  if (subset !== undefined && equals !== undefined) {
    throw new ValidationException(
      'A grant constraint can have EncryptionContextSubset or EncryptionContextEquals, but not both.',
    );
  }
  for (const [name, ec] of [
    ['EncryptionContextSubset', subset],
    ['EncryptionContextEquals', equals],
  ] as const) {
    if (ec === undefined) continue;
    if (Object.keys(ec).length > MAX_CONSTRAINT_PAIRS) {
      throw new ValidationException(
        `${name} can have at most ${MAX_CONSTRAINT_PAIRS} encryption context pairs, not ${Object.keys(ec).length}.`,
      );
    }
    for (const v of Object.values(ec)) {
      if ([...v].length > MAX_CONSTRAINT_VALUE) {
        throw new ValidationException(
          `An encryption context value in ${name} can have at most ${MAX_CONSTRAINT_VALUE} characters.`,
        );
      }
    }
  }
  const out: GrantConstraintsRecord = {};
  if (subset !== undefined) out.encryptionContextSubset = { ...subset };
  if (equals !== undefined) out.encryptionContextEquals = { ...equals };
  if (c.SourceArn !== undefined) out.sourceArn = c.SourceArn;
  return Object.keys(out).length === 0 ? undefined : out;
}

function nonEmpty(ec: Record<string, string> | undefined): Record<string, string> | undefined {
  return ec === undefined || Object.keys(ec).length === 0 ? undefined : ec;
}

/** The key-state row of CreateGrant. */
function checkKeyState(key: KeyRecord): void {
  switch (keyStateOf(key)) {
    case 'Enabled':
    case 'Updating':
    case 'Unavailable':
      return;
    case 'Disabled':
      throw new DisabledException(`${key.arn} is disabled.`);
    default:
      throw invalidState(key);
  }
}

function checkAgainstKey(key: KeyRecord, params: Pick<GrantRecord, 'operations' | 'constraints'>): void {
  const supported = grantOperationsFor(key);
  const refused = params.operations.filter((op) => !supported.includes(op));
  if (refused.length > 0) {
    throw new ValidationException(
      `Grants on ${key.arn} (KeySpec ${key.keySpec}, KeyUsage ${key.keyUsage}) cannot allow these operations: [${refused.join(', ')}]`,
    );
  }
  const c = params.constraints;
  if (
    key.keySpec !== 'SYMMETRIC_DEFAULT' &&
    (c?.encryptionContextSubset !== undefined || c?.encryptionContextEquals !== undefined)
  ) {
    throw new ValidationException(
      `Encryption context grant constraints are supported only on symmetric encryption KMS keys; ${key.arn} has KeySpec ${key.keySpec}.`,
    );
  }
}

/** Whether `grant` was made with these parameters (operations in any order). */
function sameParameters(grant: GrantRecord, params: Omit<GrantRecord, 'grantId' | 'issuingAccount' | 'creationDate'>) {
  const sorted = (ops: string[]) => [...ops].sort().join(',');
  return (
    grant.granteePrincipal === params.granteePrincipal &&
    grant.granteeServicePrincipal === params.granteeServicePrincipal &&
    grant.retiringPrincipal === params.retiringPrincipal &&
    grant.retiringServicePrincipal === params.retiringServicePrincipal &&
    sorted(grant.operations) === sorted(params.operations) &&
    sameConstraints(grant.constraints, params.constraints)
  );
}

function sameConstraints(a: GrantConstraintsRecord | undefined, b: GrantConstraintsRecord | undefined): boolean {
  return (
    sameMap(a?.encryptionContextSubset, b?.encryptionContextSubset) &&
    sameMap(a?.encryptionContextEquals, b?.encryptionContextEquals) &&
    a?.sourceArn === b?.sourceArn
  );
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  return (
    ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k])
  );
}

async function createGrantUnlocked(ctx: OperationContext, input: CreateGrantInput): Promise<CreateGrantOutput> {
  validateInput('CreateGrant', input);
  const params = grantParameters(input);
  const key = await resolveKey(ctx, input.KeyId as string, {
    allowAlias: false,
    arnCheck: true,
    action: 'CreateGrant',
  });
  try {
    checkKeyState(key);
    checkAgainstKey(key, params);
    const grants = key.grants ?? [];
    const existing =
      params.name === undefined ? undefined : grants.find((g) => g.name === params.name && sameParameters(g, params));
    if (existing === undefined && grants.length >= GRANTS_PER_KEY) {
      throw new LimitExceededException(
        `The grant quota has been reached for ${key.arn}: a KMS key can have at most ${GRANTS_PER_KEY} grants.`,
      );
    }
    checkDryRun(input.DryRun);
    const hadSecret = key.grantTokenKey !== undefined;
    grantTokenKeyOf(key);
    if (existing !== undefined) {
      // The same grant again: a new token for it, written only if the key's secret is new.
      if (!hadSecret) await ctx.store.putKey(key);
      return { GrantToken: issueGrantToken(ctx, key, existing), GrantId: existing.grantId };
    }
    const grant: GrantRecord = {
      grantId: newGrantId(),
      ...params,
      issuingAccount: accountRoot(ctx.region, ctx.account),
      creationDate: nowOf(ctx),
    };
    key.grants = [...grants, grant];
    await ctx.store.putKey(key);
    return { GrantToken: issueGrantToken(ctx, key, grant), GrantId: grant.grantId };
  } finally {
    wipeRecord(key);
  }
}

/** CreateGrant, inside the store's transaction (context.ts transactional). */
export const createGrant = transactional(createGrantUnlocked);
