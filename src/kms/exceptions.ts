// The exceptions KMS throws, shaped like the AWS SDK v3's `ServiceException`: `name`, `message`,
// `$fault` and `$metadata`. Every class sets the HTTP status real KMS sends, which is not always the
// one in the SDK model: real KMS answers 400 for every client fault it was recorded with (NotFound,
// Disabled, KMSInvalidState, DryRunOperation... are 404/409/412 in the model) and 5xx for server
// faults. The classes are declared one by one so that `instanceof` and declaration output stay plain.

export type Fault = 'client' | 'server';

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

export interface ExceptionOptions {
  message?: string;
  $metadata?: ResponseMetadata;
}

/** The base of every exception this package throws for a KMS operation. */
export class KMSServiceException extends Error {
  override name: string;
  readonly $fault: Fault;
  $metadata: ResponseMetadata;

  constructor(options: { name: string; $fault: Fault; message?: string; $metadata?: ResponseMetadata }) {
    super(options.message ?? '');
    this.name = options.name;
    this.$fault = options.$fault;
    this.$metadata = { ...(options.$metadata ?? {}) };
    // Extending Error with a down-levelled target loses the prototype; keep it right everywhere.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

function init(options: string | ExceptionOptions | undefined): ExceptionOptions {
  return typeof options === 'string' ? { message: options } : (options ?? {});
}

/** Fills in the status real KMS sends unless the caller already knows it. */
function metadata(options: ExceptionOptions, status: number): ResponseMetadata {
  return { httpStatusCode: status, ...(options.$metadata ?? {}) };
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class AccessDeniedException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'AccessDeniedException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class AlreadyExistsException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'AlreadyExistsException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class CloudHsmClusterInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'CloudHsmClusterInUseException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class CloudHsmClusterInvalidConfigurationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CloudHsmClusterInvalidConfigurationException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CloudHsmClusterNotActiveException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CloudHsmClusterNotActiveException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CloudHsmClusterNotFoundException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CloudHsmClusterNotFoundException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CloudHsmClusterNotRelatedException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CloudHsmClusterNotRelatedException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class ConflictException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'ConflictException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class CustomKeyStoreHasCMKsException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CustomKeyStoreHasCMKsException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CustomKeyStoreInvalidStateException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CustomKeyStoreInvalidStateException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CustomKeyStoreNameInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CustomKeyStoreNameInUseException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class CustomKeyStoreNotFoundException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'CustomKeyStoreNotFoundException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class DependencyTimeoutException extends KMSServiceException {
  static readonly fault: Fault = 'server';
  static readonly httpStatus = 503;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'DependencyTimeoutException', $fault: 'server', message: o.message, $metadata: metadata(o, 503) });
  }
}

export class DisabledException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'DisabledException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class DryRunOperationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'DryRunOperationException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class ExpiredTokenException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'ExpiredTokenException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class ExpiredImportTokenException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'ExpiredImportTokenException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class IncompleteSignatureException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'IncompleteSignatureException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class IncorrectKeyException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'IncorrectKeyException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class IncorrectTrustAnchorException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'IncorrectTrustAnchorException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class IncorrectKeyMaterialException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'IncorrectKeyMaterialException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidAliasNameException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidAliasNameException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidArnException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidArnException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidCiphertextException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidCiphertextException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidGrantIdException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidGrantIdException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidGrantTokenException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidGrantTokenException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidImportTokenException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidImportTokenException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidKeyUsageException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidKeyUsageException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class InvalidMarkerException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidMarkerException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class InvalidSignatureException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'InvalidSignatureException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class KMSInternalException extends KMSServiceException {
  static readonly fault: Fault = 'server';
  static readonly httpStatus = 500;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'KMSInternalException', $fault: 'server', message: o.message, $metadata: metadata(o, 500) });
  }
}

export class KMSInvalidMacException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'KMSInvalidMacException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class KMSInvalidSignatureException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'KMSInvalidSignatureException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class KMSInvalidStateException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'KMSInvalidStateException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class KeyUnavailableException extends KMSServiceException {
  static readonly fault: Fault = 'server';
  static readonly httpStatus = 500;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'KeyUnavailableException', $fault: 'server', message: o.message, $metadata: metadata(o, 500) });
  }
}

export class LimitExceededException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'LimitExceededException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class MalformedPolicyDocumentException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'MalformedPolicyDocumentException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class MissingAuthenticationTokenException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'MissingAuthenticationTokenException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class NotFoundException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'NotFoundException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class SerializationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'SerializationException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class TagException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'TagException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/**
 * Not modeled in the SDK; the client surfaces it by name. A request quota was exceeded ("Rate
 * exceeded"); `$retryable` marks it as the SDK's retry strategies mark throttling errors.
 */
export class ThrottlingException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  readonly $retryable = { throttling: true };
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'ThrottlingException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class UnknownOperationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'UnknownOperationException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class UnrecognizedClientException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'UnrecognizedClientException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class UnsupportedOperationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'UnsupportedOperationException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

/** Not modeled in the SDK; the client surfaces it by name. */
export class ValidationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'ValidationException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class XksKeyAlreadyInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'XksKeyAlreadyInUseException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class XksKeyInvalidConfigurationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksKeyInvalidConfigurationException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksKeyNotFoundException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'XksKeyNotFoundException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class XksProxyIncorrectAuthenticationCredentialException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyIncorrectAuthenticationCredentialException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyInvalidConfigurationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyInvalidConfigurationException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyInvalidResponseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyInvalidResponseException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyUriEndpointInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyUriEndpointInUseException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyUriInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({ name: 'XksProxyUriInUseException', $fault: 'client', message: o.message, $metadata: metadata(o, 400) });
  }
}

export class XksProxyUriUnreachableException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyUriUnreachableException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyVpcEndpointServiceInUseException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyVpcEndpointServiceInUseException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyVpcEndpointServiceInvalidConfigurationException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyVpcEndpointServiceInvalidConfigurationException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

export class XksProxyVpcEndpointServiceNotFoundException extends KMSServiceException {
  static readonly fault: Fault = 'client';
  static readonly httpStatus = 400;
  constructor(options?: string | ExceptionOptions) {
    const o = init(options);
    super({
      name: 'XksProxyVpcEndpointServiceNotFoundException',
      $fault: 'client',
      message: o.message,
      $metadata: metadata(o, 400),
    });
  }
}

/** Every exception class by its SDK name. */
export const EXCEPTIONS = {
  AccessDeniedException,
  AlreadyExistsException,
  CloudHsmClusterInUseException,
  CloudHsmClusterInvalidConfigurationException,
  CloudHsmClusterNotActiveException,
  CloudHsmClusterNotFoundException,
  CloudHsmClusterNotRelatedException,
  ConflictException,
  CustomKeyStoreHasCMKsException,
  CustomKeyStoreInvalidStateException,
  CustomKeyStoreNameInUseException,
  CustomKeyStoreNotFoundException,
  DependencyTimeoutException,
  DisabledException,
  DryRunOperationException,
  ExpiredImportTokenException,
  ExpiredTokenException,
  IncompleteSignatureException,
  IncorrectKeyException,
  IncorrectKeyMaterialException,
  IncorrectTrustAnchorException,
  InvalidAliasNameException,
  InvalidArnException,
  InvalidCiphertextException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  InvalidImportTokenException,
  InvalidKeyUsageException,
  InvalidMarkerException,
  InvalidSignatureException,
  KMSInternalException,
  KMSInvalidMacException,
  KMSInvalidSignatureException,
  KMSInvalidStateException,
  KeyUnavailableException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  MissingAuthenticationTokenException,
  NotFoundException,
  SerializationException,
  TagException,
  ThrottlingException,
  UnknownOperationException,
  UnrecognizedClientException,
  UnsupportedOperationException,
  ValidationException,
  XksKeyAlreadyInUseException,
  XksKeyInvalidConfigurationException,
  XksKeyNotFoundException,
  XksProxyIncorrectAuthenticationCredentialException,
  XksProxyInvalidConfigurationException,
  XksProxyInvalidResponseException,
  XksProxyUriEndpointInUseException,
  XksProxyUriInUseException,
  XksProxyUriUnreachableException,
  XksProxyVpcEndpointServiceInUseException,
  XksProxyVpcEndpointServiceInvalidConfigurationException,
  XksProxyVpcEndpointServiceNotFoundException,
} as const;

export type ExceptionName = keyof typeof EXCEPTIONS;

/**
 * Builds the exception for an error code read off the wire (`__type`, already stripped of any
 * `namespace#` prefix and `:` suffix). A code we do not know becomes a plain KMSServiceException,
 * whose fault follows the status as the SDK does: below 500 is the client's.
 */
export function exceptionFromName(name: string, message = '', $metadata: ResponseMetadata = {}): KMSServiceException {
  const cls = Object.prototype.hasOwnProperty.call(EXCEPTIONS, name) ? EXCEPTIONS[name as ExceptionName] : undefined;
  if (cls) return new cls({ message, $metadata });
  const status = $metadata.httpStatusCode;
  const $fault: Fault = status !== undefined && status >= 500 ? 'server' : 'client';
  return new KMSServiceException({ name, $fault, message, $metadata });
}
