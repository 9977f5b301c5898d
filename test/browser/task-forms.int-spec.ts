import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startApi, xmlPost, type ApiHarness } from '../../apps/api/test/api-harness';
import { cockpitBuildDir } from '../../libs/api/src/root/cockpit';
import { criticalViolations, describeWithBrowser, launchChromium, screenshot } from './chromium';

/**
 * The tasklist renders a user task's Camunda Form (a deployed `.form` linked
 * by `zeebe:formDefinition formId`) with form-js, filled with the instance's
 * variables; "Complete" shows form-js's validation messages and completes the
 * task with the form's data only when they are all met. In Debian's chromium,
 * under the API's Content-Security-Policy (anything it refused would be a
 * console error), with axe-core's critical and serious violations checked.
 * SCREENSHOTS=<dir> saves the page docs/cockpit.md shows.
 */

const FORM = {
  id: 'ship-order',
  type: 'default',
  schemaVersion: 18,
  components: [
    {
      label: 'Order number',
      type: 'textfield',
      id: 'Field_order',
      key: 'orderNumber',
      validate: { required: true },
    },
    { label: 'Customer', type: 'textfield', id: 'Field_customer', key: 'customer' },
    { label: 'Express', type: 'checkbox', id: 'Field_express', key: 'express' },
  ],
};

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="ship-defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="ship" name="Ship" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="ship-task" name="Ship order">
      <bpmn:extensionElements><zeebe:userTask /><zeebe:formDefinition formId="ship-order" /><zeebe:assignmentDefinition candidateGroups="shipping" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ship-task" />
    <bpmn:sequenceFlow id="f2" sourceRef="ship-task" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`;

describeWithBrowser('the tasklist with a Camunda Form (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(cockpitBuildDir(), 'index.html'))) {
      throw new Error(`the cockpit is not built in ${cockpitBuildDir()}: run npm run ui:build`);
    }
    api = await startApi('cockpit_forms');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("shows the task's form with the instance's values, refuses it until it is valid, then completes the task with its data", async () => {
    expect((await api.json('POST', '/forms', FORM)).status).toBe(201);
    expect((await api.api('/processes', xmlPost(PROCESS))).status).toBe(201);
    const started = await api.json('POST', '/processes/ship/instances', {
      variables: { customer: 'Ada', amount: 12 },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await api.drain();
    const taskId = (await api.json('GET', `/tasks?instanceId=${id}`)).body.items[0].id as string;

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    await page.goto(`${api.origin}/cockpit/#/tasks?task=${taskId}`);

    const panel = page.getByRole('complementary', { name: 'Task Ship order' });
    const form = panel.getByRole('region', { name: 'Task form' });
    await form.getByLabel('Order number').waitFor({ timeout: 15_000 });
    expect(await form.getByRole('heading').innerText()).toBe('Form (ship-order, version 1)');
    // Filled from the instance's variables.
    expect(await form.getByLabel('Customer').inputValue()).toBe('Ada');
    // No JSON editor where a form is shown.
    expect(await panel.getByLabel('Variables (a JSON object)').count()).toBe(0);
    expect(await criticalViolations(page)).toEqual([]);

    // The required field is empty: form-js marks it, the page says why, nothing is sent.
    await form.getByRole('button', { name: 'Complete' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'Check the field marked in the form.' })
      .waitFor({ timeout: 15_000 });
    await form.getByText('Field is required.').waitFor({ timeout: 15_000 });
    expect((await api.json('GET', `/tasks/${taskId}`)).body.state).toBe('CREATED');

    await form.getByLabel('Order number').fill('A-1001');
    // Leaving the field lets form-js validate it (and re-render) before the next click.
    await form.getByLabel('Order number').press('Tab');
    await form.getByText('Field is required.').waitFor({ state: 'detached', timeout: 15_000 });
    await form.getByLabel('Express').check();
    await screenshot(page, 'task-form');
    await form.getByRole('button', { name: 'Complete' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Task "Ship order" completed.' })
      .waitFor({ timeout: 15_000 });
    await api.drain();
    const ended = await api.json('GET', `/instances/${id}`);
    expect(ended.body.status).toBe('COMPLETED');
    expect(ended.body.variables).toMatchObject({
      orderNumber: 'A-1001',
      customer: 'Ada',
      express: true,
      amount: 12,
    });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
