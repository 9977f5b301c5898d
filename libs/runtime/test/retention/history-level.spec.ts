import { compileBpmn } from '@baton/engine';
import { keepsHistory } from '../../src';
import { levelProcess } from './retention-fixtures';

describe('history levels', () => {
  it('full keeps every event, none keeps nothing', () => {
    for (const type of ['ELEMENT_ACTIVATED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED'] as const) {
      expect(keepsHistory('full', type, 'exclusiveGateway')).toBe(true);
      expect(keepsHistory('none', type, 'serviceTask')).toBe(false);
    }
  });

  it('activity keeps the lifecycle of the process, activities and multi-instance bodies only', () => {
    for (const elementType of ['process', 'serviceTask', 'userTask', 'subProcess', 'callActivity', 'multiInstanceBody']) {
      expect(keepsHistory('activity', 'ELEMENT_ACTIVATED', elementType)).toBe(true);
      expect(keepsHistory('activity', 'ELEMENT_TERMINATED', elementType)).toBe(true);
    }
    for (const elementType of ['startEvent', 'endEvent', 'boundaryEvent', 'exclusiveGateway', 'parallelGateway']) {
      expect(keepsHistory('activity', 'ELEMENT_COMPLETED', elementType)).toBe(false);
    }
    expect(keepsHistory('activity', 'INCIDENT_CREATED', 'serviceTask')).toBe(false);
    expect(keepsHistory('activity', 'INCIDENT_RESOLVED', 'serviceTask')).toBe(false);
  });

  it('a process reads baton:historyLevel from its zeebe:properties', async () => {
    for (const [level, expected] of [[undefined, undefined], ['none', 'none'], [' Activity ', 'activity'], ['full', 'full']] as const) {
      const result = await compileBpmn(levelProcess('p', level));
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.definitions.processes[0].historyLevel).toBe(expected);
    }
  });

  it('refuses a level that is not one, naming the process', async () => {
    const result = await compileBpmn(levelProcess('orders', 'verbose'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.objectContaining({ elementId: 'orders', message: expect.stringContaining("baton:historyLevel 'verbose' is not one of full, activity, none") }),
    ]);
  });
});
