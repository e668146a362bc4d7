import { ACTION_LIMITS } from '@tessera/storage';
import { DeployError } from './deploy-error.ts';

/** `--bind <n>` (1-based), the default (`end`: appended unless already bound), or `--no-bind`. */
export type BindRequest = { at: 'end' } | { at: number } | { at: 'none' };

/** Where the action will be in the trigger's order; `change` says whether the bindings are rewritten. */
export interface BindingPlan {
  change: boolean;
  /** 1-based; null when the action is not bound (and stays so, under `--no-bind`). */
  position: number | null;
  total: number;
}

/**
 * Decides the action's place from the current bindings, before anything is written, so a position
 * out of range or a full trigger fails the command with the database untouched. `actionId` is
 * undefined for an action that does not exist yet.
 */
export function planBinding(
  current: readonly string[],
  actionId: string | undefined,
  request: BindRequest,
): BindingPlan {
  const index = actionId === undefined ? -1 : current.indexOf(actionId);
  const bound = index >= 0;
  const total = bound ? current.length : current.length + 1;
  if (request.at === 'none') {
    return { change: false, position: bound ? index + 1 : null, total: current.length };
  }
  if (request.at === 'end' && bound) return { change: false, position: index + 1, total };
  if (total > ACTION_LIMITS.bound)
    throw new DeployError(`post-login already has ${current.length} actions bound, the most it may have`);
  const position = request.at === 'end' ? total : request.at;
  if (position > total) {
    throw new DeployError(
      `--bind ${position}: post-login would have ${total} action${total === 1 ? '' : 's'}, so the position must be 1 to ${total}`,
    );
  }
  return { change: position !== index + 1, position, total };
}

/** The trigger's new order: the action moved (or inserted) at `position`, the others in their order. */
export function placeAt(current: readonly string[], actionId: string, position: number): string[] {
  const order = current.filter((id) => id !== actionId);
  order.splice(position - 1, 0, actionId);
  return order;
}
