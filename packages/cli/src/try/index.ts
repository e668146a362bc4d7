import * as oidc from 'openid-client';
import { DeployError } from '../deploy/deploy-error.ts';
import { reportFailure } from '../deploy/report.ts';
import { connectManagement } from '../first-run-management.ts';
import type { CliIo } from '../io.ts';
import { type CallbackServer, listenForCallback } from './callback-server.ts';
import { startLogin } from './login.ts';
import type { TryOptions } from './parse-args.ts';
import { resultPage, tryReport } from './report.ts';
import { ensureTryApp } from './try-app.ts';
import { ensureUser } from './try-user.ts';

/**
 * `tessera try`, Auth0's "Try" button from a terminal: Management API token from first-run.json →
 * local callback → the "Tessera Try" app → the user (--user) → print the authorization URL → wait for
 * the browser → redeem the code → print the tokens' claims. Exit code 0 logged in, 1 otherwise.
 */
export async function tryCommand(options: TryOptions, io: CliIo): Promise<number> {
  const report = tryReport(io, options.json);
  let callbacks: CallbackServer | undefined;
  try {
    const api = await connectManagement({ env: process.env, issuer: options.issuer });
    const state = oidc.randomState();
    callbacks = await listenForCallback(options.port, state).catch((error: NodeJS.ErrnoException) => {
      throw new DeployError(`cannot listen on 127.0.0.1:${options.port} for the callback (${error.code})`);
    });
    const app = await ensureTryApp(api, callbacks.url);
    const user =
      options.user === undefined ? undefined : await ensureUser(api, options.user, options.password);
    const login = await startLogin(api.issuer, app, callbacks.url, state, options.audience);
    report.waiting({ authorizeUrl: login.url, callback: callbacks.url, app, user });

    const callback = await callbacks.next();
    const result = await login.finish(callback.url);
    await callback.answer(resultPage(result));
    report.result(result);
    return result.ok ? 0 : 1;
  } catch (error) {
    return reportFailure(io, error);
  } finally {
    await callbacks?.close();
  }
}
