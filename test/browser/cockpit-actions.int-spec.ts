import type { Browser, Page } from 'playwright-core';
import { fixture, startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { startIssuer, type TestIssuer } from '../../apps/api/test/oidc-issuer';
import { BATCH_QUEUE } from '@baton/host';
import { BatchProcessor, type BatchQueue } from '@baton/runtime';
import { ApiKeyService } from '../../libs/api/src/auth/api-keys';
import {
  consoleErrorsOf as pageErrors,
  criticalViolations,
  describeWithBrowser,
  launchChromium,
  screenshot,
} from './chromium';

/**
 * What the cockpit lets a user do, and what it offers whom: the actions a
 * caller may not take are absent (`GET /api/v1/me`), an instance started
 * from the process page, a variable edited on the instance page (bad JSON
 * named, nothing sent), and the poller's conditional GETs (304 while nothing
 * changed, the change shown without a reload). Needs the build and chromium
 * as cockpit.int-spec.ts does. SCREENSHOTS=<dir> saves the pages docs/cockpit.md shows.
 */

/** Console and page errors; besides 401s before sign-in, the 404 of a task without a form is an expected answer. */
const consoleErrorsOf = (page: Page): string[] =>
  pageErrors(page, [/^404 \(Not Found\) \S+\/api\/v1\/tasks\/\d+\/form$/]);

describeWithBrowser('the cockpit: hidden actions with AUTH=api-key (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;
  let admin: string;

  beforeAll(async () => {
    api = await startApi('cockpit_perms', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    browser = await launchChromium();
    admin = (
      await api.app
        .get(ApiKeyService)
        .create({ name: 'root', permissions: ['admin'], tenants: ['*'] })
    ).key;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const asAdmin = async (
    method: string,
    path: string,
    body?: unknown,
    type = 'application/json',
  ) => {
    const response = await fetch(`${api.origin}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': type },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  async function signIn(page: Page, key: string, principal: string): Promise<void> {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The header names the caller once `/me` answered: from here on, what is hidden is hidden for good.
    await page.locator('header .who', { hasText: principal }).waitFor({ timeout: 15_000 });
  }

  it('offers a read-only caller no action, and an operator every one', async () => {
    expect(
      (await asAdmin('POST', '/processes', fixture('tasks/service-task.bpmn'), 'application/xml'))
        .status,
    ).toBe(201);
    expect(
      (await asAdmin('POST', '/processes', fixture('tasks/user-task.bpmn'), 'application/xml'))
        .status,
    ).toBe(201);
    const started = await asAdmin('POST', '/processes/service-task/instances', {
      variables: { amount: 5 },
    });
    const tasked = await asAdmin('POST', '/processes/user-task/instances', {
      variables: { owner: 'anna' },
    });
    expect([started.status, tasked.status]).toEqual([201, 201]);
    await api.drain();
    const id = started.body.id as string;
    // An incident: the job fails with no retries left.
    const job = await asAdmin('POST', '/jobs/activate', {
      type: 'charge-card',
      workerId: 'w',
      maxJobs: 1,
      lockDurationMs: 60_000,
    });
    expect(
      (
        await asAdmin('POST', `/jobs/${job.body.jobs[0].id}/fail`, {
          workerId: 'w',
          errorMessage: 'declined',
          retries: 0,
        })
      ).status,
    ).toBe(204);
    await api.drain();
    const task = (await asAdmin('GET', `/tasks?instanceId=${tasked.body.id}`)).body.items[0]
      .id as string;

    const keys = api.app.get(ApiKeyService);
    const reader = (await keys.create({ name: 'reader', permissions: ['read'], tenants: ['*'] }))
      .key;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = consoleErrorsOf(page);
    await page.goto(`${api.origin}/cockpit/#/processes`);
    await signIn(page, reader, 'reader');

    const absent = async (what: string, locator: ReturnType<Page['locator']>) =>
      expect({ what, count: await locator.count() }).toEqual({ what, count: 0 });

    // Processes: no drop zone.
    await page
      .locator('table tbody tr a', { hasText: /^service-task$/ })
      .waitFor({ timeout: 15_000 });
    await absent('drop zone', page.getByTestId('drop-zone'));
    // A process: no "Start instance".
    await page.goto(`${api.origin}/cockpit/#/processes/service-task`);
    await page.locator('.djs-element[data-element-id="charge"]').waitFor({ timeout: 15_000 });
    await absent('start', page.getByText('Start instance'));
    // The instance: its incident, variables and status, but no action.
    await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
    await page.locator('table.incidents tbody tr').waitFor({ timeout: 15_000 });
    await page.locator('table.variables').waitFor({ timeout: 15_000 });
    for (const name of ['Cancel', 'Suspend', 'Resume', 'Resolve', 'Edit amount'])
      await absent(name, page.getByRole('button', { name, exact: true }));
    expect(await page.locator('table.variables tbody td').allInnerTexts()).toEqual(['amount', '5']);
    // The instance list: no bulk action.
    await page.goto(`${api.origin}/cockpit/#/instances`);
    await page.locator(`tr[data-instance-id="${id}"]`).waitFor({ timeout: 15_000 });
    await absent('bulk action', page.getByRole('form', { name: 'Bulk action' }));
    // Waiting work: the incident group without "Retry all".
    await page.goto(`${api.origin}/cockpit/#/waiting?tab=incidents`);
    await page
      .getByRole('table', { name: 'Incident groups' })
      .locator('tbody tr')
      .waitFor({ timeout: 15_000 });
    await absent('retry all', page.getByRole('button', { name: 'Retry all in this group' }));
    // A task: shown, but neither claimed nor completed from here.
    await page.goto(`${api.origin}/cockpit/#/tasks?task=${task}`);
    const panel = page.getByRole('complementary', { name: 'Task Approve order' });
    await panel
      .locator('p.hint', { hasText: 'needs the permission tasks' })
      .waitFor({ timeout: 15_000 });
    for (const name of ['Claim', 'Unclaim', 'Complete'])
      await absent(name, panel.getByRole('button', { name, exact: true }));
    expect(await criticalViolations(page)).toEqual([]);

    // The same pages for an operator: every action is there.
    const operator = (
      await keys.create({
        name: 'operator',
        permissions: ['read', 'operate', 'tasks', 'deploy', 'start:service-task'],
        tenants: ['*'],
      })
    ).key;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, operator, 'operator');
    await panel.getByRole('button', { name: 'Claim', exact: true }).waitFor({ timeout: 15_000 });
    await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor({ timeout: 15_000 });
    for (const name of ['Cancel', 'Suspend', 'Edit amount'])
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(1);
    await page.goto(`${api.origin}/cockpit/#/processes/service-task`);
    await page.getByText('Start instance').waitFor({ timeout: 15_000 });
    await page.goto(`${api.origin}/cockpit/#/instances`);
    await page.getByRole('form', { name: 'Bulk action' }).waitFor({ timeout: 15_000 });
    // start:service-task holds start for that process only.
    await page.goto(`${api.origin}/cockpit/#/processes/user-task`);
    await page.locator('.djs-element[data-element-id="approve"]').waitFor({ timeout: 15_000 });
    await absent('start of another process', page.getByText('Start instance'));
    await page.goto(`${api.origin}/cockpit/#/processes`);
    await page.getByTestId('drop-zone').waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

describeWithBrowser(
  'the cockpit: start an instance, edit a variable, live by ETag (chromium)',
  () => {
    let api: ApiHarness;
    let browser: Browser;

    beforeAll(async () => {
      api = await startApi('cockpit_actions');
      browser = await launchChromium();
      const deployed = await api.api('/processes', xmlPost(fixture('tasks/service-task.bpmn')));
      expect(deployed.status).toBe(201);
      // The worker's batch loop, as the embedded composition runs it (the bulk action's batches).
      const processor = api.app.get(BatchProcessor);
      api.app.get<BatchQueue>(BATCH_QUEUE).consume(async (chunk) => {
        await processor.process(chunk);
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await api?.close();
    });

    it('starts an instance from the process page and edits its variable, refusing bad JSON', async () => {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors = consoleErrorsOf(page);
      await page.goto(`${api.origin}/cockpit/#/processes/service-task`);
      await page.locator('.djs-element[data-element-id="charge"]').waitFor({ timeout: 15_000 });

      await page.getByText('Start instance').click();
      const form = page.getByRole('form', { name: 'Start instance' });
      await form.getByLabel('Business key (optional)').fill('order-77');
      const variables = form.getByLabel('Variables (a JSON object)');
      // Not JSON, then not an object: named in the form, nothing started.
      await variables.fill('{ amount: 150 }');
      await form.getByRole('button', { name: 'Start' }).click();
      await form
        .getByRole('alert')
        .filter({ hasText: /^Variables: not JSON: / })
        .waitFor({ timeout: 15_000 });
      await variables.fill('[150]');
      await form.getByRole('button', { name: 'Start' }).click();
      await form
        .getByRole('alert')
        .filter({ hasText: 'Variables: must be a JSON object' })
        .waitFor({ timeout: 15_000 });
      expect((await api.json('GET', '/instances?processKey=service-task')).body.items).toEqual([]);
      expect(await criticalViolations(page)).toEqual([]);
      await screenshot(page, 'start-instance');

      await variables.fill('{ "amount": 150, "items": ["book"] }');
      await form.getByRole('button', { name: 'Start' }).click();
      await page.waitForURL(/#\/instances\/\d+$/, { timeout: 15_000 });
      const id = page.url().split('/').at(-1) as string;
      const started = await api.json('GET', `/instances/${id}`);
      expect(started.body).toMatchObject({
        processKey: 'service-task',
        version: 1,
        businessKey: 'order-77',
        variables: { amount: 150, items: ['book'] },
      });
      await api.drain();

      // The instance page: the token arrives on `charge` without a reload.
      await page.locator('.baton-token[data-element-id="charge"]').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Edit amount' }).click();
      const editor = page.getByRole('form', { name: 'Edit amount' });
      const value = editor.getByLabel('New value of amount (JSON)');
      expect(await value.inputValue()).toBe('150');
      await value.fill('15O');
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor
        .getByRole('alert')
        .filter({ hasText: /^amount: not JSON: / })
        .waitFor({ timeout: 15_000 });
      expect((await api.json('GET', `/instances/${id}`)).body.variables.amount).toBe(150);
      expect(await criticalViolations(page)).toEqual([]);
      await screenshot(page, 'edit-variable');

      await value.fill('{ "net": 99.5 }');
      await editor.getByRole('button', { name: 'Save' }).click();
      await editor.waitFor({ state: 'detached', timeout: 15_000 });
      expect((await api.json('GET', `/instances/${id}`)).body.variables).toEqual({
        amount: { net: 99.5 },
        items: ['book'],
      });
      const amountCell = page
        .locator('table.variables tbody tr', { has: page.locator('code', { hasText: /^amount$/ }) })
        .locator('pre');
      expect(JSON.parse(await amountCell.innerText())).toEqual({ net: 99.5 });
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it('cancels every instance the list filter matches as one batch, its progress shown to the end', async () => {
      expect((await api.api('/processes', xmlPost(fixture('tasks/user-task.bpmn')))).status).toBe(
        201,
      );
      const start = async (processKey: string) => {
        const r = await api.json('POST', `/processes/${processKey}/instances`, {});
        expect(r.status).toBe(201);
        return r.body.id as string;
      };
      const targets = [await start('user-task'), await start('user-task'), await start('user-task')];
      const bystander = await start('service-task');
      await api.drain();

      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors = consoleErrorsOf(page);
      await page.goto(`${api.origin}/cockpit/#/instances?processKey=user-task&status=ACTIVE`);
      await page.locator(`tr[data-instance-id="${targets[0]}"]`).waitFor({ timeout: 15_000 });
      const bulk = page.getByRole('form', { name: 'Bulk action' });
      await bulk.getByLabel('Bulk action').selectOption({ label: 'Cancel' });
      // The confirmation names the action and the filter; dismissed, nothing is sent.
      const asked: string[] = [];
      page.once('dialog', (d) => {
        asked.push(d.message());
        void d.dismiss();
      });
      await bulk.getByRole('button', { name: 'Apply to all matching' }).click();
      for (let i = 0; i < 50 && asked.length === 0; i++) await page.waitForTimeout(100);
      expect(asked).toEqual([
        'Cancel: every instance matching processKey: user-task, status: ACTIVE? This runs as a batch operation and cannot be undone.',
      ]);
      expect((await api.json('GET', '/batches')).body.items).toEqual([]);

      page.once('dialog', (d) => void d.accept());
      await bulk.getByRole('button', { name: 'Apply to all matching' }).click();
      const panel = page.locator('section.batch');
      await panel.locator('.status', { hasText: /^COMPLETED$/ }).waitFor({ timeout: 20_000 });
      expect(await panel.locator('.progress-text').innerText()).toBe('3 of 3');
      await screenshot(page, 'bulk-action');
      await api.drain();
      for (const id of targets)
        expect((await api.json('GET', `/instances/${id}`)).body.status).toBe('CANCELED');
      expect((await api.json('GET', `/instances/${bystander}`)).body.status).toBe('ACTIVE');

      // The batches page lists it, with what it covered.
      await page.getByRole('link', { name: 'Batches' }).click();
      const row = page.locator('table.batches tbody tr');
      await row.first().waitFor({ timeout: 15_000 });
      expect(await row.count()).toBe(1);
      expect(await row.locator('td').allInnerTexts()).toEqual([
        expect.stringMatching(/^\d+$/),
        'Cancel',
        'processKey: user-task, status: ACTIVE',
        'COMPLETED',
        '3 of 3',
        expect.any(String),
      ]);
      expect(await criticalViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);

    it('polls with If-None-Match: 304 while the instance is idle, the change shown without a reload', async () => {
      const started = await api.json('POST', '/processes/service-task/instances', {
        variables: { n: 1 },
      });
      await api.drain();
      const id = started.body.id as string;
      const page = await browser.newPage();
      const answers: { path: string; status: number; tagged: boolean }[] = [];
      page.on('response', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/api/v1/') && r.request().method() === 'GET')
          answers.push({
            path: url.pathname,
            status: r.status(),
            tagged: r.request().headers()['if-none-match'] !== undefined,
          });
      });
      await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
      await page.locator('table.variables').waitFor({ timeout: 15_000 });
      // Two polls (every 3 s) of an idle instance: every poll is conditional, and answered 304.
      await page.waitForTimeout(6_500);
      const polls = answers.filter((a) => a.path === `/api/v1/instances/${id}` && a.tagged);
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(new Set(polls.map((a) => a.status))).toEqual(new Set([304]));

      // A change made elsewhere: the next poll gets 200 and the page shows it.
      expect(
        (await api.json('PATCH', `/instances/${id}/variables`, { variables: { n: 2 } })).status,
      ).toBe(200);
      await page
        .locator('table.variables tbody td pre', { hasText: /^2$/ })
        .waitFor({ timeout: 10_000 });
      expect(
        answers.filter((a) => a.path === `/api/v1/instances/${id}` && a.tagged && a.status === 200)
          .length,
      ).toBe(1);
      await page.close();
    }, 45_000);
  },
);

describeWithBrowser('the cockpit: sign-in at the identity provider (OIDC code flow with PKCE)', () => {
  let issuer: TestIssuer;
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    issuer = await startIssuer('baton-api');
    api = await startApi('cockpit_oidc', {
      AUTH: 'oidc',
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: 'baton-api',
      OIDC_CLIENT_ID: 'cockpit',
      OIDC_PRINCIPAL_CLAIM: 'preferred_username,sub',
      OIDC_PERMISSIONS_CLAIM: 'roles',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    issuer.publicClients.set('cockpit', [`${api.origin}/cockpit/`]);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await issuer?.close();
  });

  it('signs in through the issuer and comes back to the page it left, the token sent on every call', async () => {
    const options = await fetch(`${api.origin}/api/v1/sign-in`);
    expect(options.status).toBe(200);
    expect(await options.json()).toEqual({
      methods: ['oidc'],
      oidc: {
        issuer: issuer.issuer,
        clientId: 'cockpit',
        scopes: 'openid profile',
        audience: 'baton-api',
        authorizationEndpoint: `${issuer.issuer}/protocol/openid-connect/auth`,
        tokenEndpoint: `${issuer.issuer}/protocol/openid-connect/token`,
      },
      oidcUnavailable: null,
    });
    issuer.loginAs = { sub: 'u-7', preferred_username: 'olga', roles: ['read', 'operate'] };

    const page = await browser.newPage();
    const errors = consoleErrorsOf(page);
    const sentToIssuer: URL[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${issuer.issuer}/protocol/openid-connect/auth`)) sentToIssuer.push(new URL(r.url()));
    });
    await page.goto(`${api.origin}/cockpit/#/instances?status=ACTIVE`);
    const button = page.getByRole('button', { name: `Sign in with ${new URL(issuer.issuer).host}` });
    await button.waitFor({ timeout: 15_000 });
    // AUTH=oidc alone: no key or password form beside it.
    expect(await page.getByRole('form', { name: 'Sign in with credentials' }).count()).toBe(0);
    expect(await criticalViolations(page)).toEqual([]);
    await button.click();

    await page.locator('header .who', { hasText: 'olga' }).waitFor({ timeout: 15_000 });
    // Back where it was, the code gone from the address.
    expect(page.url()).toBe(`${api.origin}/cockpit/#/instances?status=ACTIVE`);
    await page.getByRole('form', { name: 'Bulk action' }).waitFor({ timeout: 15_000 });
    expect(sentToIssuer).toHaveLength(1);
    const asked = Object.fromEntries(sentToIssuer[0].searchParams);
    expect(asked).toEqual({
      response_type: 'code',
      client_id: 'cockpit',
      redirect_uri: `${api.origin}/cockpit/`,
      scope: 'openid profile',
      state: expect.stringMatching(/^[\w-]{22}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
      audience: 'baton-api',
    });
    // The issuer exchanged the code only for the verifier of that challenge: nothing was refused.
    expect(issuer.refusals).toEqual([]);
    const kept = await page.evaluate<string | null>("sessionStorage.getItem('baton.cockpit.authorization')");
    expect(kept).toMatch(/^Bearer ey/);
    const me = await fetch(`${api.origin}/api/v1/me`, { headers: { authorization: kept as string } });
    expect(await me.json()).toMatchObject({ principal: 'olga', via: 'oidc', permissions: ['operate', 'read'] });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('refuses an answer it did not ask for and says why on the sign-in page', async () => {
    const page = await browser.newPage();
    await page.goto(`${api.origin}/cockpit/?code=stolen&state=forged#/processes`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'no sign-in was under way in this tab' })
      .waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${api.origin}/cockpit/#/processes`);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('baton.cockpit.authorization')")).toBeNull();
    await page.close();
  }, 30_000);
});
