// TagResource, UntagResource, ListResourceTags and CreateKey's Tags: through KMSClient on a memory
// store, on a file store across reopening, through the HTTP endpoint with the real
// @aws-sdk/client-kms, and through the CLI. Tag order and the rules' messages are compared with
// real AWS's recorded answers (test/vectors/kms/aws-recorded-responses.json).

import { describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@aws-sdk/client-kms';
import {
  AccessDeniedException,
  CreateKeyCommand,
  DisableKeyCommand,
  InvalidArnException,
  InvalidMarkerException,
  KMSInvalidStateException,
  ListKeysCommand,
  ListResourceTagsCommand,
  MemoryKeyStore,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  TagException,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
  KMSClient,
  paginateListResourceTags,
} from '../../src/kms/index.js';
import { checkTags, mergeTags, removeTags, wireTags } from '../../src/kms/tags.js';
import { FileKeyStore } from '../../src/node/file-store/index.js';
import { clients, newKey, rejection } from '../helpers/kms.js';
import { readVectorText } from '../helpers/vectors.js';
import { useCli, useEndpoint } from '../helpers/endpoint.js';

type Wire = { TagKey: string; TagValue: string };
const RECORDINGS = JSON.parse(readVectorText('kms/aws-recorded-responses.json')) as Record<
  string,
  { 'recorded-content': Record<string, unknown> }
>;
const recording = (test: string, key: string) =>
  RECORDINGS[`tests/aws/services/kms/test_kms.py::TestKMS::${test}`]!['recorded-content'][key] as never;
const recordedError = (test: string, key: string) =>
  (recording(test, key) as { Error: { Code: string; Message: string } }).Error;

const tag = (k: string, v: string): Wire => ({ TagKey: k, TagValue: v });
const tagsOf = async (c: KMSClient, KeyId: string) => (await c.send(new ListResourceTagsCommand({ KeyId }))).Tags;

describe('tags: KMSClient', () => {
  it('CreateKey keeps its Tags; TagResource then UntagResource of all gives the recorded lists', async () => {
    const { us } = clients();
    const k = await newKey(us, { Tags: [tag('tag1', 'value1'), tag('tag2', 'value2')] });
    expect(await tagsOf(us, k.KeyId)).toEqual(recording('test_create_key_with_tag_and_untag', 'list-resource-tags'));
    await us.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['tag1', 'tag2'] }));
    expect(await tagsOf(us, k.KeyId)).toEqual(
      recording('test_create_key_with_tag_and_untag', 'list-resource-tags-after-all-untagged'),
    );

    const k2 = await newKey(us);
    expect(await tagsOf(us, k2.KeyId)).toEqual([]);
    await us.send(new TagResourceCommand({ KeyId: k2.Arn, Tags: [tag('tag1', 'value1'), tag('tag2', 'value2')] }));
    expect(await tagsOf(us, k2.KeyId)).toEqual(recording('test_tag_existing_key_and_untag', 'list-resource-tags'));
  });

  it('a tag key given again keeps its place and takes the new value; new keys go last (as recorded)', async () => {
    const { us } = clients();
    const k = await newKey(us, { Tags: [tag('tag1', 'value1'), tag('tag2', 'value2'), tag('tag3', 'value3')] });
    expect(await tagsOf(us, k.KeyId)).toEqual(
      recording('test_update_and_add_tags_on_tagged_key', 'list-resource-tags'),
    );
    await us.send(
      new TagResourceCommand({
        KeyId: k.KeyId,
        Tags: [tag('tag2', 'updated_value2'), tag('tag4', 'value4'), tag('tag5', 'value5')],
      }),
    );
    expect(await tagsOf(us, k.KeyId)).toEqual(
      recording('test_update_and_add_tags_on_tagged_key', 'list-resource-tags-after-tags-updated'),
    );
    // Not sorted: a key added later that sorts first still comes last.
    await us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('a', '')] }));
    expect((await tagsOf(us, k.KeyId))!.map((t) => t.TagKey)).toEqual(['tag1', 'tag2', 'tag3', 'tag4', 'tag5', 'a']);
    expect((await tagsOf(us, k.KeyId))![5]).toEqual({ TagKey: 'a', TagValue: '' });
  });

  it('UntagResource removes the keys given; keys the key does not have are ignored (as recorded)', async () => {
    const { us } = clients();
    const k = await newKey(us, { Tags: [tag('tag1', 'value1'), tag('tag2', 'value2'), tag('tag3', 'value3')] });
    expect(await tagsOf(us, k.KeyId)).toEqual(recording('test_untag_key_partially', 'list-resource-tags'));
    await us.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['tag2', 'absent'] }));
    expect(await tagsOf(us, k.KeyId)).toEqual(
      recording('test_untag_key_partially', 'list-resource-tags-after-partially-untagged'),
    );
    await us.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['nothing-here'] }));
    expect((await tagsOf(us, k.KeyId))!.length).toBe(2);
  });

  it('the recorded TagException and ValidationException answers, on CreateKey and TagResource', async () => {
    const { us } = clients();
    const k = await newKey(us);
    const dup = recordedError('test_tag_key_with_duplicate_tag_keys_raises_error', 'duplicate-tag-keys');
    const e1 = await rejection(
      us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('a', '1'), tag('a', '2')] })),
      TagException,
    );
    expect([e1.name, e1.message]).toEqual([dup.Code, dup.Message]);

    const reserved = recordedError('test_tag_existing_key_with_invalid_tag_key', 'invalid-tag-key');
    const e2 = await rejection(
      us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('aws:x', '1')] })),
      TagException,
    );
    expect([e2.name, e2.message]).toEqual([reserved.Code, reserved.Message]);
    for (const prefix of ['lowercase_prefix', 'uppercase_prefix']) {
      const rec = recordedError(`test_create_key_with_invalid_tag_key[${prefix}]`, 'invalid-tag-key');
      const key = prefix === 'lowercase_prefix' ? 'aws:k' : 'AWS:k';
      const e = await rejection(us.send(new CreateKeyCommand({ Tags: [tag(key, 'v')] })), TagException);
      expect([e.name, e.message]).toEqual([rec.Code, rec.Message]);
    }

    const many = recordedError('test_create_key_with_too_many_tags_raises_error', 'invalid-tag-key');
    const fiftyOne = Array.from({ length: 51 }, (_, i) => tag(`k${i}`, 'v'));
    const e3 = await rejection(us.send(new CreateKeyCommand({ Tags: fiftyOne })), TagException);
    expect([e3.name, e3.message]).toEqual([many.Code, many.Message]);

    const longKey = recordedError('test_create_key_with_invalid_tag_key[too_long_key]', 'invalid-tag-key');
    const e4 = await rejection(
      us.send(new CreateKeyCommand({ Tags: [tag('a'.repeat(129), 'v')] })),
      ValidationException,
    );
    expect([e4.name, e4.message]).toEqual([longKey.Code, longKey.Message]);

    const longValue = recordedError('test_key_with_long_tag_value_raises_error', 'too-long-tag-value');
    const e5 = await rejection(
      us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('k', 'v'.repeat(257))] })),
      ValidationException,
    );
    expect([e5.name, e5.message]).toEqual([longValue.Code, longValue.Message]);

    // None of them changed the key or created one.
    expect(await tagsOf(us, k.KeyId)).toEqual([]);
    expect((await us.send(new ListKeysCommand({}))).Keys!.length).toBe(1);
  });

  it('50 tags per key: TagResource that would make 51 is TagException and changes nothing', async () => {
    const { us } = clients();
    const fifty = Array.from({ length: 50 }, (_, i) => tag(`k${i}`, 'v'));
    const k = await newKey(us, { Tags: fifty });
    // Overwriting existing keys stays at 50.
    await us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('k0', 'new')] }));
    const e = await rejection(
      us.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('k50', 'v')] })),
      TagException,
    );
    expect(e.message).toBe('Too many tags');
    const all = [];
    for await (const p of paginateListResourceTags({ client: us }, { KeyId: k.KeyId })) all.push(...p.Tags!);
    expect(all.length).toBe(50);
    expect(all[0]).toEqual(tag('k0', 'new'));
  });

  it('UntagResource refuses a reserved aws: key with TagException', async () => {
    const { us } = clients();
    const k = await newKey(us, { Tags: [tag('t', 'v')] });
    const e = await rejection(us.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['aws:t'] })), TagException);
    expect(e.message).toBe('Tags beginning with aws: are reserved');
    expect(await tagsOf(us, k.KeyId)).toEqual([tag('t', 'v')]);
  });

  it('ListResourceTags pages: Limit 1..50 (default 50), Marker, Truncated; invalid markers', async () => {
    const { us } = clients();
    const k = await newKey(us, { Tags: Array.from({ length: 7 }, (_, i) => tag(`t${7 - i}`, `v${i}`)) });
    const p1 = await us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 3 }));
    expect(p1.Tags!.map((t) => t.TagKey)).toEqual(['t7', 't6', 't5']);
    expect(p1.Truncated).toBe(true);
    const p2 = await us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 3, Marker: p1.NextMarker }));
    expect(p2.Tags!.map((t) => t.TagKey)).toEqual(['t4', 't3', 't2']);
    const p3 = await us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 3, Marker: p2.NextMarker }));
    expect(p3.Tags!.map((t) => t.TagKey)).toEqual(['t1']);
    expect(p3.Truncated).toBe(false);
    expect(p3.NextMarker).toBeUndefined();
    const whole = await us.send(new ListResourceTagsCommand({ KeyId: k.KeyId }));
    expect(whole.Tags!.length).toBe(7);
    expect(whole.Truncated).toBe(false);

    // A marker this engine did not issue, one of another list, one whose tag is gone.
    await rejection(us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Marker: 'zz' })), InvalidMarkerException);
    await newKey(us);
    const otherMarker = (await us.send(new ListKeysCommand({ Limit: 1 }))).NextMarker!;
    expect(otherMarker).toBeDefined();
    await rejection(
      us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Marker: otherMarker })),
      InvalidMarkerException,
    );
    await us.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['t5'] }));
    await rejection(
      us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Marker: p1.NextMarker })),
      InvalidMarkerException,
    );
    const e = await rejection(us.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 51 })), ValidationException);
    expect(e.message).toBe(
      "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
  });

  it('key states: Disabled and PendingImport may be tagged; PendingDeletion only listed', async () => {
    const { us } = clients();
    const d = await newKey(us);
    await us.send(new DisableKeyCommand({ KeyId: d.KeyId }));
    await us.send(new TagResourceCommand({ KeyId: d.KeyId, Tags: [tag('a', 'b')] }));
    await us.send(new UntagResourceCommand({ KeyId: d.KeyId, TagKeys: ['a'] }));
    const imp = await newKey(us, { Origin: 'EXTERNAL' });
    expect(imp.KeyState).toBe('PendingImport');
    await us.send(new TagResourceCommand({ KeyId: imp.KeyId, Tags: [tag('a', 'b')] }));
    expect(await tagsOf(us, imp.KeyId)).toEqual([tag('a', 'b')]);

    const p = await newKey(us, { Tags: [tag('keep', 'me')] });
    await us.send(new ScheduleKeyDeletionCommand({ KeyId: p.KeyId, PendingWindowInDays: 7 }));
    const e1 = await rejection(
      us.send(new TagResourceCommand({ KeyId: p.KeyId, Tags: [tag('a', 'b')] })),
      KMSInvalidStateException,
    );
    expect(e1.message).toBe(`${p.Arn} is pending deletion.`);
    const e2 = await rejection(
      us.send(new UntagResourceCommand({ KeyId: p.KeyId, TagKeys: ['keep'] })),
      KMSInvalidStateException,
    );
    expect(e2.message).toBe(`${p.Arn} is pending deletion.`);
    expect(await tagsOf(us, p.KeyId)).toEqual([tag('keep', 'me')]);
  });

  it('key resolution: missing key, alias, other account, non-KMS ARN', async () => {
    const { us, other } = clients();
    const k = await newKey(us);
    const ghost = 'arn:aws:kms:us-east-1:111122223333:key/0b3c1a5e-1111-4222-8333-944455556666';
    const e1 = await rejection(
      us.send(new TagResourceCommand({ KeyId: ghost, Tags: [tag('a', 'b')] })),
      NotFoundException,
    );
    expect(e1.message).toBe(`Key '${ghost}' does not exist`);
    const e2 = await rejection(us.send(new ListResourceTagsCommand({ KeyId: 'alias/x' })), NotFoundException);
    expect(e2.message).toBe("Invalid keyId 'alias/x'");
    const e3 = await rejection(
      other.send(new TagResourceCommand({ KeyId: k.Arn, Tags: [tag('a', 'b')] })),
      AccessDeniedException,
    );
    expect(e3.message).toContain('kms:TagResource');
    await rejection(other.send(new ListResourceTagsCommand({ KeyId: k.Arn })), AccessDeniedException);
    await rejection(
      us.send(new UntagResourceCommand({ KeyId: 'arn:aws:s3:::b', TagKeys: ['a'] })),
      InvalidArnException,
    );
  });

  it('tags survive closing and reopening a file store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasm-kms-tags-'));
    try {
      const store = await FileKeyStore.open(dir);
      const c = new KMSClient({ store });
      const k = await newKey(c, { Tags: [tag('b', '1')] });
      await c.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('a', '2'), tag('b', '3')] }));
      await store.close();
      const again = await FileKeyStore.open(dir);
      const c2 = new KMSClient({ store: again });
      expect(await tagsOf(c2, k.KeyId)).toEqual([tag('b', '3'), tag('a', '2')]);
      await c2.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['b'] }));
      await again.close();
      const third = await FileKeyStore.open(dir);
      expect(await tagsOf(new KMSClient({ store: third }), k.KeyId)).toEqual([tag('a', '2')]);
      await third.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the helpers ReplicateKey shares: checkTags, mergeTags, removeTags, wireTags', () => {
    expect(checkTags(undefined)).toEqual([]);
    expect(checkTags([tag('x', '')])).toEqual([{ key: 'x', value: '' }]);
    expect(() => checkTags([{ TagKey: 'x' }])).toThrow(
      "1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null",
    );
    expect(() => checkTags([tag('ok', 'v'), tag('', 'v')])).toThrow(ValidationException);
    expect(() => checkTags([tag('Aws:x', 'v')])).toThrow(TagException);
    const existing = [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ];
    const merged = mergeTags(existing, [
      { key: 'b', value: '3' },
      { key: 'c', value: '4' },
    ]);
    expect(wireTags(merged)).toEqual([tag('a', '1'), tag('b', '3'), tag('c', '4')]);
    expect(existing[1].value).toBe('2');
    expect(removeTags(merged, ['a', 'zz'])).toEqual([
      { key: 'b', value: '3' },
      { key: 'c', value: '4' },
    ]);
    expect(wireTags(undefined)).toEqual([]);
  });
});

describe('tags: the endpoint with @aws-sdk/client-kms', () => {
  const ep = useEndpoint({ port: 0, store: new MemoryKeyStore() });

  it('tags, lists, pages and untags; refuses duplicate keys with TagException', async () => {
    const c = ep.sdk();
    const k = (await c.send(new sdk.CreateKeyCommand({ Tags: [tag('team', 'a')] }))).KeyMetadata!;
    await c.send(new sdk.TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('env', 'test'), tag('team', 'b')] }));
    const page = await c.send(new sdk.ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 1 }));
    expect(page.Tags).toEqual([tag('team', 'b')]);
    expect(page.Truncated).toBe(true);
    const rest = await c.send(new sdk.ListResourceTagsCommand({ KeyId: k.KeyId, Marker: page.NextMarker }));
    expect(rest.Tags).toEqual([tag('env', 'test')]);
    const all = [];
    for await (const p of sdk.paginateListResourceTags({ client: c, pageSize: 1 }, { KeyId: k.KeyId }))
      all.push(...p.Tags!);
    expect(all).toEqual([tag('team', 'b'), tag('env', 'test')]);
    await c.send(new sdk.UntagResourceCommand({ KeyId: k.Arn, TagKeys: ['team'] }));
    expect((await c.send(new sdk.ListResourceTagsCommand({ KeyId: k.KeyId }))).Tags).toEqual([tag('env', 'test')]);

    const err = await c
      .send(new sdk.TagResourceCommand({ KeyId: k.KeyId, Tags: [tag('x', '1'), tag('x', '2')] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(sdk.TagException);
    expect((err as sdk.TagException).message).toBe('Duplicate tag keys');
    expect((err as sdk.TagException).$metadata.httpStatusCode).toBe(400);
    // An empty TagKeys list is a request that removes nothing.
    const done = await c.send(new sdk.UntagResourceCommand({ KeyId: k.KeyId, TagKeys: [] }));
    expect(done.$metadata.httpStatusCode).toBe(200);
    expect((await c.send(new sdk.ListResourceTagsCommand({ KeyId: k.KeyId }))).Tags).toEqual([tag('env', 'test')]);
  });
});

describe('tags: the CLI', () => {
  const cli = useCli();

  it('create-key --tags, tag-resource, list-resource-tags, untag-resource; a reserved key exits 254', () => {
    const k = cli.ok(['create-key', '--tags', 'TagKey=team,TagValue=a']) as { KeyMetadata: { KeyId: string } };
    const id = k.KeyMetadata.KeyId;
    expect(
      cli.ok(['tag-resource', '--key-id', id, '--tags', 'TagKey=env,TagValue=test', 'TagKey=team,TagValue=b']),
    ).toEqual({});
    expect(cli.ok(['list-resource-tags', '--key-id', id]).Tags).toEqual([tag('team', 'b'), tag('env', 'test')]);
    cli.ok(['untag-resource', '--key-id', id, '--tag-keys', 'team']);
    expect(cli.ok(['list-resource-tags', '--key-id', id]).Tags).toEqual([tag('env', 'test')]);

    const r = cli.run(['tag-resource', '--key-id', id, '--tags', 'TagKey=aws:x,TagValue=1']);
    expect(r.status).toBe(254);
    expect(r.stderr).toContain(
      'An error occurred (TagException) when calling the TagResource operation: Tags beginning with aws: are reserved',
    );
    const r2 = cli.run(['list-resource-tags', '--key-id', id, '--marker', 'zz']);
    expect(r2.status).toBe(254);
    expect(r2.stderr).toContain('InvalidMarkerException');
  });
});
