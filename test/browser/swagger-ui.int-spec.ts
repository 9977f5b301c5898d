import type { Browser } from 'playwright-core';
import { repoFile, startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { describeWithBrowser, launchChromium } from './chromium';

/**
 * The API page as a user meets it: Swagger UI at /api/docs in a real browser
 * (Debian's chromium, driven by playwright-core), "Try it out" on
 * start-instance with the path parameter and the body filled in, and the
 * answer the page shows. .ci/run installs chromium; without it this suite
 * says so and skips.
 */

describeWithBrowser('Swagger UI at /api/docs (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    api = await startApi('swagger_ui');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('runs "Try it out" on start-instance and shows the 201 with the new instance', async () => {
    const processId = 'R1';
    const deployed = await api.api('/processes', xmlPost(repoFile('bench/processes/r1-exclusive-script.bpmn')));
    expect(deployed.status).toBe(201);

    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    await page.goto(`${api.origin}/api/docs`);
    const operation = page.locator('.opblock-post', {
      has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/processes\/\{key\}\/instances$/ }),
    });
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.locator('tr[data-param-name="key"] input').fill(processId);
    await operation.locator('textarea.body-param__text').fill('{"variables":{"amount":150}}');
    await operation.getByRole('button', { name: 'Execute' }).click();

    const live = operation.locator('.live-responses-table .response');
    await live.first().waitFor({ timeout: 15_000 });
    expect((await live.first().locator('.response-col_status').innerText()).trim()).toBe('201');
    const shown = JSON.parse(await live.first().locator('.response-col_description pre.microlight').first().innerText()) as {
      id: string;
      processKey: string;
    };
    expect(shown.processKey).toBe(processId);
    // The instance the page started is really there.
    const instance = await api.json('GET', `/instances/${shown.id}`);
    expect(instance.status).toBe(200);
    expect(instance.body.variables).toEqual(expect.objectContaining({ amount: 150 }));
    // Content-Security-Policy let the page do all of that: nothing it loads was refused.
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
});
