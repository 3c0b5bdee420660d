// Command classes for key listing, alias management and key rotation, in the shape of
// @aws-sdk/client-kms (`client.send(new ListKeysCommand({ Limit: 10 }))`).

import { defineCommand } from './client.js';
import { listKeys, type ListKeysInput, type ListKeysOutput } from './operations/list-keys.js';
import { updateAlias, type UpdateAliasInput, type UpdateAliasOutput } from './operations/update-alias.js';
import { deleteAlias, type DeleteAliasInput, type DeleteAliasOutput } from './operations/delete-alias.js';
import { listAliases, type ListAliasesInput, type ListAliasesOutput } from './operations/list-aliases.js';
import {
  enableKeyRotation,
  type EnableKeyRotationInput,
  type EnableKeyRotationOutput,
} from './operations/enable-key-rotation.js';
import {
  disableKeyRotation,
  type DisableKeyRotationInput,
  type DisableKeyRotationOutput,
} from './operations/disable-key-rotation.js';
import {
  getKeyRotationStatus,
  type GetKeyRotationStatusInput,
  type GetKeyRotationStatusOutput,
} from './operations/get-key-rotation-status.js';
import {
  rotateKeyOnDemand,
  type RotateKeyOnDemandInput,
  type RotateKeyOnDemandOutput,
} from './operations/rotate-key-on-demand.js';

export type { ListKeysInput, ListKeysOutput, KeyListEntry } from './operations/list-keys.js';
export type { UpdateAliasInput, UpdateAliasOutput } from './operations/update-alias.js';
export type { DeleteAliasInput, DeleteAliasOutput } from './operations/delete-alias.js';
export type { ListAliasesInput, ListAliasesOutput, AliasListEntry } from './operations/list-aliases.js';
export type { EnableKeyRotationInput, EnableKeyRotationOutput } from './operations/enable-key-rotation.js';
export type { DisableKeyRotationInput, DisableKeyRotationOutput } from './operations/disable-key-rotation.js';
export type { GetKeyRotationStatusInput, GetKeyRotationStatusOutput } from './operations/get-key-rotation-status.js';
export type { RotateKeyOnDemandInput, RotateKeyOnDemandOutput } from './operations/rotate-key-on-demand.js';

export const ListKeysCommand = defineCommand<ListKeysInput, ListKeysOutput>('ListKeys', listKeys);
export type ListKeysCommand = InstanceType<typeof ListKeysCommand>;
export const UpdateAliasCommand = defineCommand<UpdateAliasInput, UpdateAliasOutput>('UpdateAlias', updateAlias);
export type UpdateAliasCommand = InstanceType<typeof UpdateAliasCommand>;
export const DeleteAliasCommand = defineCommand<DeleteAliasInput, DeleteAliasOutput>('DeleteAlias', deleteAlias);
export type DeleteAliasCommand = InstanceType<typeof DeleteAliasCommand>;
export const ListAliasesCommand = defineCommand<ListAliasesInput, ListAliasesOutput>('ListAliases', listAliases);
export type ListAliasesCommand = InstanceType<typeof ListAliasesCommand>;
export const EnableKeyRotationCommand = defineCommand<EnableKeyRotationInput, EnableKeyRotationOutput>(
  'EnableKeyRotation',
  enableKeyRotation,
);
export type EnableKeyRotationCommand = InstanceType<typeof EnableKeyRotationCommand>;
export const DisableKeyRotationCommand = defineCommand<DisableKeyRotationInput, DisableKeyRotationOutput>(
  'DisableKeyRotation',
  disableKeyRotation,
);
export type DisableKeyRotationCommand = InstanceType<typeof DisableKeyRotationCommand>;
export const GetKeyRotationStatusCommand = defineCommand<GetKeyRotationStatusInput, GetKeyRotationStatusOutput>(
  'GetKeyRotationStatus',
  getKeyRotationStatus,
);
export type GetKeyRotationStatusCommand = InstanceType<typeof GetKeyRotationStatusCommand>;
export const RotateKeyOnDemandCommand = defineCommand<RotateKeyOnDemandInput, RotateKeyOnDemandOutput>(
  'RotateKeyOnDemand',
  rotateKeyOnDemand,
);
export type RotateKeyOnDemandCommand = InstanceType<typeof RotateKeyOnDemandCommand>;
