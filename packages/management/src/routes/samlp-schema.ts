/**
 * Auth0's `addons.samlp` settings (the SAML2 Web App add-on), stored with the client for the SAML
 * identity provider to read. Unknown keys are refused rather than kept: a misspelt setting
 * (`signatureAlgoritm`) would otherwise be silently ignored and the app signed with the default.
 */
const text = { type: 'string', maxLength: 2048 } as const;

export const SAMLP_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    audience: text,
    recipient: text,
    issuer: text,
    destination: text,
    // Claim URI → SAML attribute name(s).
    mappings: {
      type: 'object',
      maxProperties: 100,
      additionalProperties: { type: 'string', maxLength: 1024 },
    },
    createUpnClaim: { type: 'boolean' },
    passthroughClaimsWithNoMapping: { type: 'boolean' },
    mapUnknownClaimsAsIs: { type: 'boolean' },
    mapIdentities: { type: 'boolean' },
    signatureAlgorithm: { type: 'string', enum: ['rsa-sha256', 'rsa-sha1'] },
    digestAlgorithm: { type: 'string', enum: ['sha256', 'sha1'] },
    lifetimeInSeconds: { type: 'integer', minimum: 1, maximum: 2_592_000 },
    signResponse: { type: 'boolean' },
    nameIdentifierFormat: text,
    nameIdentifierProbes: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 1024 } },
    authnContextClassRef: text,
    typedAttributes: { type: 'boolean' },
    includeAttributeNameFormat: { type: 'boolean' },
    logout: {
      type: 'object',
      additionalProperties: false,
      properties: { callback: text, slo_enabled: { type: 'boolean' } },
    },
    binding: text,
    // A PEM certificate (the SP's, to verify its signed requests).
    signingCert: { type: 'string', maxLength: 16_384 },
  },
} as const;
