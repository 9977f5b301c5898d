import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { fixture, startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { ApiKeyService } from '../../libs/api/src/auth/api-keys';
import { cockpitBuildDir } from '../../libs/api/src/root/cockpit';
import { browserCpuMs, consoleErrorsOf, criticalViolations, describeWithBrowser, launchChromium, screenshot } from './chromium';

/**
 * The cockpit (apps/cockpit, served at /cockpit/) as a user meets it, in a
 * real browser (Debian's chromium driven by playwright-core): the deployed
 * process and its diagram, the instance in the list, the instance page with
 * a token on the element it waits in, its variables and job, and "Cancel".
 * The API's Content-Security-Policy is in force: anything it refused would
 * be a console error. axe-core checks each page for critical and serious
 * accessibility violations. SCREENSHOTS=<dir> saves the pages docs/cockpit.md shows.
 * Needs the build (`npm install` / `npm run ui:build`) and chromium (.ci/run
 * installs it); without chromium this suite says so and skips.
 */

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="cockpit-defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="cockpit-order" name="Cockpit order" isExecutable="true">
    <bpmn:startEvent id="received" name="Order received" />
    <bpmn:scriptTask id="price" name="Price order">
      <bpmn:extensionElements><zeebe:script expression="= amount * 0.9" resultVariable="total" /></bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:serviceTask id="charge" name="Charge card">
      <bpmn:extensionElements><zeebe:taskDefinition type="charge-card" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="done" name="Done" />
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="price" />
    <bpmn:sequenceFlow id="f2" sourceRef="price" targetRef="charge" />
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d1">
    <bpmndi:BPMNPlane id="p1" bpmnElement="cockpit-order">
      <bpmndi:BPMNShape id="received_di" bpmnElement="received"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="price_di" bpmnElement="price"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="charge_di" bpmnElement="charge"><dc:Bounds x="400" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done"><dc:Bounds x="562" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="400" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="500" y="120" /><di:waypoint x="562" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

const USER_TASK = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="cockpit-task-defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="cockpit-approval" name="Cockpit approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="approve" name="Approve order">
      <bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="sales" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="d1">
    <bpmndi:BPMNPlane id="p1" bpmnElement="cockpit-approval">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve"><dc:Bounds x="240" y="80" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="402" y="102" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120" /><di:waypoint x="240" y="120" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120" /><di:waypoint x="402" y="120" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/**
 * A process of `n` elements (a start event, n - 2 manual tasks, an end
 * event) in rows of 25, with its diagram: what the 1,000-element rendering
 * figure is measured on. An instance runs straight through it.
 */
function longProcess(n: number): string {
  const ids = Array.from({ length: n }, (_, i) =>
    i === 0 ? 'start' : i === n - 1 ? 'end' : `task_${i}`,
  );
  const at = (i: number) => ({ x: 100 + (i % 25) * 150, y: 80 + Math.floor(i / 25) * 130 });
  const elements = ids.map((id, i) =>
    i === 0
      ? `<bpmn:startEvent id="start" />`
      : i === n - 1
        ? `<bpmn:endEvent id="end" />`
        : `<bpmn:manualTask id="${id}" name="Step ${i}" />`,
  );
  const flows = ids
    .slice(1)
    .map((id, i) => `<bpmn:sequenceFlow id="f_${i}" sourceRef="${ids[i]}" targetRef="${id}" />`);
  const shapes = ids.map((id, i) => {
    const { x, y } = at(i);
    const event = i === 0 || i === n - 1;
    return `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${event ? x + 32 : x}" y="${event ? y + 22 : y}" width="${event ? 36 : 100}" height="${event ? 36 : 80}" /></bpmndi:BPMNShape>`;
  });
  const edges = ids.slice(1).map((_, i) => {
    const a = at(i);
    const b = at(i + 1);
    return `<bpmndi:BPMNEdge id="f_${i}_di" bpmnElement="f_${i}"><di:waypoint x="${a.x + 100}" y="${a.y + 40}" /><di:waypoint x="${b.x}" y="${b.y + 40}" /></bpmndi:BPMNEdge>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="long-defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="cockpit-long" isExecutable="true">${elements.join('')}${flows.join('')}</bpmn:process>
  <bpmndi:BPMNDiagram id="d1"><bpmndi:BPMNPlane id="p1" bpmnElement="cockpit-long">${shapes.join('')}${edges.join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}


describeWithBrowser('the cockpit at /cockpit/ (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(cockpitBuildDir(), 'index.html'))) {
      throw new Error(`the cockpit is not built in ${cockpitBuildDir()}: run npm run ui:build`);
    }
    api = await startApi('cockpit_ui');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });


  it('shows the process and its instance with a token on the waiting element, and cancels it from the page', async () => {
    const deployed = await api.api('/processes', xmlPost(PROCESS));
    expect(deployed.status).toBe(201);
    const started = await api.json('POST', '/processes/cockpit-order/instances', {
      variables: { amount: 150 },
      businessKey: 'order-4711',
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await api.drain();
    const waiting = await api.json('GET', `/instances/${id}`);
    expect(waiting.body.tokens).toEqual([
      expect.objectContaining({ elementId: 'charge', state: 'WAITING' }),
    ]);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));

    // `/` leads to the cockpit, which opens on the overview; the processes are a click away.
    const home = await page.goto(`${api.origin}/`);
    expect(home?.status()).toBe(200);
    expect(page.url()).toBe(`${api.origin}/cockpit/`);
    // Served under the API's Content-Security-Policy: no inline script runs.
    expect(home?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Processes' }).click();
    const row = page.locator('table tbody tr', {
      has: page.locator('a', { hasText: /^cockpit-order$/ }),
    });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(1).innerText()).toBe('Cockpit order');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'processes');

    // The process page: its diagram, drawn by bpmn-js.
    await row.locator('a', { hasText: /^cockpit-order$/ }).click();
    await page.locator('.djs-element[data-element-id="charge"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('.djs-element[data-element-id="price"]').textContent()).toBe(
      'Price order',
    );

    // The instance list, filtered by the process.
    await page.locator('a', { hasText: /^instances of cockpit-order$/ }).click();
    const listed = page.locator(`tr[data-instance-id="${id}"]`);
    await listed.waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${api.origin}/cockpit/#/instances?processKey=cockpit-order`);
    expect(await listed.locator('.status').innerText()).toBe('ACTIVE');
    expect(await listed.locator('td').nth(3).innerText()).toBe('order-4711');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'instances');

    // The instance: a token badge on `charge`, completed elements marked, variables and the job.
    await listed.locator('a', { hasText: id }).click();
    const token = page.locator('.baton-token[data-element-id="charge"]');
    await token.waitFor({ timeout: 15_000 });
    expect(await token.getAttribute('data-count')).toBe('1');
    expect(await page.locator('.baton-token').count()).toBe(1);
    await page
      .locator('.djs-element.baton-completed[data-element-id="price"]')
      .waitFor({ timeout: 15_000 });
    expect(
      await page.locator('.djs-element.baton-completed[data-element-id="charge"]').count(),
    ).toBe(0);
    // Each with "Edit": AUTH=none is the anonymous admin, who may operate.
    expect(await page.locator('table.variables tbody td').allInnerTexts()).toEqual([
      'amount',
      '150',
      'Edit',
      'total',
      '135',
      'Edit',
    ]);
    const job = page
      .locator('section', { has: page.locator('h2', { hasText: /^Jobs$/ }) })
      .locator('tbody tr');
    await job.first().waitFor({ timeout: 15_000 });
    expect(await job.count()).toBe(1);
    expect(await job.first().locator('td').nth(1).innerText()).toBe('charge-card');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'instance');

    // Looking at the job locked nothing: a worker still gets it.
    const activated = await api.json('POST', '/jobs/activate', {
      type: 'charge-card',
      workerId: 'w',
      maxJobs: 5,
      lockDurationMs: 60_000,
    });
    expect(activated.body.jobs).toHaveLength(1);

    // The job fails for good: an incident, shown on the element and in the list, resolved from the page.
    const jobId = activated.body.jobs[0].id as string;
    const failed = await api.json('POST', `/jobs/${jobId}/fail`, {
      workerId: 'w',
      errorMessage: 'card declined',
      retries: 0,
    });
    expect(failed.status).toBe(204);
    await api.drain();
    const incidentBadge = page.locator('.baton-incident-badge[data-element-id="charge"]');
    await incidentBadge.waitFor({ timeout: 15_000 });
    expect(await incidentBadge.getAttribute('data-count')).toBe('1');
    const incidentRow = page.locator('table.incidents tbody tr');
    expect(await incidentRow.locator('td').allInnerTexts()).toEqual([
      'charge',
      'JOB_NO_RETRIES',
      'card declined',
      expect.any(String),
      'Resolve',
    ]);
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'incident');
    await incidentRow.getByRole('button', { name: 'Resolve' }).click();
    await incidentBadge.waitFor({ state: 'detached', timeout: 15_000 });
    expect((await api.json('GET', `/instances/${id}`)).body.incidents).toEqual([]);
    expect(
      (await api.json('GET', `/incidents?instanceId=${id}&state=RESOLVED`)).body.items,
    ).toHaveLength(1);

    // Cancel, confirmed in the browser's dialog.
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.facts .status', { hasText: /^CANCELED$/ }).waitFor({ timeout: 15_000 });
    expect(dialogs).toEqual([`Cancel instance ${id}? This cannot be undone.`]);
    await page.locator('.baton-token').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    const canceled = await api.json('GET', `/instances/${id}`);
    expect(canceled.body.status).toBe('CANCELED');
    expect(canceled.body.tokens).toEqual([]);

    // Content-Security-Policy let the page do all of that: nothing it loads was refused.
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('claims, unclaims and completes a user task with variables from the tasklist', async () => {
    expect((await api.api('/processes', xmlPost(USER_TASK))).status).toBe(201);
    const started = await api.json('POST', '/processes/cockpit-approval/instances', {
      variables: { amount: 40 },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await api.drain();
    const tasks = await api.json('GET', `/tasks?instanceId=${id}`);
    expect(tasks.body.items).toHaveLength(1);
    const taskId = tasks.body.items[0].id as string;

    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    await page.goto(`${api.origin}/cockpit/#/tasks?candidateGroup=sales`);
    const row = page.locator('table.tasks tbody tr', {
      has: page.locator('a', { hasText: /^Approve order$/ }),
    });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(2).innerText()).toBe('—');
    expect(await row.locator('td').nth(3).innerText()).toBe('sales');
    await row.locator('a', { hasText: /^Approve order$/ }).click();
    expect(page.url()).toBe(`${api.origin}/cockpit/#/tasks?candidateGroup=sales&task=${taskId}`);

    const panel = page.getByRole('complementary', { name: 'Task Approve order' });
    await panel.getByLabel('Assignee').fill('alice');
    await panel.getByRole('button', { name: 'Claim', exact: true }).click();
    await row.locator('td', { hasText: /^alice$/ }).waitFor({ timeout: 15_000 });
    expect((await api.json('GET', `/tasks/${taskId}`)).body.assignee).toBe('alice');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'tasks');

    await panel.getByRole('button', { name: 'Unclaim' }).click();
    await row.locator('td', { hasText: /^—$/ }).waitFor({ timeout: 15_000 });
    expect((await api.json('GET', `/tasks/${taskId}`)).body.assignee).toBeNull();

    // Not a JSON object: refused in the page, nothing sent.
    const variables = panel.getByLabel('Variables (a JSON object)');
    await variables.fill('[1, 2]');
    await panel.getByRole('button', { name: 'Complete' }).click();
    await panel
      .getByRole('alert')
      .filter({ hasText: 'the variables must be a JSON object' })
      .waitFor({ timeout: 15_000 });
    expect((await api.json('GET', `/tasks/${taskId}`)).body.state).toBe('CREATED');

    await variables.fill('{ "approved": true }');
    await panel.getByRole('button', { name: 'Complete' }).click();
    // The panel goes with the task; the page says so.
    await page
      .getByRole('status')
      .filter({ hasText: 'Task "Approve order" completed.' })
      .waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${api.origin}/cockpit/#/tasks?candidateGroup=sales`);
    expect(await panel.count()).toBe(0);
    await api.drain();
    const instance = await api.json('GET', `/instances/${id}`);
    expect(instance.body.status).toBe('COMPLETED');
    expect(instance.body.variables).toEqual({ amount: 40, approved: true });
    // The completed task leaves the list of open ones (the next poll).
    await row.waitFor({ state: 'detached', timeout: 15_000 });

    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows waiting work, retries an incident group, overlays statistics on a process, and deploys a dropped file', async () => {
    const TIMER = fixture('events/timer-boundary-service-task.bpmn');
    expect((await api.api('/processes', xmlPost(TIMER))).status).toBe(201);
    expect(
      (await api.api('/processes', xmlPost(fixture('events/message-boundary-user-task.bpmn'))))
        .status,
    ).toBe(201);
    const timed: string[] = [];
    for (let i = 0; i < 3; i++)
      timed.push(
        (await api.json('POST', '/processes/timer-boundary-service-task/instances')).body.id,
      );
    const applicant = (
      await api.json('POST', '/processes/message-boundary-user-task/instances', {
        variables: { applicationId: 'A-7' },
      })
    ).body.id;
    await api.drain();
    // Two of the three jobs fail for good, with the same message: one incident group of two.
    const leased = await api.json('POST', '/jobs/activate', {
      type: 'call-api',
      workerId: 'w',
      maxJobs: 2,
      lockDurationMs: 60_000,
    });
    expect(leased.body.jobs).toHaveLength(2);
    for (const job of leased.body.jobs) {
      expect(
        (
          await api.json('POST', `/jobs/${job.id}/fail`, {
            workerId: 'w',
            errorMessage: 'api down',
            retries: 0,
          })
        ).status,
      ).toBe(204);
    }
    await api.drain();

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));

    // Waiting work: the jobs (listing leases none), filtered by state.
    await page.goto(`${api.origin}/cockpit/#/processes`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Waiting work' })
      .click();
    const jobs = page
      .getByRole('table', { name: 'Jobs' })
      .locator('tbody tr', { hasText: 'call-api' });
    await jobs.nth(2).waitFor({ timeout: 15_000 });
    expect(await jobs.count()).toBe(3);
    await page.getByLabel('State').selectOption('FAILED');
    await page.waitForURL(/tab=jobs/);
    await page
      .getByRole('table', { name: 'Jobs' })
      .locator('tbody tr', { hasText: 'api down' })
      .nth(1)
      .waitFor({ timeout: 15_000 });
    expect(await page.getByRole('table', { name: 'Jobs' }).locator('tbody tr').count()).toBe(2);
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'waiting-jobs');

    // Timers in the order they fall due, and the message subscriptions filtered by name.
    await page.getByRole('link', { name: 'Timers' }).click();
    const timers = page
      .getByRole('table', { name: 'Timers' })
      .locator('tbody tr', { hasText: 'timeout' });
    await timers.nth(2).waitFor({ timeout: 15_000 });
    expect(await timers.count()).toBe(3);
    expect(await criticalViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Message subscriptions' }).click();
    await page.getByLabel('Message name').fill('application-withdrawn');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/messageName=application-withdrawn/);
    const subscription = page
      .getByRole('table', { name: 'Message subscriptions' })
      .locator('tbody tr');
    await subscription.first().waitFor({ timeout: 15_000 });
    expect(await subscription.count()).toBe(1);
    expect(await subscription.first().locator('td').nth(1).innerText()).toBe('A-7');
    expect(await subscription.first().locator('a').innerText()).toBe(applicant);
    expect(await criticalViolations(page)).toEqual([]);

    // The process page: per-element statistics on the diagram.
    await page.goto(`${api.origin}/cockpit/#/processes/timer-boundary-service-task`);
    const incidents = page.locator('.baton-incident-badge[data-element-id="call_api"]');
    await incidents.waitFor({ timeout: 15_000 });
    expect(await incidents.getAttribute('data-count')).toBe('2');
    expect(
      await page.locator('.baton-token[data-element-id="call_api"]').getAttribute('data-count'),
    ).toBe('1');
    expect(
      await page
        .locator('.baton-completed-badge[data-element-id="start"]')
        .getAttribute('data-count'),
    ).toBe('3');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'process-statistics');

    // Incidents grouped by cause: "Retry all in this group" resolves both.
    await page.goto(`${api.origin}/cockpit/#/waiting?tab=incidents`);
    const group = page
      .getByRole('table', { name: 'Incident groups' })
      .locator('tbody tr', { hasText: 'api down' });
    await group.waitFor({ timeout: 15_000 });
    expect(await group.locator('td').nth(2).innerText()).toBe('2');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'incident-groups');
    await group.getByRole('button', { name: 'Retry all in this group' }).click();
    await page
      .locator('.retry-progress', { hasText: /^2 of 2 retried$/ })
      .waitFor({ timeout: 15_000 });
    expect(
      (await api.json('GET', '/incidents')).body.items.filter((i: { instanceId: string }) =>
        timed.includes(i.instanceId),
      ),
    ).toEqual([]);
    await group.waitFor({ state: 'detached', timeout: 15_000 });

    // A second version: the switcher shows both, and the XML of the one shown downloads.
    expect(
      (
        await api.api(
          '/processes',
          xmlPost(TIMER.replace('name="Call API"', 'name="Call the API"')),
        )
      ).status,
    ).toBe(201);
    await page.goto(`${api.origin}/cockpit/#/processes/timer-boundary-service-task`);
    const version = page.getByLabel('Version');
    await version.locator('option').nth(1).waitFor({ state: 'attached', timeout: 15_000 });
    expect(await version.locator('option').allInnerTexts()).toEqual(['2 (latest)', '1']);
    await version.selectOption('1');
    await page.waitForURL(/version=1/);
    await page
      .locator('.baton-completed-badge[data-element-id="start"]')
      .waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download XML' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('timer-boundary-service-task-v1.bpmn');

    // Deploy by drag and drop: a refused file is drawn with its errors on the elements they name.
    await page.goto(`${api.origin}/cockpit/#/processes`);
    const drop = async (name: string, xml: string) => {
      const transfer = await page.evaluateHandle(
        `(() => { const d = new DataTransfer(); d.items.add(new File([${JSON.stringify(xml)}], ${JSON.stringify(name)}, { type: 'application/xml' })); return d; })()`,
      );
      await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer: transfer });
    };
    await drop('bad.bpmn', fixture('invalid/missing-task-config.bpmn'));
    await page
      .getByRole('alert')
      .filter({ hasText: 'bad.bpmn was not deployed' })
      .waitFor({ timeout: 15_000 });
    for (const id of ['service', 'send', 'rule', 'script', 'call']) {
      await page
        .locator(`.baton-error-badge[data-element-id="${id}"]`)
        .waitFor({ timeout: 15_000 });
      expect(await page.locator('.deploy-errors li', { hasText: id }).count()).toBeGreaterThan(0);
    }
    expect(
      await page.locator('.baton-error-badge[data-element-id="service"]').getAttribute('title'),
    ).toMatch(/zeebe:taskDefinition type/);
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'deploy-errors');
    await drop('approval.bpmn', USER_TASK.replace('cockpit-approval', 'cockpit-dropped'));
    await page
      .getByRole('status')
      .filter({ hasText: 'Deployed approval.bpmn' })
      .waitFor({ timeout: 15_000 });
    expect((await api.json('GET', '/processes/cockpit-dropped')).status).toBe(200);

    // The one console line is the browser's own note of the refused deploy's 400.
    expect(consoleErrors).toEqual([
      `Failed to load resource: the server responded with a status of 400 (Bad Request) ${api.origin}/api/v1/processes`,
    ]);
    await page.close();
  }, 90_000);

  it('draws a 1,000-element process with its statistics overlays', async () => {
    expect((await api.api('/processes', xmlPost(longProcess(1000)))).status).toBe(201);
    expect((await api.json('POST', '/processes/cockpit-long/instances')).status).toBe(201);
    await api.drain();
    expect((await api.json('GET', '/processes/cockpit-long/statistics')).body.items).toHaveLength(
      1000,
    );

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${api.origin}/cockpit/#/processes`);
    await page.getByRole('heading', { name: 'Processes' }).waitFor({ timeout: 15_000 });
    // From the navigation to every element drawn with its overlay (the page's own requests
    // included): the wall-clock time, and the CPU time the browser spent on it, which is what
    // drawing costs; on a machine shared with other work the wall clock also counts the waits
    // for a CPU.
    const cpuBefore = browserCpuMs();
    const start = Date.now();
    await page.evaluate(`location.hash = '#/processes/cockpit-long'`);
    await page
      .locator('.baton-completed-badge[data-element-id]')
      .nth(999)
      .waitFor({ timeout: 30_000 });
    const elapsed = Date.now() - start;
    const cpuMs = Math.round(browserCpuMs() - cpuBefore);
    expect(await page.locator('.baton-completed-badge[data-element-id]').count()).toBe(1000);
    console.log(
      `cockpit: a 1,000-element diagram with its overlays drawn in ${elapsed} ms (browser CPU ${cpuMs} ms)`,
    );
    // The target is 2 s on a quiet machine; bpmn-js's import is most of it (about 1.5 s of main
    // thread here), the badges a few tens of ms. The times are reported, not asserted: on this
    // machine the same build measured 3.2 s and 4.7 s of browser CPU in two CI runs. What made
    // it slow before is asserted instead: badges as HTML overlays, positioned one by one (a
    // thousand cost 0.8 s more); they are SVG in the diagram's own badge layer.
    expect(await page.locator('.djs-overlay').count()).toBe(0);
    expect(
      await page.locator('svg g.layer-baton-badges .baton-completed-badge[data-element-id]').count(),
    ).toBe(1000);
    // Only a pathological slowdown (a hang, an import done twice over) fails on time.
    expect(cpuMs).toBeLessThan(20_000);
    await page.close();
  }, 90_000);

  it('opens on the overview, which follows new instances live, and filters the list by a variable and an incident', async () => {
    // Deployed by the first test (200: the same document again), or now when run alone.
    expect([200, 201]).toContain((await api.api('/processes', xmlPost(PROCESS))).status);
    const start = async (variables: Record<string, unknown>) => {
      const r = await api.json('POST', '/processes/cockpit-order/instances', { variables: { amount: 10, ...variables } });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const gold = [await start({ tier: 'gold' }), await start({ tier: 'gold' })];
    await start({ tier: 'silver' });
    await api.drain();
    // The second gold instance's job fails for good: an incident.
    const jobs = (await api.json('POST', '/jobs/activate', { type: 'charge-card', workerId: 'ui-worker', maxJobs: 50, lockDurationMs: 600_000 })).body
      .jobs as { id: string; instanceId: string }[];
    const failing = jobs.find((j) => j.instanceId === gold[1])!;
    expect((await api.json('POST', `/jobs/${failing.id}/fail`, { workerId: 'ui-worker', errorMessage: 'declined', retries: 0 })).status).toBe(204);
    await api.drain();

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = consoleErrorsOf(page);
    await page.goto(`${api.origin}/cockpit/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 15_000 });
    const tile = (label: string) => page.locator('.tile a', { has: page.locator('.tile-label', { hasText: new RegExp(`^${label}$`) }) });
    const value = async (label: string) => Number((await tile(label).locator('.tile-value').innerText()).replace(/[^0-9]/g, ''));
    await tile('Active').waitFor({ timeout: 15_000 });
    const before = (await api.json('GET', '/overview')).body;
    expect(await value('Active')).toBe(before.instances.active.count);
    expect(await value('Open incidents')).toBe(before.incidents.open.count);
    expect(before.incidents.open.count).toBeGreaterThanOrEqual(1);
    // The chart: a bar per minute of the last hour, the figures in words.
    expect(await page.locator('.throughput svg rect.started').count()).toBe(60);
    expect(await page.locator('[data-figure="throughput"]').innerText()).toMatch(new RegExp(`^${before.throughput.started} started, `));
    expect(await page.locator('[data-figure="token-queue"]').innerText()).toBe('0 (in process)');
    const self = page.locator('table[aria-label="Baton processes"] tbody tr[data-app="api"]');
    expect(await self.locator('td').nth(1).innerText()).toContain(`, ${process.pid}`);
    expect(await page.locator('table[aria-label="Job workers"] tbody tr', { hasText: 'ui-worker' }).locator('td').nth(1).innerText()).toBe('charge-card');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'overview');

    // Two more instances show without a reload (the page polls; the API reuses an answer 2 s).
    await start({});
    await start({});
    await api.drain();
    await page
      .locator('.tiles .tile:first-child .tile-value', { hasText: new RegExp(`^${before.instances.active.count + 2}$`) })
      .waitFor({ timeout: 15_000 });

    // "Open incidents" leads to the incidents of Waiting work.
    await tile('Open incidents').click();
    await page.getByRole('heading', { name: 'Waiting work' }).waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${api.origin}/cockpit/#/waiting?tab=incidents`);

    // The list filtered by a variable's value (JSON), then by an open incident too: the filters go to the URL.
    await page.goto(`${api.origin}/cockpit/#/instances`);
    const form = page.getByRole('form', { name: 'Filters' });
    await form.getByPlaceholder('name').fill('tier');
    await form.getByLabel('Variable value (JSON)').fill('"gold"');
    await form.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`tr[data-instance-id="${gold[0]}"]`).waitFor({ timeout: 15_000 });
    expect(page.url()).toBe(`${api.origin}/cockpit/#/instances?variableName=tier&variableValue=%22gold%22`);
    const listed = () => page.locator('table.instances tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance-id')));
    expect(await listed()).toEqual([gold[1], gold[0]]);
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Incident').selectOption({ label: 'with an open incident' });
    for (let i = 0; i < 50 && !page.url().includes('hasIncident=true'); i++) await page.waitForTimeout(100);
    expect(page.url()).toBe(`${api.origin}/cockpit/#/instances?hasIncident=true&variableName=tier&variableValue=%22gold%22`);
    await page.locator(`tr[data-instance-id="${gold[0]}"]`).waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator(`tr[data-instance-id="${gold[1]}"]`).waitFor({ timeout: 15_000 });
    expect(await listed()).toEqual([gold[1]]);
    expect(await page.getByRole('form', { name: 'Filters' }).getByPlaceholder('name').inputValue()).toBe('tier');
    expect(await criticalViolations(page)).toEqual([]);
    await screenshot(page, 'instance-filters');
    // The bulk action names the same filter in words (dismissed: nothing is sent).
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('form', { name: 'Bulk action' }).getByRole('button', { name: 'Apply to all matching' }).click();
    for (let i = 0; i < 50 && asked.length === 0; i++) await page.waitForTimeout(100);
    expect(asked).toEqual([
      'Cancel: every instance matching hasIncident: true, variable tier = "gold"? This runs as a batch operation and cannot be undone.',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});

describeWithBrowser('the cockpit with AUTH=api-key (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    api = await startApi('cockpit_auth', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('asks for an API key on the 401, keeps it for the tab and sends it on every call', async () => {
    const keys = api.app.get(ApiKeyService);
    const admin = (await keys.create({ name: 'deployer', permissions: ['admin'], tenants: ['*'] }))
      .key;
    const reader = (await keys.create({ name: 'reader', permissions: ['read'], tenants: ['*'] }))
      .key;
    const deployed = await fetch(`${api.origin}/api/v1/processes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/xml' },
      body: PROCESS,
    });
    expect(deployed.status).toBe(201);

    const page = await browser.newPage();
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(`${api.origin}/api/v1/`))
        sent.push(request.headers().authorization ?? 'none');
    });
    // The page itself is public; the API's 401 brings up the form.
    await page.goto(`${api.origin}/cockpit/#/processes`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set(['none']));

    // A wrong key: the API answers 401 again, and the form comes back.
    await page.getByLabel('API key', { exact: true }).fill('baton_wrong_key');
    const refused = page.waitForResponse(
      (r) => r.status() === 401 && r.request().headers().authorization === 'Bearer baton_wrong_key',
    );
    await page.getByRole('button', { name: 'Sign in' }).click();
    await refused;
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });

    sent.length = 0;
    await page.getByLabel('API key', { exact: true }).fill(reader);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .locator('table tbody tr a', { hasText: /^cockpit-order$/ })
      .waitFor({ timeout: 15_000 });
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set([`Bearer ${reader}`]));
    expect(await page.evaluate("sessionStorage.getItem('baton.cockpit.authorization')")).toBe(
      `Bearer ${reader}`,
    );
    // No cookie carries it.
    expect(await page.context().cookies()).toEqual([]);

    // Sign out forgets it: the next call is a 401 and the form is back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate("sessionStorage.getItem('baton.cockpit.authorization')")).toBeNull();
    await page.close();
  }, 60_000);
});
