import { stepsOf } from '../src/repositories/element-instance.repository';

describe('element instance search: the history rows a filter narrows to', () => {
  it('reaches the GIN index for an element instance key and the instance index for an instance key', () => {
    const sql = stepsOf({ conditions: [{ field: 'id', op: 'eq', value: '2251799813685249' }] });
    expect(sql).toContain(`s."elementInstanceIds" && ARRAY[2251799813685249]::bigint[]`);
    expect(stepsOf({ conditions: [{ field: 'instanceId', op: 'in', value: ['1', '22'] }] })).toBe(`h."instanceId" = ANY(ARRAY[1, 22]::bigint[])`);
  });

  it('combines several key conditions and leaves every other condition to the search', () => {
    const sql = stepsOf({
      conditions: [
        { field: 'definitionId', op: 'eq', value: '7' },
        { field: 'incidentId', op: 'eq', value: '9' },
        { field: 'elementId', op: 'eq', value: 'task' },
        { field: 'id', op: 'neq', value: '5' },
      ],
    });
    expect(sql).toBe(
      `h."instanceId" IN (SELECT d.id FROM "ProcessInstance" d WHERE d."definitionId" = ANY(ARRAY[7]::bigint[])) AND ` +
        `h."instanceId" IN (SELECT i."instanceId" FROM "Incident" i WHERE i.id = ANY(ARRAY[9]::bigint[]))`,
    );
    expect(stepsOf({ conditions: [] })).toBe('');
  });

  it('never writes a value that is not a key into the SQL', () => {
    for (const value of ["1) OR (1=1", '-1', '9223372036854775808', '1e3', '', null]) {
      expect(stepsOf({ conditions: [{ field: 'id', op: 'eq', value }] })).toBe('');
    }
    expect(stepsOf({ conditions: [{ field: 'instanceId', op: 'in', value: ['1', "2'; DROP TABLE x; --"] }] })).toBe('');
    expect(stepsOf({ conditions: [{ field: 'instanceId', op: 'in', value: [] }] })).toBe('');
  });
});
