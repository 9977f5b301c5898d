import { compileForm, FormService, RuntimeErrorCode } from '../src';
import { RuntimeKit } from './fakes';

const form = (fields: Record<string, unknown>) => JSON.stringify({ type: 'default', components: [], ...fields });

describe('Camunda Forms', () => {
  describe('compileForm', () => {
    it('reads the id and version tag, keeping the file as it was written', () => {
      const text = `{ "id": "approve", "versionTag": " v2 ", "components": [] }`;
      expect(compileForm('approve.form', text)).toMatchObject({ name: 'approve.form', formId: 'approve', versionTag: 'v2', schema: text });
    });

    it.each([
      ['not JSON', '{ "id": ', /'bad.form': the form was refused: it is not JSON/],
      ['an array', '[]', /a form is a JSON object/],
      ['no id', form({}), /it has no 'id'/],
      ['a blank id', form({ id: '  ' }), /it has no 'id'/],
      ['a number as id', form({ id: 7 }), /it has no 'id'/],
      ['a version tag that is not a string', form({ id: 'a', versionTag: 2 }), /'versionTag' is not a string/],
    ])('refuses %s, naming the file', (_, text, message) => {
      expect(() => compileForm('bad.form', text)).toThrow(message);
      try {
        compileForm('bad.form', text);
      } catch (e) {
        expect(e).toMatchObject({ code: RuntimeErrorCode.InvalidDefinition });
      }
    });

    it('refuses a form over the model size limit', () => {
      expect(() => compileForm('big.form', form({ id: 'big', text: 'x'.repeat(200) }), 100)).toThrow(/over the limit of 100 bytes \(MAX_MODEL_BYTES\)/);
    });
  });

  describe('versions', () => {
    it('versions per form id and tenant; identical content keeps the version, and numbers are never reused', async () => {
      const kit = new RuntimeKit();
      const deploy = async (text: string, tenantId?: string) =>
        (await kit.registry.deployResources([{ name: 'a.form', xml: text }], { tenantId })).resources[0].form;

      const v1 = await deploy(form({ id: 'a' }));
      const same = await deploy(form({ id: 'a' }));
      const v2 = await deploy(form({ id: 'a', versionTag: 'x' }));
      const otherTenant = await deploy(form({ id: 'a' }), 'tenant-b');
      expect([v1?.version, v1?.created, same?.version, same?.created, v2?.version, otherTenant?.version]).toEqual([1, true, 1, false, 2, 1]);

      await kit.store.repos.forms.markDeleted(v2?.id ?? '');
      expect((await kit.store.repos.forms.latest('<default>', 'a'))?.version).toBe(1);
      expect((await deploy(form({ id: 'a', versionTag: 'y' })))?.version).toBe(3);
    });

    it('refuses one form id twice in one deployment', async () => {
      const kit = new RuntimeKit();
      await expect(
        kit.registry.deployResources([
          { name: 'one.form', xml: form({ id: 'a' }) },
          { name: 'two.form', xml: form({ id: 'a', x: 1 }) },
        ]),
      ).rejects.toThrow("form id 'a' is in both 'one.form' and 'two.form'");
      expect(kit.store.rows('forms')).toHaveLength(0);
    });
  });

  describe("a user task's form", () => {
    const PROCESS = (formDefinition: string) => `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:userTask id="t"><bpmn:extensionElements><zeebe:userTask/>${formDefinition}</bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process></bpmn:definitions>`;

    it('binds `latest` to the latest version deployed before the task was created', async () => {
      const kit = new RuntimeKit();
      const { resources } = await kit.registry.deployResources([
        { name: 'p.bpmn', xml: PROCESS('<zeebe:formDefinition formId="a"/>') },
        { name: 'a.form', xml: form({ id: 'a' }) },
      ]);
      const definitionId = resources[0].processes[0].id;
      const createdAt = new Date(Date.now() + 60_000);
      await kit.registry.deployResources([{ name: 'a.form', xml: form({ id: 'a', v: 2 }) }]);
      const service = new FormService(kit.store, kit.registry);
      const task = { id: '1', tenantId: '<default>', definitionId, elementId: 't', formKey: 'a' };

      expect(await service.formOfTask({ ...task, createdAt })).toMatchObject({ kind: 'linked', form: { version: 2 } });
      expect(await service.formOfTask({ ...task, createdAt: new Date(0) }).catch((e: Error) => e.message)).toMatch(
        /the form 'a' of user task 1 \(the latest version deployed before the task was created\) was not found/,
      );
    });

    it('refuses a bindingType that Camunda does not have, and versionTag without a tag, naming the task', async () => {
      const kit = new RuntimeKit();
      await expect(kit.registry.deploy(PROCESS('<zeebe:formDefinition formId="a" bindingType="newest"/>'))).rejects.toMatchObject({
        errors: [expect.objectContaining({ elementId: 't', message: "zeebe:formDefinition bindingType 'newest' is not one of latest, deployment, versionTag" })],
      });
      await expect(kit.registry.deploy(PROCESS('<zeebe:formDefinition formId="a" bindingType="versionTag"/>'))).rejects.toMatchObject({
        errors: [expect.objectContaining({ elementId: 't', message: "zeebe:formDefinition bindingType 'versionTag' needs a versionTag" })],
      });
    });
  });
});
