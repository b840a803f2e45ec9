// A real OpenID provider (panva's oidc-provider) for the tests, on 127.0.0.1.
//
//   node oidc-provider.mjs PORT CLIENTS_JSON [AUTH_METHOD]
//
// CLIENTS_JSON: [{client_id, client_secret, redirect_uris}], each registered with
// AUTH_METHOD (client_secret_basic, the default, or client_secret_post), the only method the
// provider then offers in its discovery document. Sign in on its page with one of ACCOUNTS'
// names (any password): the development interactions of oidc-provider, consent pre-granted.
import Provider from 'oidc-provider';

const [port, clientsJson, authMethod = 'client_secret_basic'] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  dana: {
    email: 'dana@mercy.example.org', email_verified: true,
    name: 'Dana Reyes', department: 'Gynecologic Oncology',
  },
  sam: {
    email: 'sam@mercy.example.org', email_verified: false,
    name: 'Sam Unverified',
  },
};

const clients = JSON.parse(clientsJson).map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: authMethod,
  ...client,
}));

const provider = new Provider(issuer, {
  clients,
  clientAuthMethods: [authMethod],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'department'],
  },
  pkce: { required: () => true },
  cookies: { keys: ['champion-tests-only'] },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id, // the subject: the login name, stable for the provider's lifetime
      async claims() { return { sub: id, ...account }; },
    };
  },
  // A first-party application: the consent screen is skipped, as hospitals configure it.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'department']);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
