import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { inexistent } from '../errors.ts';
import { idParams } from '../query.ts';
import { EMPTY_OBJECT, NO_CONTENT } from '../responses.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

/** The branding settings are the empty object; templates and themes never answer with content. */
const NOTHING = { response: { 200: EMPTY_OBJECT } } as const;

const READ = { scopes: ['read:branding'] };
const UPDATE = (audit: string) => ({ scopes: ['update:branding'], audit });
const DELETE = (audit: string) => ({ scopes: ['delete:branding'], audit });
const unavailable = (what: string) =>
  featureNotEnabled(`${what} not available in Tessera: its login pages have a fixed look`);
const notAvailable = (what: string) => async () => {
  throw unavailable(what);
};

/**
 * Auth0's `/branding`: Tessera's pages have no configurable look, so the settings are the empty
 * object Auth0 answers a tenant that set none (every field of Auth0's shape is optional), and a PATCH
 * may only say so; there is no Universal Login template (404, as Auth0 answers without one) and no
 * theme (404). Auth0's deploy CLI then exports `branding: {}` and no themes, and imports them back.
 */
export function brandingRoutes(api: ManagementApi, _deps: ManagementDeps): void {
  api.get('/branding', { config: READ, schema: NOTHING }, async () => ({}));
  api.patch(
    '/branding',
    { config: UPDATE('Update branding settings'), schema: { ...NOTHING, body: ANY_BODY } },
    async (request) => {
      const body = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Object.keys(body).length > 0))
        throw unavailable('Branding (logo, colors, font, favicon) is');
      return {};
    },
  );

  const template = '/branding/templates/universal-login';
  api.get(template, { config: READ, schema: NOTHING }, async () => {
    throw inexistent(
      'template',
      'There is no Universal Login template: the login pages are rendered by Tessera.',
    );
  });
  api.put(
    template,
    { config: UPDATE('Set the Universal Login template'), schema: { ...NOTHING, body: ANY_BODY } },
    notAvailable('A Universal Login template is'),
  );
  api.delete(
    template,
    { config: DELETE('Delete the Universal Login template'), schema: { response: NO_CONTENT } },
    async () => {
      throw inexistent('template', 'There is no Universal Login template.');
    },
  );

  const noTheme = async () => {
    throw inexistent('theme', 'There is no theme: the login pages have a fixed look.');
  };
  api.get('/branding/themes/default', { config: READ, schema: NOTHING }, noTheme);
  api.post(
    '/branding/themes',
    { config: UPDATE('Create a theme'), schema: { ...NOTHING, body: ANY_BODY } },
    notAvailable('Themes are'),
  );
  const theme = '/branding/themes/:id';
  api.get(theme, { config: READ, schema: { ...NOTHING, params: idParams() } }, noTheme);
  api.patch(
    theme,
    { config: UPDATE('Update a theme'), schema: { ...NOTHING, params: idParams(), body: ANY_BODY } },
    noTheme,
  );
  api.delete(
    theme,
    { config: DELETE('Delete a theme'), schema: { params: idParams(), response: NO_CONTENT } },
    noTheme,
  );
}
