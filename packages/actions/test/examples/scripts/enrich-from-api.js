/**
 * Look the user up in the billing API and put their subscription tier in the ID token.
 * The API key is an action secret, never written in the code.
 */
exports.onExecutePostLogin = async (event, api) => {
  const response = await fetch(
    `${event.secrets.BILLING_API}/customers/${encodeURIComponent(event.user.user_id)}`,
    {
      headers: { Authorization: `Bearer ${event.secrets.API_KEY}`, Accept: 'application/json' },
    },
  );
  if (!response.ok) {
    console.log(`billing API answered ${response.status}; no tier claim`);
    return;
  }
  const customer = await response.json();
  api.idToken.setCustomClaim('https://my-app.example.com/tier', customer.tier);
};
