import { databaseTarget, StoreErrorCode } from '../src';

describe('databaseTarget', () => {
  it('splits ?schema= off the URL and keeps other parameters', () => {
    expect(databaseTarget('postgresql://u:p@h:5432/db?schema=s1&sslmode=disable')).toEqual({
      connectionString: 'postgresql://u:p@h:5432/db?sslmode=disable',
      schema: 's1',
    });
  });

  it('lets an explicit schema win over the URL', () => {
    expect(databaseTarget('postgresql://h/db?schema=a', 'b').schema).toBe('b');
    expect(databaseTarget('postgresql://h/db').schema).toBeUndefined();
  });

  it.each([
    [undefined, /DATABASE_URL is not set/],
    ['', /DATABASE_URL is not set/],
    ['not a url', /not a valid URL/],
    ['mysql://h/db', /must start with postgresql/],
    ['postgresql://h/db?schema=a;drop', /Invalid schema name/],
  ])('refuses %p', (url, message) => {
    expect(() => databaseTarget(url)).toThrow(message);
    expect(() => databaseTarget(url)).toThrow(
      expect.objectContaining({ code: StoreErrorCode.InvalidConfig }),
    );
  });
});
