// The command classes of GenerateDataKey, GenerateDataKeyWithoutPlaintext, ReEncrypt and
// GenerateRandom, made with client.ts's defineCommand, and their input/output types.

import { defineCommand } from './client.js';
import { generateDataKey, type GenerateDataKeyInput, type GenerateDataKeyOutput } from './operations/generate-data-key.js';
import {
  generateDataKeyWithoutPlaintext,
  type GenerateDataKeyWithoutPlaintextInput,
  type GenerateDataKeyWithoutPlaintextOutput,
} from './operations/generate-data-key-without-plaintext.js';
import { reEncrypt, type ReEncryptInput, type ReEncryptOutput } from './operations/re-encrypt.js';
import { generateRandom, type GenerateRandomInput, type GenerateRandomOutput } from './operations/generate-random.js';

export type { DataKeySpec, GenerateDataKeyInput, GenerateDataKeyOutput } from './operations/generate-data-key.js';
export type {
  GenerateDataKeyWithoutPlaintextInput,
  GenerateDataKeyWithoutPlaintextOutput,
} from './operations/generate-data-key-without-plaintext.js';
export type { ReEncryptInput, ReEncryptOutput } from './operations/re-encrypt.js';
export type { GenerateRandomInput, GenerateRandomOutput } from './operations/generate-random.js';

export const GenerateDataKeyCommand = defineCommand<GenerateDataKeyInput, GenerateDataKeyOutput>('GenerateDataKey', generateDataKey);
export type GenerateDataKeyCommand = InstanceType<typeof GenerateDataKeyCommand>;
export const GenerateDataKeyWithoutPlaintextCommand = defineCommand<
  GenerateDataKeyWithoutPlaintextInput,
  GenerateDataKeyWithoutPlaintextOutput
>('GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext);
export type GenerateDataKeyWithoutPlaintextCommand = InstanceType<typeof GenerateDataKeyWithoutPlaintextCommand>;
export const ReEncryptCommand = defineCommand<ReEncryptInput, ReEncryptOutput>('ReEncrypt', reEncrypt);
export type ReEncryptCommand = InstanceType<typeof ReEncryptCommand>;
export const GenerateRandomCommand = defineCommand<GenerateRandomInput, GenerateRandomOutput>('GenerateRandom', generateRandom);
export type GenerateRandomCommand = InstanceType<typeof GenerateRandomCommand>;
