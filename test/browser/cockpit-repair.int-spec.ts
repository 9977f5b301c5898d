import type { Browser, Page } from 'playwright-core';
import { startApi, type ApiHarness } from '../../apps/api/test/api-harness';
import { ApiKeyService } from '../../libs/api/src/auth/api-keys';
import {
  consoleErrorsOf as pageErrors,
  criticalViolations,
  describeWithBrowser,
  launchChromium,
  screenshot as savePicture,
} from './chromium';

/**
 * Repairing a stuck instance from the cockpit's instance page (process
 * instance modification): a failed task terminated from the token list, the
 * next task activated from the diagram with variables (bad JSON named and
 * nothing sent, the API's 400 naming an element shown), the instance run to
 * its end by workers; a variable of a subprocess scope shown and edited; and
 * none of it offered to a `read`-only key. Needs the build and chromium as
 * cockpit.int-spec.ts does. SCREENSHOTS=<dir> saves the pictures docs/cockpit.md shows.
 */
/** The repair pages are long: the top 1,300 pixels of the whole page. */
const screenshot = (page: Page, name: string): Promise<void> =>
  savePicture(page, name, { fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1300 } });

/** Console and page errors; besides 401s before sign-in, the modification the API refuses (400, the test's point) is an expected answer. */
const consoleErrorsOf = (page: Page): string[] =>
  pageErrors(page, [/^400 \(Bad Request\) \S+\/api\/v1\/instances\/\d+\/modification$/]);

/**
 * Two branches: `charge` then `ship`, and the subprocess `pack` (its input
 * mapping makes `box` a local variable of its scope) around `packTask`,
 * joined before the end. An event-based gateway nothing reaches stands
 * beside them: its timer events are not offered for activation (Camunda
 * Operate leaves them out; the API refuses them).
 */
const REPAIR_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_repair" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="repair" name="Repair" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:serviceTask id="charge" name="Charge card">
      <bpmn:extensionElements><zeebe:taskDefinition type="charge-card" retries="1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="ship" name="Ship">
      <bpmn:extensionElements><zeebe:taskDefinition type="ship" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:subProcess id="pack" name="Pack">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:input source="=&quot;small&quot;" target="box" /></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:startEvent id="packStart" />
      <bpmn:serviceTask id="packTask" name="Pack goods">
        <bpmn:extensionElements><zeebe:taskDefinition type="pack" /></bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:endEvent id="packEnd" />
      <bpmn:sequenceFlow id="p1" sourceRef="packStart" targetRef="packTask" />
      <bpmn:sequenceFlow id="p2" sourceRef="packTask" targetRef="packEnd" />
    </bpmn:subProcess>
    <bpmn:parallelGateway id="join" />
    <bpmn:endEvent id="end" />
    <bpmn:eventBasedGateway id="choose" />
    <bpmn:intermediateCatchEvent id="waitHour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="waitDay">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="late" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="charge" />
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="ship" />
    <bpmn:sequenceFlow id="f4" sourceRef="ship" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="pack" />
    <bpmn:sequenceFlow id="f6" sourceRef="pack" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end" />
    <bpmn:sequenceFlow id="e1" sourceRef="choose" targetRef="waitHour" />
    <bpmn:sequenceFlow id="e2" sourceRef="choose" targetRef="waitDay" />
    <bpmn:sequenceFlow id="e3" sourceRef="waitHour" targetRef="late" />
    <bpmn:sequenceFlow id="e4" sourceRef="waitDay" targetRef="late" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="repair">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="182" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="fork_di" bpmnElement="fork"><dc:Bounds x="180" y="175" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="charge_di" bpmnElement="charge"><dc:Bounds x="280" y="60" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="ship_di" bpmnElement="ship"><dc:Bounds x="460" y="60" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="pack_di" bpmnElement="pack" isExpanded="true"><dc:Bounds x="280" y="240" width="300" height="140" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="packStart_di" bpmnElement="packStart"><dc:Bounds x="300" y="292" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="packTask_di" bpmnElement="packTask"><dc:Bounds x="380" y="270" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="packEnd_di" bpmnElement="packEnd"><dc:Bounds x="520" y="292" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="join_di" bpmnElement="join"><dc:Bounds x="640" y="175" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="740" y="182" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="choose_di" bpmnElement="choose"><dc:Bounds x="280" y="425" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="waitHour_di" bpmnElement="waitHour"><dc:Bounds x="380" y="412" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="waitDay_di" bpmnElement="waitDay"><dc:Bounds x="380" y="472" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="late_di" bpmnElement="late"><dc:Bounds x="480" y="442" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="200" /><di:waypoint x="180" y="200" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="205" y="175" /><di:waypoint x="205" y="100" /><di:waypoint x="280" y="100" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="380" y="100" /><di:waypoint x="460" y="100" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="560" y="100" /><di:waypoint x="665" y="100" /><di:waypoint x="665" y="175" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f5_di" bpmnElement="f5"><di:waypoint x="205" y="225" /><di:waypoint x="205" y="310" /><di:waypoint x="280" y="310" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f6_di" bpmnElement="f6"><di:waypoint x="580" y="310" /><di:waypoint x="665" y="310" /><di:waypoint x="665" y="225" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f7_di" bpmnElement="f7"><di:waypoint x="690" y="200" /><di:waypoint x="740" y="200" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="p1_di" bpmnElement="p1"><di:waypoint x="336" y="310" /><di:waypoint x="380" y="310" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="p2_di" bpmnElement="p2"><di:waypoint x="480" y="310" /><di:waypoint x="520" y="310" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="e1_di" bpmnElement="e1"><di:waypoint x="330" y="450" /><di:waypoint x="355" y="450" /><di:waypoint x="355" y="430" /><di:waypoint x="380" y="430" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="e2_di" bpmnElement="e2"><di:waypoint x="305" y="475" /><di:waypoint x="305" y="490" /><di:waypoint x="380" y="490" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="e3_di" bpmnElement="e3"><di:waypoint x="416" y="430" /><di:waypoint x="498" y="430" /><di:waypoint x="498" y="442" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="e4_di" bpmnElement="e4"><di:waypoint x="416" y="490" /><di:waypoint x="498" y="490" /><di:waypoint x="498" y="478" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;

describeWithBrowser('the cockpit: repair an instance from its page (chromium)', () => {
  let api: ApiHarness;
  let browser: Browser;
  let admin: string;

  /** A call as the admin key: `/api/v1/...` or `/v2/...`. */
  const asAdmin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': typeof body === 'string' ? 'application/xml' : 'application/json',
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  /** Leases the job of `type` of instance `id` (and, for a minute, any other activatable job of that type). */
  const jobOf = async (type: string, id: string) => {
    const leased = await asAdmin('POST', '/api/v1/jobs/activate', {
      type,
      workerId: 'w',
      maxJobs: 10,
      lockDurationMs: 60_000,
    });
    expect(leased.status).toBe(200);
    const job = (leased.body.jobs as { id: string; instanceId: string; variables: object }[]).find(
      (j) => j.instanceId === id,
    );
    if (job === undefined) throw new Error(`no ${type} job of instance ${id}`);
    return job;
  };

  /** An instance whose `charge` job failed with no retries left: an incident, `packTask` waiting in `pack`. */
  const stuckInstance = async (): Promise<string> => {
    const started = await asAdmin('POST', '/api/v1/processes/repair/instances', {
      variables: { order: 7 },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await api.drain();
    const job = await jobOf('charge-card', id);
    const failed = await asAdmin('POST', `/api/v1/jobs/${job.id}/fail`, {
      workerId: 'w',
      errorMessage: 'card declined',
      retries: 0,
    });
    expect(failed.status).toBe(204);
    await api.drain();
    const instance = await asAdmin('GET', `/api/v1/instances/${id}`);
    expect(instance.body.incidents.map((n: { elementId: string }) => n.elementId)).toEqual([
      'charge',
    ]);
    return id;
  };

  const scopesOf = async (id: string) =>
    (await asAdmin('GET', `/api/v1/instances/${id}/scopes`)).body.items as {
      id: string;
      elementId: string;
      elementType: string;
      parentId: string | null;
      variables: Record<string, unknown>;
    }[];

  async function signIn(page: Page, key: string, principal: string): Promise<void> {
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('API key', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header .who', { hasText: principal }).waitFor({ timeout: 15_000 });
  }

  beforeAll(async () => {
    api = await startApi('cockpit_repair', { AUTH: 'api-key', RATE_LIMIT_PER_MINUTE: '0' });
    browser = await launchChromium();
    admin = (
      await api.app
        .get(ApiKeyService)
        .create({ name: 'root', permissions: ['admin'], tenants: ['*'] })
    ).key;
    expect((await asAdmin('POST', '/api/v1/processes', REPAIR_BPMN)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('lists the scopes holding variables through the API', async () => {
    const id = await stuckInstance();
    const scopes = await scopesOf(id);
    expect(scopes).toEqual([
      { id, elementId: 'repair', elementType: 'process', parentId: null, variables: { order: 7 } },
      {
        id: expect.stringMatching(/^\d+$/),
        elementId: 'pack',
        elementType: 'subProcess',
        parentId: id,
        variables: { box: 'small' },
      },
    ]);
    // The scope is the one `/v2/variables/search` names by scopeKey.
    const searched = await asAdmin('POST', '/v2/variables/search', {
      filter: { processInstanceKey: id, name: 'box' },
    });
    expect(
      searched.body.items.map((v: { scopeKey: string; value: string }) => [v.scopeKey, v.value]),
    ).toEqual([[scopes[1].id, '"small"']]);
    expect((await asAdmin('GET', '/api/v1/instances/4711/scopes')).status).toBe(404);
    await asAdmin('POST', `/api/v1/instances/${id}/cancel`);
  }, 60_000);

  it('terminates the failed task, activates the next one with variables, edits a subprocess variable; the instance completes', async () => {
    const id = await stuckInstance();
    const operator = (
      await api.app
        .get(ApiKeyService)
        .create({ name: 'operator', permissions: ['read', 'operate'], tenants: ['*'] })
    ).key;
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors = consoleErrorsOf(page);
    await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
    await signIn(page, operator, 'operator');
    await page.locator('table.incidents tbody tr').waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Repair' }).waitFor({ timeout: 15_000 });

    // The subprocess scope and its variable, edited there (bad JSON first: named, nothing sent).
    const packKey = (await scopesOf(id))[1].id;
    const scope = page.locator(`.scope[data-scope-key="${packKey}"]`);
    await scope.waitFor({ timeout: 15_000 });
    expect(await scope.locator('table.scope-variables tbody td').allInnerTexts()).toEqual([
      'box',
      '"small"',
      'Edit',
    ]);
    await scope.getByRole('button', { name: 'Edit box in pack' }).click();
    const editor = scope.getByRole('form', { name: 'Edit box in pack' });
    const value = editor.getByLabel('New value of box in pack (JSON)');
    expect(await value.inputValue()).toBe('"small"');
    await value.fill('large');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor
      .getByRole('alert')
      .filter({ hasText: /^box: not JSON: / })
      .waitFor({ timeout: 15_000 });
    expect((await scopesOf(id))[1].variables).toEqual({ box: 'small' });
    await value.fill('"large"');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.waitFor({ state: 'detached', timeout: 15_000 });
    const after = await scopesOf(id);
    expect(after.map((s) => [s.elementId, s.variables])).toEqual([
      ['repair', { order: 7 }],
      ['pack', { box: 'large' }],
    ]);
    await scope.locator('td pre', { hasText: /^"large"$/ }).waitFor({ timeout: 15_000 });

    // Terminate from the token list: dismissed, nothing is sent; accepted, the task and its incident end.
    const chargeRow = page.locator('table.tokens tbody tr', {
      has: page.locator('td', { hasText: /^charge$/ }),
    });
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await chargeRow.getByRole('button', { name: 'Terminate charge' }).click();
    for (let i = 0; i < 50 && asked.length === 0; i++) await page.waitForTimeout(100);
    expect(asked).toEqual([
      expect.stringMatching(
        /^Terminate charge \(element instance \d+\)\? Its jobs, user tasks, timers and subscriptions are canceled and its incidents resolved\.$/,
      ),
    ]);
    expect((await asAdmin('GET', `/api/v1/instances/${id}`)).body.incidents).toHaveLength(1);
    page.once('dialog', (d) => void d.accept());
    await chargeRow.getByRole('button', { name: 'Terminate charge' }).click();
    await page.getByText('No open incident.').waitFor({ timeout: 15_000 });
    const terminated = (await asAdmin('GET', `/api/v1/instances/${id}`)).body;
    expect(terminated.status).toBe('ACTIVE');
    expect(terminated.incidents).toEqual([]);
    expect(terminated.tokens.map((t: { elementId: string }) => t.elementId)).toEqual(['packTask']);

    const tokensOf = async () =>
      (await asAdmin('GET', `/api/v1/instances/${id}`)).body.tokens as {
        id: string;
        elementId: string;
      }[];

    // "Activate element…": the list holds tasks, subprocesses, intermediate events, gateways and end
    // events, in document order; no start event, no event of the event-based gateway.
    await page.getByRole('button', { name: 'Activate element…' }).click();
    const form = page.getByRole('form', { name: 'Activate element' });
    const element = form.getByLabel('Element (or click it on the diagram)');
    const options = await element.locator('option').all();
    expect(await Promise.all(options.map((o) => o.getAttribute('value')))).toEqual([
      'fork',
      'charge',
      'ship',
      'pack',
      'packTask',
      'packEnd',
      'join',
      'end',
      'choose',
      'late',
    ]);
    // A second instance of the subprocess `pack`, chosen from the list.
    await element.selectOption('pack');
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    await api.drain();
    const twoPacks = await tokensOf();
    expect(twoPacks.map((t) => t.elementId)).toEqual(['packTask', 'packTask']);

    // `packTask` now has two instances of its subprocess to go into: the API's 400 names it, in the form.
    await page.getByRole('button', { name: 'Activate element…' }).click();
    await element.selectOption('packTask');
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    const refused = form.getByRole('alert').filter({ hasText: "cannot activate 'packTask'" });
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.innerText()).toMatch(/'pack' has 2 active instances.*\(400\)$/);
    expect((await tokensOf()).map((t) => t.id).sort()).toEqual(twoPacks.map((t) => t.id).sort());
    await form.getByRole('button', { name: 'Close' }).click();

    // The newer `packTask`, picked on the diagram, terminated: its subprocess instance ends with it.
    const [older, newer] = twoPacks
      .map((t) => t.id)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    await page.locator('.djs-element[data-element-id="packTask"]').click();
    const pickedTask = page.getByRole('region', { name: 'Element packTask' });
    const newerItem = pickedTask.locator('li', { hasText: newer });
    await newerItem.waitFor({ timeout: 15_000 });
    page.once('dialog', (d) => void d.accept());
    await newerItem.getByRole('button', { name: 'Terminate packTask' }).click();
    await newerItem.waitFor({ state: 'detached', timeout: 15_000 });
    expect(await tokensOf()).toEqual([{ id: older, elementId: 'packTask', state: 'WAITING' }]);
    expect((await scopesOf(id)).map((s) => [s.id, s.variables])).toEqual([
      [id, { order: 7 }],
      [packKey, { box: 'large' }],
    ]);

    // Activate `ship`, picked on the diagram, with variables (bad JSON first: named, nothing sent).
    await page.locator('.djs-element[data-element-id="ship"]').click();
    const picked = page.getByRole('region', { name: 'Element ship' });
    await picked.getByText('No live token here.').waitFor({ timeout: 15_000 });
    await picked.getByRole('button', { name: 'Activate ship…' }).click();
    expect(await element.inputValue()).toBe('ship');
    const variables = form.getByLabel('Variables (optional, a JSON object)');
    await variables.fill('{ carrier: dhl }');
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /^Variables: not JSON: / })
      .waitFor({ timeout: 15_000 });
    await variables.fill('["dhl"]');
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: 'Variables: must be a JSON object' })
      .waitFor({ timeout: 15_000 });
    expect((await tokensOf()).map((t) => t.elementId)).toEqual(['packTask']);
    expect(await criticalViolations(page)).toEqual([]);

    // A click on the diagram while the form is open picks the element.
    await element.selectOption('join');
    await page.locator('.djs-element[data-element-id="ship"]').click();
    for (let i = 0; i < 150 && (await element.inputValue()) !== 'ship'; i++)
      await page.waitForTimeout(100);
    expect(await element.inputValue()).toBe('ship');
    await variables.fill('{ "carrier": "dhl" }');
    await screenshot(page, 'activate-element');
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    await api.drain();
    // Its job appears on the page.
    const jobs = page
      .locator('section', { has: page.locator('h2', { hasText: /^Jobs$/ }) })
      .locator('tbody tr', { has: page.locator('td', { hasText: /^ship$/ }) });
    await jobs.first().waitFor({ timeout: 15_000 });

    // Workers finish: `ship` sees the variables of the activation, `packTask` the edited box.
    const ship = await jobOf('ship', id);
    expect(ship.variables).toMatchObject({ order: 7, carrier: 'dhl' });
    expect(
      (await asAdmin('POST', `/api/v1/jobs/${ship.id}/complete`, { workerId: 'w' })).status,
    ).toBe(204);
    const pack = await jobOf('pack', id);
    expect(pack.variables).toMatchObject({ order: 7, box: 'large' });
    expect(
      (await asAdmin('POST', `/api/v1/jobs/${pack.id}/complete`, { workerId: 'w' })).status,
    ).toBe(204);
    await api.drain();
    expect((await asAdmin('GET', `/api/v1/instances/${id}`)).body.status).toBe('COMPLETED');
    await page.locator('.status', { hasText: /^COMPLETED$/ }).waitFor({ timeout: 15_000 });
    // An ended instance offers no repair.
    expect(await page.getByRole('heading', { name: 'Repair' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('moves a token in one request: activates the next task and terminates the failed one together', async () => {
    const id = await stuckInstance();
    const mover = (
      await api.app
        .get(ApiKeyService)
        .create({ name: 'mover', permissions: ['read', 'operate'], tenants: ['*'] })
    ).key;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = consoleErrorsOf(page);
    await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
    await signIn(page, mover, 'mover');
    await page.locator('table.incidents tbody tr').waitFor({ timeout: 15_000 });
    const charge = (
      (await asAdmin('GET', `/api/v1/instances/${id}`)).body.tokens as {
        id: string;
        elementId: string;
      }[]
    ).find((t) => t.elementId === 'charge');
    await page.getByRole('button', { name: 'Activate element…' }).click();
    const form = page.getByRole('form', { name: 'Activate element' });
    await form.getByLabel('Element (or click it on the diagram)').selectOption('ship');
    await form.getByLabel('Set the variables in').selectOption('ship');
    await form.getByLabel('Variables (optional, a JSON object)').fill('{"carrier": "ups"}');
    await form.getByRole('checkbox', { name: `charge ${charge?.id}` }).check();
    await form.getByRole('button', { name: 'Activate', exact: true }).click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByText('No open incident.').waitFor({ timeout: 15_000 });
    await api.drain();
    const moved = (await asAdmin('GET', `/api/v1/instances/${id}`)).body;
    expect(moved.incidents).toEqual([]);
    expect(moved.tokens.map((t: { elementId: string }) => t.elementId).sort()).toEqual([
      'packTask',
      'ship',
    ]);
    // The variables went to `ship` itself (its locals), not to the process.
    expect(moved.variables).toEqual({ order: 7 });
    const ship = await jobOf('ship', id);
    expect(ship.variables).toMatchObject({ order: 7, carrier: 'ups' });
    expect(errors).toEqual([]);
    await asAdmin('POST', `/api/v1/instances/${id}/cancel`);
    await page.close();
  }, 60_000);

  it('offers a read-only key the scopes but no repair action', async () => {
    const id = await stuckInstance();
    const reader = (
      await api.app
        .get(ApiKeyService)
        .create({ name: 'reader', permissions: ['read'], tenants: ['*'] })
    ).key;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = consoleErrorsOf(page);
    await page.goto(`${api.origin}/cockpit/#/instances/${id}`);
    await signIn(page, reader, 'reader');
    await page.locator('table.incidents tbody tr').waitFor({ timeout: 15_000 });
    const scope = page.locator('.scope[data-element-id="pack"]');
    await scope.waitFor({ timeout: 15_000 });
    expect(await scope.locator('table.scope-variables tbody td').allInnerTexts()).toEqual([
      'box',
      '"small"',
    ]);
    await page.locator('table.tokens tbody tr').first().waitFor({ timeout: 15_000 });
    const absent = async (what: string, count: Promise<number>) =>
      expect({ what, count: await count }).toEqual({ what, count: 0 });
    await absent('Repair', page.getByRole('heading', { name: 'Repair' }).count());
    await absent('Terminate', page.getByRole('button', { name: /^Terminate/ }).count());
    await absent('Activate', page.getByRole('button', { name: /^Activate/ }).count());
    await absent('Edit box', page.getByRole('button', { name: 'Edit box in pack' }).count());
    // A click on the diagram picks nothing.
    await page.locator('.djs-element[data-element-id="charge"]').click();
    await page.waitForTimeout(300);
    await absent('picked element', page.getByRole('region', { name: 'Element charge' }).count());
    expect(await criticalViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
