// Replaces AssemblyScript's abort() (asconfig "use"): a failed internal check traps. The
// module never calls out with a message, and the host wipes scratch memory after a trap and
// reports it as CoreError INTERNAL_ERROR. Bad inputs never get here: entry points return a
// status for those (status.ts).
export function trap(msg: usize, file: usize, line: u32, col: u32): void {
  unreachable();
}
