// Well-formed Unicode in JavaScript strings. A lone UTF-16 surrogate has no UTF-8 form:
// encoding replaces it with U+FFFD, so two different strings would encode alike.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` holds a high surrogate without its low one, or a low one without its high one. */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}
