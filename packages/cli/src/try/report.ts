import type { CliIo } from '../io.ts';
import type { Page } from './callback-server.ts';
import type { LoginResult } from './login.ts';
import { TRY_APP_NAME, type TryApp } from './try-app.ts';
import type { TryUser } from './try-user.ts';

export interface Waiting {
  authorizeUrl: URL;
  callback: string;
  app: TryApp;
  user: TryUser | undefined;
}

/**
 * What `try` prints: in text, lines for a person; with `--json`, one JSON object per line, first
 * `{ "type": "authorize", … }` (a script reads the URL from it) and then `{ "type": "tokens", … }` or
 * `{ "type": "error", … }`.
 */
export function tryReport(io: CliIo, json: boolean) {
  const line = (value: object) => io.stdout(`${JSON.stringify(value)}\n`);
  return {
    waiting({ authorizeUrl, callback, app, user }: Waiting) {
      if (json) {
        line({
          type: 'authorize',
          authorize_url: authorizeUrl.href,
          callback,
          client_id: app.clientId,
          app_created: app.created,
          ...(user ? { user: { email: user.email, password: user.password, created: user.created } } : {}),
        });
        return;
      }
      io.stdout(
        `${app.created ? 'Created' : 'Using'} the application "${TRY_APP_NAME}" (client_id ${app.clientId}), ` +
          `callback ${callback}\n`,
      );
      if (user) io.stdout(`${userLine(user)}\n`);
      io.stdout(`\nOpen this URL in a browser and log in:\n\n  ${authorizeUrl.href}\n\n`);
      io.stdout(`Waiting for the browser to come back to ${callback} (Ctrl+C to give up)…\n`);
    },
    result(result: LoginResult) {
      if (json) {
        line(
          result.ok
            ? {
                type: 'tokens',
                id_token: result.idToken,
                access_token: result.accessToken,
                scope: result.scope,
              }
            : { type: 'error', error: result.error, error_description: result.errorDescription ?? null },
        );
      }
      if (!result.ok) {
        io.stderr(
          `tessera: the login ended with ${result.error}: ${result.errorDescription ?? '(no description)'}\n`,
        );
        return;
      }
      if (json) return;
      io.stdout(`\nLogged in. ID token claims:\n${pretty(result.idToken)}\n`);
      io.stdout(
        `Access token claims${result.scope ? ` (scope ${result.scope})` : ''}:\n` +
          `${result.accessToken ? pretty(result.accessToken) : '(an opaque token: no claims to show)'}\n`,
      );
    },
  };
}

/** What the browser is shown at the callback once the command has the answer. */
export function resultPage(result: LoginResult): Page {
  return result.ok
    ? { title: 'Logged in', lines: ['The tokens are printed in your terminal. You can close this tab.'] }
    : {
        title: 'Login failed',
        lines: [`${result.error}: ${result.errorDescription ?? ''}`, 'You can close this tab.'],
      };
}

function userLine(user: TryUser): string {
  if (!user.created) return `User ${user.email} exists: log in with its password (unchanged)`;
  return `Created the user ${user.email} with the password ${user.password}`;
}

const pretty = (claims: Record<string, unknown>) => JSON.stringify(claims, null, 2);
