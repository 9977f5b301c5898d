import { fixture, startApi, xmlPost, type ApiHarness } from './api-harness';

/**
 * Hostile input at the REST edge: a 4xx that names the culprit, never a 500,
 * and nothing written. (Values the engine computes are held to the same
 * limits by the engine itself: see the engine's hostile-input spec.)
 */

const PROBLEM = /^application\/problem\+json/;

interface Problem {
  status: number;
  detail: string;
  errors?: { field?: string; variable?: string; message: string }[];
}

describe('hostile input over HTTP', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi('api_hostile', { MAX_MODEL_ELEMENTS: '5000', MAX_MESSAGE_TTL: '86400' });
    expect((await h.api('/processes', xmlPost(fixture('tasks/service-task.bpmn')))).status).toBe(201);
  }, 60_000);
  afterAll(() => h?.close());

  const instanceRows = () => h.db.prisma.processInstance.count();

  async function expectRefused(response: Response | { status: number; headers: Headers; body: unknown }, field: string): Promise<Problem> {
    const body = (response instanceof Response ? await response.json() : response.body) as Problem;
    expect({ status: response.status, field: body.errors?.[0]?.field ?? body.errors?.[0]?.variable }).toEqual({ status: 400, field });
    expect(response.headers.get('content-type')).toMatch(PROBLEM);
    expect(body.detail).toContain('U+0000');
    return body;
  }

  describe('U+0000', () => {
    it.each([
      ['a business key', { businessKey: 'order\u00001' }, 'businessKey'],
      ['a variable', { variables: { note: 'a\u0000b' } }, 'variables.note'],
      ['a nested variable key', { variables: { order: { 'li\u0000nes': [] } } }, 'variables.order.li\\u0000nes'],
      ['a list item', { variables: { tags: ['ok', 'b\u0000d'] } }, 'variables.tags[1]'],
    ])('in %s of a start is a 400 naming the field; nothing is written', async (_, body, field) => {
      const before = await instanceRows();
      await expectRefused(await h.json('POST', '/processes/service-task/instances', body), field);
      expect(await instanceRows()).toBe(before);
    });

    it('in a message name or correlation key is a 400 naming the field', async () => {
      await expectRefused(await h.json('POST', '/messages', { name: 'paid\u0000', correlationKey: 'k' }), 'name');
      await expectRefused(await h.json('POST', '/messages', { name: 'paid', correlationKey: 'k\u0000' }), 'correlationKey');
    });

    it('in a query parameter is a 400 naming the parameter', async () => {
      await expectRefused(await h.api('/processes?cursor=%00'), 'cursor');
      await expectRefused(await h.api('/instances?limit=5&businessKey=a%00b'), 'businessKey');
    });

    it('in a path key is a 400', async () => {
      await expectRefused(await h.api('/instances/12%00'), 'path');
      await expectRefused(await h.api('/processes/service%00task/instances', { method: 'POST' }), 'path');
    });
  });

  it('a body nested 5,000 levels deep is a 400 naming the field, not a stack overflow', async () => {
    const text = `{"variables":{"deep":${'['.repeat(5_000)}1${']'.repeat(5_000)}}}`;
    const before = await instanceRows();
    const response = await h.api('/processes/service-task/instances', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    const body = (await response.json()) as Problem;
    expect(response.status).toBe(400);
    expect(body.errors?.[0]?.field).toMatch(/^variables\.deep(\[0\])+$/);
    expect(body.detail).toContain('nested more than');
    expect(await instanceRows()).toBe(before);
  });

  it('a variable nested deeper than 100 levels but within the body bound is a 422 naming it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 110; i++) deep = [deep];
    const response = await h.json<Problem>('POST', '/processes/service-task/instances', { variables: { deep } });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([expect.objectContaining({ variable: 'deep' })]);
  });

  const rawJson = (path: string, text: string) =>
    h.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });

  it('a lone surrogate in a string is a 400 naming the field', async () => {
    const response = await rawJson('/processes/service-task/instances', '{"businessKey":"a\\ud800b"}');
    const body = (await response.json()) as Problem;
    expect(response.status).toBe(400);
    expect(body.errors?.[0]?.field).toBe('businessKey');
    expect(body.detail).toContain('surrogate');
  });

  it.each([
    ['1e400', 'variables.big'],
    ['-1e400', 'variables.big'],
    ['1180591620717411303424', 'variables.big'],
  ])('a number JSON cannot carry exactly (%s) is a 422 naming the field, not a silent null', async (number, field) => {
    const before = await instanceRows();
    const response = await rawJson('/processes/service-task/instances', `{"variables":{"big":${number}}}`);
    const body = (await response.json()) as Problem;
    expect(response.status).toBe(422);
    expect(body.errors?.[0]?.field).toBe(field);
    expect(await instanceRows()).toBe(before);
  });

  describe('bytes that are not UTF-8', () => {
    it('in a deploy are a 400 naming the byte, not replaced with U+FFFD', async () => {
      const xml = Buffer.from(fixture('tasks/script-task.bpmn').replace('name="Add"', 'name="Add XX"'), 'utf8');
      const at = xml.indexOf('XX');
      xml[at] = 0xc3; // a lead byte followed by 'X': not UTF-8
      const response = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: xml });
      const body = (await response.json()) as Problem;
      expect(response.status).toBe(400);
      expect(body.detail).toBe(`the body is not valid UTF-8 (byte ${at})`);
      expect((await h.api('/processes/script-task')).status).toBe(404);
    });

    it('in a JSON body are a 400', async () => {
      const text = Buffer.concat([Buffer.from('{"businessKey":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
      const response = await h.api('/processes/service-task/instances', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      expect(response.status).toBe(400);
      expect(((await response.json()) as Problem).detail).toContain('not valid UTF-8 (byte 17)');
    });

    it('multi-byte characters are fine', async () => {
      const response = await h.json('POST', '/processes/service-task/instances', { businessKey: 'é𝄞中' });
      expect(response.status).toBe(201);
    });
  });

  describe('content types', () => {
    it('a deploy as text/plain is a 415 naming the accepted types (a web page sends it without a preflight)', async () => {
      const response = await h.api('/processes', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: fixture('tasks/script-task.bpmn') });
      const body = (await response.json()) as Problem;
      expect(response.status).toBe(415);
      expect(body.detail).toContain('application/xml');
      expect((await h.api('/processes/script-task')).status).toBe(404);
    });

    it('a multipart start is a 415, not a start that ignores its body', async () => {
      const form = new FormData();
      form.append('businessKey', 'x');
      const before = await instanceRows();
      const response = await h.api('/processes/service-task/instances', { method: 'POST', body: form });
      expect(response.status).toBe(415);
      expect(((await response.json()) as Problem).detail).toContain('application/json');
      expect(await instanceRows()).toBe(before);
    });

    it('a charset other than UTF-8 is a 415', async () => {
      const response = await h.api('/processes', {
        method: 'POST',
        headers: { 'content-type': 'application/xml; charset=utf-16' },
        body: fixture('tasks/script-task.bpmn'),
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as Problem).detail).toContain("charset 'utf-16'");
    });
  });

  describe('deploys', () => {
    const deploy = async (xml: string) => {
      const response = await h.api('/processes', xmlPost(xml));
      return { status: response.status, body: (await response.json()) as Problem };
    };

    it('a DOCTYPE is a 400 that says so, with its line', async () => {
      const xml = fixture('tasks/script-task.bpmn').replace('<bpmn:definitions', '<!DOCTYPE d [<!ENTITY e "x">]>\n<bpmn:definitions');
      const { status, body } = await deploy(xml);
      expect(status).toBe(400);
      expect(body.detail).toMatch(/DOCTYPE is not allowed \(line 2\)/);
    });

    it('a truncated file says it is not well-formed at its last line', async () => {
      const xml = fixture('tasks/script-task.bpmn');
      const { status, body } = await deploy(xml.slice(0, xml.indexOf('</bpmn:process>')));
      expect(status).toBe(400);
      expect(body.detail).toMatch(/not well-formed XML at line \d+: the document ends before its root element <bpmn:definitions> is closed/);
    });

    it('subprocesses nested deeper than 100 levels are a 400 naming the subprocess, not a stack overflow', async () => {
      let inner = '<bpmn:task id="leaf" />';
      for (let i = 0; i < 1_000; i++) inner = `<bpmn:subProcess id="s${i}"><bpmn:startEvent id="st${i}" />${inner}</bpmn:subProcess>`;
      const { status, body } = await deploy(
        `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><bpmn:process id="deep" isExecutable="true"><bpmn:startEvent id="start" />${inner}</bpmn:process></bpmn:definitions>`,
      );
      expect(status).toBe(400);
      expect(body.errors).toContainEqual(expect.objectContaining({ elementId: 's899', message: expect.stringContaining('at most 100') }));
    });

    it('a document over MAX_MODEL_ELEMENTS is a 400 naming the setting, before it is parsed', async () => {
      const tasks = Array.from({ length: 5_100 }, (_, i) => `<bpmn:task id="t${i}" />`).join('');
      const { status, body } = await deploy(
        `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><bpmn:process id="wide" isExecutable="true">${tasks}</bpmn:process></bpmn:definitions>`,
      );
      expect(status).toBe(400);
      expect(body.detail).toContain('MAX_MODEL_ELEMENTS');
    });
  });

  describe('query parameters', () => {
    it.each(['limit=0x10', 'limit=1e2', 'limit[]=5', 'limit=5&limit=6', 'limit=0', 'limit=1001', 'colour=red'])('%s is a 400 naming the parameter', async (query) => {
      const response = await h.api(`/instances?${query}`);
      const body = (await response.json()) as Problem;
      expect(response.status).toBe(400);
      expect(body.errors?.[0]?.field).toMatch(/^(limit|limit\[\]|colour)$/);
    });

    it('a decimal limit is fine', async () => {
      expect((await h.api('/instances?limit=10')).status).toBe(200);
    });

    it('a version must be decimal digits', async () => {
      expect((await h.api('/processes/service-task?version=0x1')).status).toBe(400);
      expect((await h.api('/processes/service-task?version=1')).status).toBe(200);
    });
  });

  it('a message time-to-live over MAX_MESSAGE_TTL is a 422 naming it, not a message buffered for centuries', async () => {
    const response = await h.json<Problem>('POST', '/messages', { name: 'paid', correlationKey: 'k', timeToLiveMs: 1e15 });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'timeToLiveMs', message: expect.stringContaining('MAX_MESSAGE_TTL') })]);
    expect(await h.db.prisma.bufferedMessage.count()).toBe(0);
  });
});
