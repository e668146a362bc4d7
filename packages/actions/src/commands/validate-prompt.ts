import { nonEmptyString, optionalObject } from './checks.ts';
import { cannotRedirect } from './validate-redirect.ts';
import type { Validator } from './validator.ts';
import { accept, refuse } from './validator.ts';

/**
 * `api.prompt.render(promptId, { vars })` shows a tenant form, so it needs a browser exactly like a
 * redirect does. (One interaction per action is enforced by the recorder for all pausing commands.)
 */
const render: Validator = ([promptId, options], state) => {
  if (!state.context.canRedirect) return cannotRedirect('api.prompt.render', state);
  const problem =
    nonEmptyString(promptId, 'api.prompt.render: promptId') ??
    optionalObject(options, 'api.prompt.render: promptOptions') ??
    optionalObject(
      (options as { vars?: unknown } | undefined)?.vars,
      'api.prompt.render: promptOptions.vars',
    );
  if (problem !== undefined) return refuse(problem);
  const vars = (options as { vars?: Record<string, unknown> } | undefined)?.vars ?? {};
  return accept({ type: 'prompt.render', promptId: promptId as string, vars });
};

export const promptValidators: Record<string, Validator> = { 'prompt.render': render };
