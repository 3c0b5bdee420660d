// wasm-kms: the package's main entry. The KMS engine (KMSClient and the command classes) will
// be exported from here; today it offers the key pair generator of the WebAssembly core.

export {
  generateKeyPair,
  initCore,
  simdSupported,
  KEY_PAIR_SPECS,
  type KeyPair,
  type KeyPairSpec,
  type CoreSource,
  type CoreVariant,
} from '../core/index.js';
