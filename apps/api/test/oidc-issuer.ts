import { createServer, type Server } from 'node:http';
import { jose, type CryptoKey, type JWTPayload } from '../../../libs/api/src/auth/jose';

const { exportJWK, generateKeyPair, SignJWT } = jose;

/**
 * A tiny OIDC issuer for tests, on a random loopback port: discovery
 * (`/.well-known/openid-configuration`), its JWKS, and a client-credentials
 * token endpoint (what Keycloak, Entra ID, Auth0 and Okta serve), signing
 * real RS256 tokens.
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
  close(): Promise<void>;
}

export async function startIssuer(audience: string): Promise<TestIssuer> {
  const published = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const clients = new Map<string, { secret: string; claims: JWTPayload }>();
  const hits: string[] = [];
  let issuer = '';
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
    if (path === '/realms/baton/.well-known/openid-configuration') {
      json(200, { issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs`, token_endpoint: `${issuer}/protocol/openid-connect/token` });
    } else if (path === '/realms/baton/protocol/openid-connect/certs') {
      json(200, { keys: [jwk] });
    } else if (path === '/realms/baton/protocol/openid-connect/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (c: Buffer) => (body += c.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
