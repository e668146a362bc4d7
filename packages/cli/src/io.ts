/** Where a command writes and which directory its relative paths start from (tests pass their own). */
export interface CliIo {
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}
