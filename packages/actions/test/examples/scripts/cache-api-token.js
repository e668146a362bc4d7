/**
 * Call a partner API with a machine-to-machine token, reusing the token across logins through
 * api.cache instead of asking the token endpoint every time.
 */
async function getAccessToken(event, api) {
  const cached = api.cache.get('partner_api_token');
  if (cached) {
    return cached.value;
  }
  const response = await fetch(`${event.secrets.PARTNER_API}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: event.secrets.CLIENT_ID,
      client_secret: event.secrets.CLIENT_SECRET,
      audience: 'https://partner.example.com/api',
    }),
  });
  const { access_token, expires_in } = await response.json();
  // Keep a minute of margin so a cached token never expires mid-call.
  const result = api.cache.set('partner_api_token', access_token, { ttl: (expires_in - 60) * 1000 });
  if (result.type === 'error') {
    console.log(`could not cache the token: ${result.code}`);
  }
  return access_token;
}

exports.onExecutePostLogin = async (event, api) => {
  const token = await getAccessToken(event, api);
  const response = await fetch(
    `${event.secrets.PARTNER_API}/loyalty/${encodeURIComponent(event.user.email)}`,
    {
      headers: { Authorization: `Bearer ${token}` },
    },
  );
  const { points } = await response.json();
  api.idToken.setCustomClaim('https://my-app.example.com/loyalty_points', points);
};
