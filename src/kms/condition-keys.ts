// The condition keys a KMS request has (AWS KMS Developer Guide, "Condition keys for AWS KMS";
// IAM User Guide, "AWS global condition context keys"), read from the request's input, the key it
// names and the caller, each only when a policy asks for it: a policy without conditions costs
// nothing here. Key names are matched in lower case (condition key names are not case
// sensitive; so are the context-key part of kms:EncryptionContext:<key> and the tag key of
// aws:ResourceTag/<key>, aws:PrincipalTag/<key> and aws:RequestTag/<key>). The
// kms:RecipientAttestation: keys come from the request's verified attestation document (recipient.ts).

import type { CallerIdentity } from './authorize.js';
import type { OperationContext } from './context.js';
import { nowOf } from './context.js';
import type { ConditionValues } from './policy.js';
import { recipientConditionValue } from './recipient.js';
import type { KeyRecord } from './store.js';

type Input = Record<string, unknown>;

/** The operations whose input has an EncryptionContext, by action; ReEncrypt's per side. */
const CONTEXT_MEMBER: Readonly<Record<string, string>> = {
  Encrypt: 'EncryptionContext',
  Decrypt: 'EncryptionContext',
  GenerateDataKey: 'EncryptionContext',
  GenerateDataKeyWithoutPlaintext: 'EncryptionContext',
  GenerateDataKeyPair: 'EncryptionContext',
  GenerateDataKeyPairWithoutPlaintext: 'EncryptionContext',
  ReEncryptFrom: 'SourceEncryptionContext',
  ReEncryptTo: 'DestinationEncryptionContext',
};

/** The encryption context of the request for `action` (CreateGrant: its constraint's), if it has one. */
export function requestEncryptionContext(action: string, input: unknown): Record<string, string> | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Input;
  if (action === 'CreateGrant') {
    const c = i.Constraints as { EncryptionContextEquals?: unknown; EncryptionContextSubset?: unknown } | undefined;
    return (c?.EncryptionContextEquals ?? c?.EncryptionContextSubset) as Record<string, string> | undefined;
  }
  const member = CONTEXT_MEMBER[action];
  return member === undefined ? undefined : (i[member] as Record<string, string> | undefined);
}

const one = (v: unknown): readonly string[] | undefined =>
  v === undefined || v === null ? undefined : [typeof v === 'string' ? v : String(v)];

/** A request's condition key values (policy.ts ConditionValues), computed when first asked. */
export class RequestValues implements ConditionValues {
  readonly #ctx: OperationContext;
  readonly #caller: CallerIdentity;
  readonly #action: string;
  readonly #key: KeyRecord | undefined;
  readonly #aliases: readonly string[] | undefined;
  #context: Map<string, string> | null | undefined;

  constructor(
    ctx: OperationContext,
    caller: CallerIdentity,
    action: string,
    key: KeyRecord | undefined,
    aliases: readonly string[] | undefined,
  ) {
    this.#ctx = ctx;
    this.#caller = caller;
    this.#action = action;
    this.#key = key;
    this.#aliases = aliases;
  }

  get #input(): Input {
    const i = this.#ctx.input;
    return typeof i === 'object' && i !== null ? (i as Input) : {};
  }

  get(name: string): readonly string[] | undefined {
    const caller = this.#caller;
    const input = this.#input;
    const action = this.#action;
    const key = this.#key;
    const createKey = action === 'CreateKey';
    switch (name) {
      // Global keys.
      case 'aws:principalarn':
        return [caller.principalArn];
      case 'aws:principalaccount':
        return [caller.account];
      case 'aws:principaltype':
        return [caller.type];
      case 'aws:username':
        return one(caller.userName);
      case 'aws:userid':
        // The account's root: its account id. IAM's unique ids of users and roles do not exist here.
        return caller.root ? [caller.account] : undefined;
      case 'aws:principalisawsservice':
      case 'aws:viaawsservice':
        // Every caller here is an IAM principal calling directly; no AWS service calls this engine.
        return ['false'];
      case 'aws:sourceip':
        return one(this.#ctx.request?.sourceIp);
      case 'aws:securetransport':
        return [String(this.#ctx.request?.secureTransport ?? true)];
      case 'aws:currenttime':
        return [nowOf(this.#ctx).toISOString()];
      case 'aws:epochtime':
        return [String(Math.floor(nowOf(this.#ctx).getTime() / 1000))];
      case 'aws:requestedregion':
        return [this.#ctx.region];
      case 'aws:tagkeys':
        return this.#requestTags()?.map((t) => t[0]) ?? tagKeyList(input.TagKeys, action);
      // KMS keys of the key (CreateKey: of the request).
      case 'kms:calleraccount':
        return [caller.account];
      case 'kms:keyspec':
        return createKey
          ? [String(input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT')]
          : one(key?.keySpec);
      case 'kms:keyusage':
        return createKey ? [String(input.KeyUsage ?? 'ENCRYPT_DECRYPT')] : one(key?.keyUsage);
      case 'kms:keyorigin':
        return createKey ? [String(input.Origin ?? 'AWS_KMS')] : one(key?.origin);
      case 'kms:multiregion':
        return createKey
          ? [String(input.MultiRegion === true)]
          : key === undefined
            ? undefined
            : [String(key.multiRegion)];
      case 'kms:multiregionkeytype':
        // A multi-Region key without replicas yet is a primary.
        return key?.multiRegion === true ? [key.multiRegionConfiguration?.type ?? 'PRIMARY'] : undefined;
      case 'kms:customerkeystoreid':
      case 'kms:customkeystoreid':
        return one(key?.customKeyStoreId);
      // KMS keys of the request.
      case 'kms:encryptioncontextkeys': {
        const ec = requestEncryptionContext(action, input);
        return ec === undefined ? undefined : Object.keys(ec);
      }
      case 'kms:datakeypairspec':
        return action.startsWith('GenerateDataKeyPair') ? one(input.KeyPairSpec) : undefined;
      case 'kms:encryptionalgorithm':
        return this.#encryptionAlgorithm();
      case 'kms:signingalgorithm':
        return action === 'Sign' || action === 'Verify' ? one(input.SigningAlgorithm) : undefined;
      case 'kms:messagetype':
        return action === 'Sign' || action === 'Verify' ? [String(input.MessageType ?? 'RAW')] : undefined;
      case 'kms:macalgorithm':
        return action === 'GenerateMac' || action === 'VerifyMac' ? one(input.MacAlgorithm) : undefined;
      case 'kms:keyagreementalgorithm':
        return action === 'DeriveSharedSecret' ? one(input.KeyAgreementAlgorithm) : undefined;
      case 'kms:grantoperations':
        return action === 'CreateGrant' && Array.isArray(input.Operations) ? input.Operations.map(String) : undefined;
      case 'kms:granteeprincipal':
        return action === 'CreateGrant' ? one(input.GranteePrincipal) : undefined;
      case 'kms:retiringprincipal':
        return action === 'CreateGrant' || action === 'ListRetirableGrants' ? one(input.RetiringPrincipal) : undefined;
      case 'kms:grantisforawsresource':
        // No AWS service calls this engine on a caller's behalf.
        return action === 'CreateGrant' || action === 'ListGrants' || action === 'RevokeGrant' ? ['false'] : undefined;
      case 'kms:grantconstrainttype': {
        if (action !== 'CreateGrant') return undefined;
        const c = input.Constraints as Record<string, unknown> | undefined;
        const types = ['EncryptionContextEquals', 'EncryptionContextSubset'].filter((t) => c?.[t] !== undefined);
        return types.length === 0 ? undefined : types;
      }
      case 'kms:requestalias':
        return this.#requestAlias();
      case 'kms:reencryptonsamekey':
        return action === 'ReEncryptFrom' || action === 'ReEncryptTo' ? [String(this.#sameKey())] : undefined;
      case 'kms:resourcealiases':
        return this.#aliases;
      case 'kms:rotationperiodindays':
        return action === 'EnableKeyRotation' ? one(input.RotationPeriodInDays ?? 365) : undefined;
      case 'kms:schedulekeydeletionpendingwindowindays':
        return action === 'ScheduleKeyDeletion' ? one(input.PendingWindowInDays ?? 30) : undefined;
      case 'kms:bypasspolicylockoutsafetycheck':
        return createKey || action === 'PutKeyPolicy'
          ? [String(input.BypassPolicyLockoutSafetyCheck === true)]
          : undefined;
      case 'kms:replicaregion':
        return action === 'ReplicateKey' ? one(input.ReplicaRegion) : undefined;
      case 'kms:primaryregion':
        return action === 'UpdatePrimaryRegion' ? one(input.PrimaryRegion) : undefined;
      case 'kms:expirationmodel':
        return action === 'ImportKeyMaterial' ? one(input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES') : undefined;
      case 'kms:wrappingalgorithm':
        return action === 'GetParametersForImport' ? one(input.WrappingAlgorithm) : undefined;
      case 'kms:wrappingkeyspec':
        return action === 'GetParametersForImport' ? one(input.WrappingKeySpec) : undefined;
    }
    if (name.startsWith('kms:encryptioncontext:')) {
      return one(this.#encryptionContext()?.get(name.slice('kms:encryptioncontext:'.length)));
    }
    if (name.startsWith('aws:resourcetag/')) {
      const tag = name.slice('aws:resourcetag/'.length);
      return one(key?.tags?.find((t) => t.key.toLowerCase() === tag)?.value);
    }
    if (name.startsWith('aws:principaltag/')) return one(caller.tags.get(name.slice('aws:principaltag/'.length)));
    if (name.startsWith('aws:requesttag/')) {
      const tag = name.slice('aws:requesttag/'.length);
      return one(this.#requestTags()?.find((t) => t[0].toLowerCase() === tag)?.[1]);
    }
    if (name.startsWith('kms:recipientattestation:')) {
      // ImageSha384 and PCR<n> of the request's verified attestation document (recipient.ts).
      return recipientConditionValue(this.#ctx, action, name.slice('kms:recipientattestation:'.length));
    }
    return undefined;
  }

  /** The encryption context of the request, by lower-case key; null when the request has none. */
  #encryptionContext(): Map<string, string> | null {
    if (this.#context !== undefined) return this.#context;
    const ec = requestEncryptionContext(this.#action, this.#input);
    this.#context = ec === undefined ? null : new Map(Object.entries(ec).map(([k, v]) => [k.toLowerCase(), v]));
    return this.#context;
  }

  #encryptionAlgorithm(): readonly string[] | undefined {
    const input = this.#input;
    switch (this.#action) {
      case 'Encrypt':
      case 'Decrypt':
        return [String(input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT')];
      case 'ReEncryptFrom':
        return [String(input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT')];
      case 'ReEncryptTo':
        return [String(input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT')];
      case 'GenerateDataKey':
      case 'GenerateDataKeyWithoutPlaintext':
      case 'GenerateDataKeyPair':
      case 'GenerateDataKeyPairWithoutPlaintext':
        return ['SYMMETRIC_DEFAULT'];
      default:
        return undefined;
    }
  }

  /** The alias name the request's KeyId names the key by (`alias/x`, also from an alias ARN). */
  #requestAlias(): readonly string[] | undefined {
    const input = this.#input;
    const id =
      this.#action === 'ReEncryptTo'
        ? input.DestinationKeyId
        : this.#action === 'ReEncryptFrom'
          ? input.SourceKeyId
          : input.KeyId;
    if (typeof id !== 'string') return undefined;
    if (id.startsWith('alias/')) return [id];
    const m = /^arn:[^:]+:kms:[^:]*:\d{12}:(alias\/.+)$/.exec(id);
    return m === null ? undefined : [m[1]!];
  }

  /**
   * ReEncrypt onto the key that made the ciphertext: the destination names this key (ReEncryptFrom)
   * or the source is this key (ReEncryptTo: the blob's key, when the source is named).
   */
  #sameKey(): boolean {
    const input = this.#input;
    const key = this.#key;
    if (key === undefined) return false;
    const names = (id: unknown) =>
      typeof id === 'string' && (id === key.arn || id === key.keyId || this.#aliases?.includes(id) === true);
    return this.#action === 'ReEncryptFrom' ? names(input.DestinationKeyId) : names(input.SourceKeyId);
  }

  /** The tags of a CreateKey or TagResource request as [key, value] pairs. */
  #requestTags(): [string, string][] | undefined {
    if (this.#action !== 'CreateKey' && this.#action !== 'TagResource') return undefined;
    const tags = this.#input.Tags;
    if (!Array.isArray(tags)) return undefined;
    return tags.map((t: { TagKey?: unknown; TagValue?: unknown }) => [String(t.TagKey), String(t.TagValue)]);
  }
}

function tagKeyList(v: unknown, action: string): readonly string[] | undefined {
  return action === 'UntagResource' && Array.isArray(v) ? v.map(String) : undefined;
}
