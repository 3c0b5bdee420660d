// Error cases of this group's operations (format: types.ts): UpdateCustomKeyStore,
// DeleteCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore. AWS was not recorded for
// any of them: the messages are this engine's (src/kms/custom-key-stores.ts and the operations).
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  DeleteCustomKeyStoreCommand,
  DisconnectCustomKeyStoreCommand,
  UpdateCustomKeyStoreCommand,
} from '../../../src/kms/index.js';
import { CLOUDHSM, XKS } from '../../helpers/kms.js';
import { env, type Env, type ErrorCase, type ErrorTable } from './types.js';

/** A well-formed custom key store id no store holds. */
const GHOST_CKS = 'cks-0123456789abcdef0';
const notFound = `Custom key store ${GHOST_CKS} does not exist.`;
const VPC_SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

async function store(e: Env, input: Record<string, unknown> = CLOUDHSM, connect = false): Promise<string> {
  const id = (await e.c.send(new CreateCustomKeyStoreCommand(input as never))).CustomKeyStoreId!;
  if (connect) await e.c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  return id;
}

const invalid = (op: string, id: string, state: string, need: string) =>
  `${op} is not valid for custom key store ${id} in connection state ${state}; it must be ${need}.`;

/** An external key store named `name` whose proxy is VPC_ENDPOINT_SERVICE at `endpoint`. */
const vpcXks = (name: string, endpoint: string, service = VPC_SERVICE) => ({
  ...XKS,
  CustomKeyStoreName: name,
  XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE',
  XksProxyUriEndpoint: endpoint,
  XksProxyVpcEndpointServiceName: service,
});

/** CustomKeyStoreNotFoundException for an unknown id: the same for the four operations. */
const notFoundCase = (op: string, send: (e: Env) => Promise<unknown>): ErrorCase => ({
  op,
  exception: 'CustomKeyStoreNotFoundException',
  title: `${op}: an id no custom key store has`,
  run: async () => ({ p: send(env()), message: notFound }),
});

const cases: ErrorCase[] = [
  // UpdateCustomKeyStore
  notFoundCase('UpdateCustomKeyStore', (e) =>
    e.c.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: GHOST_CKS, NewCustomKeyStoreName: 'n' })),
  ),
  {
    op: 'UpdateCustomKeyStore',
    exception: 'CustomKeyStoreInvalidStateException',
    title: 'UpdateCustomKeyStore: a new CloudHSM cluster while CONNECTED',
    run: async () => {
      const e = env();
      const id = await store(e, CLOUDHSM, true);
      return {
        p: e.c.send(
          new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, CloudHsmClusterId: 'cluster-3a23b4cdefg' }),
        ),
        message: invalid('UpdateCustomKeyStore with CloudHsmClusterId', id, 'CONNECTED', 'DISCONNECTED'),
      };
    },
  },
  {
    op: 'UpdateCustomKeyStore',
    exception: 'CustomKeyStoreNameInUseException',
    title: "UpdateCustomKeyStore: another store's name",
    run: async () => {
      const e = env();
      const id = await store(e);
      await store(e, XKS);
      return {
        p: e.c.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: 'xks-store' })),
        message: 'Custom key store name xks-store is already in use in this account and Region.',
      };
    },
  },
  {
    op: 'UpdateCustomKeyStore',
    exception: 'CloudHsmClusterNotRelatedException',
    title: 'UpdateCustomKeyStore: the cluster of another custom key store',
    run: async () => {
      const e = env();
      const id = await store(e);
      const other = await store(e, { ...CLOUDHSM, CustomKeyStoreName: 'b', CloudHsmClusterId: 'cluster-2a23b4cdefg' });
      return {
        p: e.c.send(
          new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, CloudHsmClusterId: 'cluster-2a23b4cdefg' }),
        ),
        message:
          `CloudHSM cluster cluster-2a23b4cdefg is not related to the cluster of custom key store ${id}: ` +
          `it is associated with custom key store ${other}.`,
      };
    },
  },
  {
    op: 'UpdateCustomKeyStore',
    exception: 'XksProxyUriInUseException',
    title: "UpdateCustomKeyStore: another external key store's proxy endpoint and path",
    run: async () => {
      const e = env();
      await store(e, XKS);
      const id = await store(e, { ...XKS, CustomKeyStoreName: 'b', XksProxyUriPath: '/b/kms/xks/v1' });
      return {
        p: e.c.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriPath: XKS.XksProxyUriPath })),
        message: `The XKS proxy URI ${XKS.XksProxyUriEndpoint}${XKS.XksProxyUriPath} is already in use.`,
      };
    },
  },
  {
    op: 'UpdateCustomKeyStore',
    exception: 'XksProxyUriEndpointInUseException',
    title: "UpdateCustomKeyStore: a VPC external key store's private DNS name",
    run: async () => {
      const e = env();
      await store(e, vpcXks('a', 'https://private.example.com'));
      const id = await store(e, vpcXks('b', 'https://other.example.com', `${VPC_SERVICE.slice(0, -1)}1`));
      return {
        p: e.c.send(
          new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriEndpoint: 'https://private.example.com' }),
        ),
        message:
          'The XKS proxy URI endpoint https://private.example.com is already associated with another external key store.',
      };
    },
  },
  {
    op: 'UpdateCustomKeyStore',
    exception: 'XksProxyVpcEndpointServiceInUseException',
    title: "UpdateCustomKeyStore: another external key store's VPC endpoint service",
    run: async () => {
      const e = env();
      await store(e, vpcXks('a', 'https://private.example.com'));
      const id = await store(e, vpcXks('b', 'https://other.example.com', `${VPC_SERVICE.slice(0, -1)}1`));
      return {
        p: e.c.send(
          new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyVpcEndpointServiceName: VPC_SERVICE }),
        ),
        message: `The VPC endpoint service ${VPC_SERVICE} is already associated with another external key store.`,
      };
    },
  },

  // DeleteCustomKeyStore
  notFoundCase('DeleteCustomKeyStore', (e) =>
    e.c.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: GHOST_CKS })),
  ),
  {
    op: 'DeleteCustomKeyStore',
    exception: 'CustomKeyStoreInvalidStateException',
    title: 'DeleteCustomKeyStore: a CONNECTED store',
    run: async () => {
      const e = env();
      const id = await store(e, CLOUDHSM, true);
      return {
        p: e.c.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })),
        message: invalid('DeleteCustomKeyStore', id, 'CONNECTED', 'DISCONNECTED'),
      };
    },
  },
  {
    op: 'DeleteCustomKeyStore',
    exception: 'CustomKeyStoreHasCMKsException',
    title: 'DeleteCustomKeyStore: a disconnected store that holds two keys',
    run: async () => {
      const e = env();
      const id = await store(e, CLOUDHSM, true);
      await e.key({ CustomKeyStoreId: id });
      await e.key({ CustomKeyStoreId: id });
      await e.c.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
      return {
        p: e.c.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })),
        message: `Custom key store ${id} contains 2 KMS keys (a key pending deletion counts until it is deleted).`,
      };
    },
  },

  // ConnectCustomKeyStore
  notFoundCase('ConnectCustomKeyStore', (e) =>
    e.c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: GHOST_CKS })),
  ),
  {
    op: 'ConnectCustomKeyStore',
    exception: 'CustomKeyStoreInvalidStateException',
    title: 'ConnectCustomKeyStore: a FAILED store (disconnect it first)',
    run: async () => {
      const e = env();
      await e.store.putCustomKeyStore({
        customKeyStoreId: 'cks-0000000000000000f',
        account: e.c.config.accountId!,
        region: e.c.config.region!,
        customKeyStoreName: 'failed',
        customKeyStoreType: 'AWS_CLOUDHSM',
        connectionState: 'FAILED',
        creationDate: new Date(),
      });
      return {
        p: e.c.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: 'cks-0000000000000000f' })),
        message: invalid(
          'ConnectCustomKeyStore',
          'cks-0000000000000000f',
          'FAILED',
          'CONNECTED, CONNECTING or DISCONNECTED',
        ),
      };
    },
  },

  // DisconnectCustomKeyStore
  notFoundCase('DisconnectCustomKeyStore', (e) =>
    e.c.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: GHOST_CKS })),
  ),
  {
    op: 'DisconnectCustomKeyStore',
    exception: 'CustomKeyStoreInvalidStateException',
    title: 'DisconnectCustomKeyStore: a store that is DISCONNECTED (as every new one is)',
    run: async () => {
      const e = env();
      const id = await store(e);
      return {
        p: e.c.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })),
        message: invalid('DisconnectCustomKeyStore', id, 'DISCONNECTED', 'CONNECTED, CONNECTING or FAILED'),
      };
    },
  },
];

const NO_CLUSTER = 'No CloudHSM cluster stands behind a custom key store of this engine, so none can be';
const NO_PROXY = 'No external key store proxy stands behind a custom key store of this engine, so none can';

export const table: ErrorTable = {
  ops: ['UpdateCustomKeyStore', 'DeleteCustomKeyStore', 'ConnectCustomKeyStore', 'DisconnectCustomKeyStore'],
  cases,
  excused: {
    KMSInternalException: 'An internal failure of the service has no trigger a test can set off in a local engine.',
    CloudHsmClusterInvalidConfigurationException: `${NO_CLUSTER} found misconfigured (subnets, security group, HSM count).`,
    CloudHsmClusterNotActiveException: `${NO_CLUSTER} found inactive.`,
    'UpdateCustomKeyStore:CloudHsmClusterNotFoundException': `${NO_CLUSTER} looked up: any well-formed cluster id is taken as found.`,
    'UpdateCustomKeyStore:XksProxyIncorrectAuthenticationCredentialException': `${NO_PROXY} reject the credential.`,
    'UpdateCustomKeyStore:XksProxyInvalidConfigurationException': `${NO_PROXY} be found misconfigured.`,
    'UpdateCustomKeyStore:XksProxyInvalidResponseException': `${NO_PROXY} answer with a response KMS cannot read.`,
    'UpdateCustomKeyStore:XksProxyUriUnreachableException': `${NO_PROXY} be unreachable at its URI path.`,
    'UpdateCustomKeyStore:XksProxyVpcEndpointServiceInvalidConfigurationException': `No Amazon VPC endpoint service stands behind an external key store of this engine, so its configuration cannot be checked.`,
    'UpdateCustomKeyStore:XksProxyVpcEndpointServiceNotFoundException': `No Amazon VPC endpoint service stands behind an external key store of this engine, so none can be looked up.`,
  },
};
