// The default trust anchor of attestation documents: AWS's Nitro Enclaves root certificate,
// AWS_NitroEnclaves_Root-G1 (CN=aws.nitro-enclaves, OU=AWS, O=Amazon, C=US; P-384, self-signed,
// valid 2019-10-28T13:28:05Z to 2049-10-28T14:28:05Z). Provenance: the root.pem inside AWS's
// AWS_NitroEnclaves_Root-G1.zip (https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip),
// whose SHA-256 8cf60e2b2efca96c6a9e71e851d00c1b6991cc09eadbe64a6a1d1b1eb9faff7c AWS publishes in
// aws/aws-nitro-enclaves-nsm-api docs/attestation_process.md. The DER's SHA-256 is
// 641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b, the fingerprint of AWS's
// "Verifying the root of trust" page. It is cabundle[0] of every document AWS Nitro hardware signs;
// test/vectors/nitro/aws-nitro-enclaves-root-g1.pem is the same PEM (the test compares them).

import { parsePemCertificates } from './x509.js';

const PEM =
  '-----BEGIN CERTIFICATE-----\n' +
  'MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL\n' +
  'MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD\n' +
  'VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4\n' +
  'MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL\n' +
  'DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG\n' +
  'BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb\n' +
  '48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE\n' +
  'h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF\n' +
  'R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC\n' +
  'MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW\n' +
  'rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N\n' +
  'IwLz3/Y=\n' +
  '-----END CERTIFICATE-----\n';

/** DER of AWS_NitroEnclaves_Root-G1 (533 bytes). */
export const AWS_NITRO_ENCLAVES_ROOT_G1: Uint8Array = parsePemCertificates(PEM)[0];
