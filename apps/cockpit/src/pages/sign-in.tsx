import { useEffect, useState } from 'preact/hooks';
import {
  apiKeyAuthorization,
  basicAuthorization,
  setAuthorization,
  signInOptions,
  startOidcSignIn,
  takeOidcFailure,
  type SignInOptions,
} from '../api';
import { ErrorLine } from './common';

/** What the page offers when the API cannot say (an older server): a key or a user. */
const FALLBACK: SignInOptions = { methods: ['api-key', 'basic'], oidc: null, oidcUnavailable: null };

/**
 * Shown when the API answers 401, offering what AUTH accepts
 * (`GET /api/v1/sign-in`): the identity provider's sign-in page (OIDC, the
 * authorization code flow with PKCE, when OIDC_CLIENT_ID names the cockpit's
 * client), an API key (`baton_...`, sent as a bearer token) or a Basic user
 * and password. Credentials are kept for this tab only (sessionStorage) and
 * sent as the `Authorization` header of every call.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [options, setOptions] = useState<SignInOptions | undefined>();
  const [mode, setMode] = useState<'api-key' | 'basic'>('api-key');
  const [key, setKey] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [failure] = useState(() => takeOidcFailure());
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    signInOptions().then(
      (o) => {
        setOptions(o);
        if (!o.methods.includes('api-key') && o.methods.includes('basic')) setMode('basic');
      },
      () => setOptions(FALLBACK),
    );
  }, []);
  if (options === undefined) return <main class="sign-in" aria-busy="true" />;
  const withKey = options.methods.includes('api-key');
  // OIDC without the cockpit's client: a token obtained elsewhere can still be pasted.
  const withToken = !withKey && options.methods.includes('oidc') && options.oidc === null;
  const withBasic = options.methods.includes('basic');
  const tokenLabel = withKey ? 'API key' : 'Access token';
  const field = withKey || withToken ? 'api-key' : 'basic';
  const shown = (withKey || withToken) && withBasic ? mode : field;
  const oidc = options.oidc;
  return (
    <main class="sign-in">
      <h1>Sign in</h1>
      <p>
        The API asks for credentials. They are kept in this browser tab only, until it is closed.
      </p>
      {failure !== null && (
        <p class="error" role="alert">
          Sign-in with the identity provider failed: {failure}
        </p>
      )}
      {oidc !== null && (
        <p>
          <button
            type="button"
            onClick={() => {
              setError(undefined);
              startOidcSignIn(oidc).catch(setError);
            }}
          >
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </p>
      )}
      {options.oidcUnavailable !== null && (
        <p class="error" role="alert">
          Sign-in with the identity provider is not possible now: {options.oidcUnavailable}
        </p>
      )}
      <ErrorLine error={error} />
      {(withKey || withToken || withBasic) && (
        <form
          aria-label="Sign in with credentials"
          onSubmit={(e) => {
            e.preventDefault();
            setAuthorization(
              shown === 'api-key' ? apiKeyAuthorization(key) : basicAuthorization(user, password),
            );
            onSignedIn();
          }}
        >
          {(withKey || withToken) && withBasic && (
            <fieldset>
              <legend>With</legend>
              <label>
                <input
                  type="radio"
                  name="mode"
                  checked={mode === 'api-key'}
                  onChange={() => setMode('api-key')}
                />{' '}
                {withKey ? 'an API key' : 'an access token'}
              </label>
              <label>
                <input
                  type="radio"
                  name="mode"
                  checked={mode === 'basic'}
                  onChange={() => setMode('basic')}
                />{' '}
                a user and password
              </label>
            </fieldset>
          )}
          {shown === 'api-key' ? (
            <label class="block">
              {tokenLabel}
              <input
                type="password"
                autocomplete="off"
                required
                placeholder={withKey ? 'baton_…' : ''}
                value={key}
                onInput={(e) => setKey(e.currentTarget.value)}
              />
            </label>
          ) : (
            <>
              <label class="block">
                User
                <input
                  autocomplete="username"
                  required
                  value={user}
                  onInput={(e) => setUser(e.currentTarget.value)}
                />
              </label>
              <label class="block">
                Password
                <input
                  type="password"
                  autocomplete="current-password"
                  required
                  value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)}
                />
              </label>
            </>
          )}
          <button type="submit">Sign in</button>
        </form>
      )}
    </main>
  );
}
