// Key resolution through KMSClient: key id, key ARN, alias name and alias ARN, other accounts and Regions.

import { describe, it, expect } from 'vitest';
import {
  DescribeKeyCommand,
  CreateAliasCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  DecryptCommand,
  NotFoundException,
  AccessDeniedException,
} from '../../src/kms/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

describe('key resolution', () => {
  it('key id, key ARN, alias name and alias ARN all name the key', async () => {
    const { us } = clients();
    const md = await newKey(us, { Description: 'mine' });
    await us.send(new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: md.KeyId }));
    for (const id of [md.KeyId, md.Arn!, 'alias/mine', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/mine`]) {
      const out = await us.send(
        new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: id, KeyPairSpec: 'ECC_SECG_P256K1' }),
      );
      expect(out.KeyId).toBe(md.Arn);
      const d = await us.send(new DescribeKeyCommand({ KeyId: id }));
      expect(d.KeyMetadata!.Description).toBe('mine');
    }
  });

  it('unknown key and alias are NotFoundException with AWS wording', async () => {
    const { us } = clients();
    const id = '00000000-0000-4000-8000-000000000000';
    const e = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: id, KeyPairSpec: 'ECC_NIST_P256' })),
      NotFoundException,
    );
    expect(e.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist`);
    const a = await rejection(us.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), NotFoundException);
    expect(a.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nope is not found.`);
  });

  it("another account's key is AccessDenied by ARN and NotFound by bare id; another Region's ARN is NotFound", async () => {
    const { us, other, west } = clients();
    const md = await newKey(other);
    expect(md.Arn).toBe(`arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/${md.KeyId}`);
    // The default key policy allows only the key's own account.
    const denied = await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'ECC_NIST_P256' })),
      AccessDeniedException,
    );
    expect(denied.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: kms:GenerateDataKeyPair on resource: ${md.Arn} because no resource-based policy allows the kms:GenerateDataKeyPair action`,
    );
    const out = await other.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(out.KeyId).toBe(md.Arn);
    await rejection(
      us.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })),
      AccessDeniedException,
    );
    const back = await other.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(back.Plaintext).toEqual(out.PrivateKeyPlaintext);
    await rejection(
      us.send(new GenerateDataKeyPairCommand({ KeyId: md.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      NotFoundException,
    );
    // [AWS-REC] DescribeKey with another Region's key ARN: "Invalid arn <that Region>".
    const e = await rejection(west.send(new DescribeKeyCommand({ KeyId: md.Arn })), NotFoundException);
    expect(e.message).toBe('Invalid arn us-east-1');
    // [AWS-REC] malformed key ids
    for (const bad of ['fake-key-id', '134f2428cec14b25a1ae9048164dba47', 'mrk-fake-key-id']) {
      const m = await rejection(us.send(new DescribeKeyCommand({ KeyId: bad })), NotFoundException);
      expect(m.message).toBe(`Invalid keyId '${bad}'`);
    }
    const mine = await newKey(us);
    await rejection(
      west.send(new GenerateDataKeyPairCommand({ KeyId: mine.Arn, KeyPairSpec: 'ECC_NIST_P256' })),
      NotFoundException,
    );
  });

  it('China Region keys have aws-cn ARNs; an ARN with the wrong partition names nothing', async () => {
    const { cn } = clients();
    const md = await newKey(cn);
    expect(md.Arn).toBe(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${md.KeyId}`);
    const out = await cn.send(new GenerateDataKeyPairCommand({ KeyId: md.Arn, KeyPairSpec: 'SM2' }));
    expect(out.KeyId).toBe(md.Arn);
    await cn.send(new CreateAliasCommand({ AliasName: 'alias/cn-test', TargetKeyId: md.KeyId }));
    const byAlias = await cn.send(
      new DescribeKeyCommand({ KeyId: `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:alias/cn-test` }),
    );
    expect(byAlias.KeyMetadata!.Arn).toBe(md.Arn);
    const wrong = `arn:aws:kms:cn-north-1:${ACCOUNT}:key/${md.KeyId}`;
    const e = await rejection(cn.send(new DescribeKeyCommand({ KeyId: wrong })), NotFoundException);
    expect(e.message).toBe(`Key '${wrong}' does not exist`);
    await rejection(
      cn.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:cn-north-1:${ACCOUNT}:alias/cn-test` })),
      NotFoundException,
    );
  });
});
