/** A failure the operator can fix, said in one line on stderr (exit code 1). */
export class DeployError extends Error {}
