/**
 * Identifier octets (X.690 §8.1.2) of the universal types this package uses.
 * Bits 8-7 are the class (00 = universal), bit 6 is "constructed", bits 5-1
 * the tag number (X.680 §8.4).
 */
export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  /** SEQUENCE is always constructed (X.690 §8.9.1), hence 0x20 | 0x10. */
  SEQUENCE: 0x30,
} as const;

/** A readable name for an identifier octet, for error messages. */
export function tagName(tag: number): string {
  for (const [name, value] of Object.entries(DER_TAG)) {
    if (value === tag) return name.replace('_', ' ');
  }
  return `tag 0x${tag.toString(16).padStart(2, '0')}`;
}
