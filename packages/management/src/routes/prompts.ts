import type { ManagementApi, ManagementDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { listQuery } from '../query.ts';
import { BOOLEAN, EMPTY_OBJECT, object, offsetList, STRING } from '../responses.ts';
import { ANY_BODY, featureNotEnabled } from './unavailable.ts';

/**
 * Tessera's login pages as Auth0's prompt settings describe them: server-rendered pages (Auth0's
 * "new" Universal Login, not the classic Lock widget), the identifier and the password on one page
 * (not identifier-first), no passkey as first factor.
 */
export const PROMPT_SETTINGS = {
  universal_login_experience: 'new',
  identifier_first: false,
  webauthn_platform_first_factor: false,
} as const;

const SETTINGS = object({
  universal_login_experience: STRING,
  identifier_first: BOOLEAN,
  webauthn_platform_first_factor: BOOLEAN,
});
/** Custom text, partials, a screen's rendering: always the empty object here (nothing to leak). */
const NOTHING = { 200: EMPTY_OBJECT } as const;

const READ = { scopes: ['read:prompts'] };
const UPDATE = (audit: string) => ({ scopes: ['update:prompts'], audit });
// Auth0's prompt, screen and language names: validated by shape, there is nothing stored to look up.
const NAME = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' } as const;
const LANGUAGE = { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$' } as const;
const params = (properties: Record<string, object>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

/** An empty object changes nothing and is accepted (a tool writing back what it read); anything else is refused. */
const acceptNothing = (what: string) => async (request: { body: unknown }) => {
  const body = request.body;
  if (body !== undefined && body !== null && (typeof body !== 'object' || Object.keys(body).length > 0))
    throw featureNotEnabled(`${what} not available in Tessera`);
  return {};
};

/**
 * Auth0's `/prompts`: the settings answer what Tessera's pages are, and a PATCH may only say the
 * same. Custom text and partials answer empty (Tessera's pages have their own texts and no insertion
 * points), so Auth0's deploy CLI exports none; writing them back empty is accepted, writing any text
 * is refused. Advanced customization (rendering) lists no screen.
 */
export function promptRoutes(api: ManagementApi, _deps: ManagementDeps): void {
  api.get('/prompts', { config: READ, schema: { response: { 200: SETTINGS } } }, async () => PROMPT_SETTINGS);

  api.patch(
    '/prompts',
    {
      config: UPDATE('Update prompt settings'),
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            universal_login_experience: { type: 'string', enum: ['new', 'classic'] },
            identifier_first: { type: 'boolean' },
            webauthn_platform_first_factor: { type: 'boolean' },
          },
        },
        response: { 200: SETTINGS },
      },
    },
    async (request) => {
      const unlike = Object.entries(request.body).find(
        ([key, value]) => PROMPT_SETTINGS[key as keyof typeof PROMPT_SETTINGS] !== value,
      );
      if (unlike) {
        throw featureNotEnabled(
          `${unlike[0]} ${JSON.stringify(unlike[1])} is not available in Tessera, whose login page is ${JSON.stringify(PROMPT_SETTINGS)}`,
        );
      }
      return PROMPT_SETTINGS;
    },
  );

  const customText = '/prompts/:prompt/custom-text/:language';
  const textParams = params({ prompt: NAME, language: LANGUAGE });
  api.get(customText, { config: READ, schema: { params: textParams, response: NOTHING } }, async () => ({}));
  api.put(
    customText,
    {
      config: UPDATE('Set custom text for a prompt'),
      schema: { params: textParams, body: ANY_BODY, response: NOTHING },
    },
    acceptNothing('Custom text of the login pages is'),
  );

  const partials = '/prompts/:prompt/partials';
  const partialParams = params({ prompt: NAME });
  api.get(partials, { config: READ, schema: { params: partialParams, response: NOTHING } }, async () => ({}));
  api.put(
    partials,
    {
      config: UPDATE('Set partials for a prompt'),
      schema: { params: partialParams, body: ANY_BODY, response: NOTHING },
    },
    acceptNothing('Prompt partials are'),
  );

  api.get(
    '/prompts/rendering',
    {
      config: READ,
      schema: {
        querystring: listQuery(
          {
            prompt: NAME,
            screen: NAME,
            rendering_mode: { type: 'string', enum: ['advanced', 'standard'] },
          },
          { fields: true },
        ),
        response: { 200: offsetList('configs', EMPTY_OBJECT) },
      },
    },
    async (request) => {
      const { query } = request;
      if (!query.include_totals) return [];
      return { configs: [], start: query.page ?? 0, limit: query.per_page ?? 50, total: 0 };
    },
  );
  const noRendering = async () => {
    throw featureNotEnabled(
      'Advanced customization of the login pages (rendering) is not available in Tessera',
    );
  };
  api.patch(
    '/prompts/rendering',
    { config: UPDATE('Update rendering settings'), schema: { body: ANY_BODY, response: NOTHING } },
    noRendering,
  );
  const screen = '/prompts/:prompt/screen/:screen/rendering';
  const screenParams = params({ prompt: NAME, screen: NAME });
  api.get(screen, { config: READ, schema: { params: screenParams, response: NOTHING } }, async () => {
    throw new ApiError(404, 'not_found', 'No rendering settings: the login pages are rendered by Tessera.');
  });
  api.patch(
    screen,
    {
      config: UPDATE('Update rendering settings of a screen'),
      schema: { params: screenParams, body: ANY_BODY, response: NOTHING },
    },
    noRendering,
  );
}
