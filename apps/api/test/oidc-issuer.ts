import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { jose, type CryptoKey, type JWTPayload } from '../../../libs/api/src/auth/jose';

const { exportJWK, generateKeyPair, SignJWT } = jose;

/**
 * A tiny OIDC issuer for tests, on a random loopback port: discovery
 * (`/.well-known/openid-configuration`), its JWKS, a client-credentials
 * token endpoint (what Keycloak, Entra ID, Auth0 and Okta serve), signing
 * real RS256 tokens, and the authorization code flow with PKCE for public
 * clients: `/auth` signs the user `loginAs` in without a page and redirects
 * back with a code, which the token endpoint exchanges only with the
 * verifier whose S256 challenge came with it.
 */
export interface TestIssuer {
  readonly issuer: string;
  readonly tokenUrl: string;
  /** A token signed with the published key; `claims` override the defaults. */
  sign(claims: JWTPayload, options?: { expiresIn?: string | number; key?: 'published' | 'other'; issuer?: string }): Promise<string>;
  /** Client-credentials clients the token endpoint knows: id -> secret and the claims of its tokens. */
  readonly clients: Map<string, { secret: string; claims: JWTPayload }>;
  /** Requests the issuer served, by path. */
  readonly hits: string[];
  /** Public clients of the code flow: id -> the redirect URIs it may use. */
  readonly publicClients: Map<string, string[]>;
  /** The claims of the user `/auth` signs in (it asks nothing). */
  loginAs: JWTPayload;
  /** Refusals of the code flow, as the issuer's error codes (`invalid_grant`: a wrong verifier, ...). */
  readonly refusals: string[];
  close(): Promise<void>;
}

export async function startIssuer(audience: string): Promise<TestIssuer> {
  const published = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const clients = new Map<string, { secret: string; claims: JWTPayload }>();
  const hits: string[] = [];
  const publicClients = new Map<string, string[]>();
  const refusals: string[] = [];
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string; claims: JWTPayload }>();
  let issuer = '';
  const state = { loginAs: { sub: 'user-1' } as JWTPayload };
  const sign = async (
    claims: JWTPayload,
    options: { expiresIn?: string | number; key?: 'published' | 'other'; issuer?: string } = {},
  ): Promise<string> => {
    const key: CryptoKey = options.key === 'other' ? other.privateKey : published.privateKey;
    return new SignJWT({ aud: audience, sub: 'user-1', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(options.issuer ?? issuer)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(key);
  };
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    hits.push(path);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const refuse = (status: number, error: string) => {
      refusals.push(error);
      response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify({ error }));
    };
    if (path === '/realms/baton/.well-known/openid-configuration') {
      json(200, {
        issuer,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
        code_challenge_methods_supported: ['S256'],
      });
    } else if (path === '/realms/baton/protocol/openid-connect/auth' && request.method === 'GET') {
      const query = new URL(request.url ?? '', 'http://issuer').searchParams;
      const clientId = query.get('client_id') ?? '';
      const redirectUri = query.get('redirect_uri') ?? '';
      if (!(publicClients.get(clientId) ?? []).includes(redirectUri)) return refuse(400, 'invalid_redirect_uri');
      if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
        return refuse(400, 'invalid_request');
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { clientId, redirectUri, challenge: query.get('code_challenge') ?? '', claims: { ...state.loginAs } });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      response.writeHead(302, { location: back.toString() });
      response.end();
    } else if (path === '/realms/baton/protocol/openid-connect/token' && request.method === 'OPTIONS') {
      response.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
      response.end();
    } else if (path === '/realms/baton/protocol/openid-connect/token' && request.method === 'POST' && !(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      refuse(400, 'invalid_request');
    } else if (path === '/realms/baton/protocol/openid-connect/certs') {
      json(200, { keys: [jwk] });
    } else if (path === '/realms/baton/protocol/openid-connect/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') === 'authorization_code') {
          const granted = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          if (
            granted === undefined ||
            granted.clientId !== form.get('client_id') ||
            granted.redirectUri !== form.get('redirect_uri') ||
            createHash('sha256').update(verifier).digest('base64url') !== granted.challenge
          ) {
            refuse(400, 'invalid_grant');
            return;
          }
          void sign({ azp: granted.clientId, ...granted.claims }).then((token) => {
            response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
            response.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 }));
          });
          return;
        }
        const client = clients.get(form.get('client_id') ?? '');
        if (form.get('grant_type') !== 'client_credentials' || client === undefined || client.secret !== form.get('client_secret')) {
          json(401, { error: 'invalid_client' });
          return;
        }
        void sign({ azp: form.get('client_id') ?? '', sub: `service-account-${form.get('client_id')}`, ...client.claims }).then((token) =>
          json(200, { access_token: token, token_type: 'Bearer', expires_in: 300 }),
        );
      });
    } else {
      json(404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/baton`;
  return {
    issuer,
    tokenUrl: `${issuer}/protocol/openid-connect/token`,
    sign,
    clients,
    hits,
    publicClients,
    refusals,
    get loginAs() {
      return state.loginAs;
    },
    set loginAs(claims: JWTPayload) {
      state.loginAs = claims;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
