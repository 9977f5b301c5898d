import { useState } from 'preact/hooks';
import { apiKeyAuthorization, basicAuthorization, setAuthorization } from '../api';

/**
 * Shown when the API answers 401: an API key (`baton_...`, sent as a
 * bearer token) or a Basic user and password, kept for this tab only
 * (sessionStorage) and sent as the `Authorization` header of every call.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<'api-key' | 'basic'>('api-key');
  const [key, setKey] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  return (
    <main class="sign-in">
      <h1>Sign in</h1>
      <p>
        The API asks for credentials. They are kept in this browser tab only, until it is closed.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setAuthorization(
            mode === 'api-key' ? apiKeyAuthorization(key) : basicAuthorization(user, password),
          );
          onSignedIn();
        }}
      >
        <fieldset>
          <legend>With</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'api-key'}
              onChange={() => setMode('api-key')}
            />{' '}
            an API key
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
        {mode === 'api-key' ? (
          <label class="block">
            API key
            <input
              type="password"
              autocomplete="off"
              required
              placeholder="baton_…"
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
    </main>
  );
}
