// The environment for a wasm-kms child process in tests: nothing inherited that changes where keys
// live, how they are sealed or cached, which Region is used or how serve listens (every WASM_KMS_*
// and AWS_* variable is left out).

/** process.env without WASM_KMS_* and AWS_*, with HOME set when `home` is given, plus `extra`. */
export function childEnv(home?: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('WASM_KMS_') || k.startsWith('AWS_')) delete e[k];
  if (home !== undefined) e.HOME = home;
  return { ...e, ...extra };
}
