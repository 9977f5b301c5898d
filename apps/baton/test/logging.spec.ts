import { logColours, nestConsoleLogger } from '@baton/host';

describe('the log of a Baton process', () => {
  it('is coloured only on a terminal, and never with NO_COLOR set', () => {
    expect(logColours({ isTTY: true }, {})).toBe(true);
    expect(logColours({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(logColours({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(logColours({ isTTY: false }, {})).toBe(false);
    expect(logColours({}, {})).toBe(false);
  });

  it("logs Nest's route and module lines at debug, everything else as asked", () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const info = nestConsoleLogger('info', false);
      info.log('Mapped {/api/v1/processes, POST} route', 'RouterExplorer');
      info.log('ApiModule dependencies initialized', 'InstanceLoader');
      info.log('DefinitionsController {/api/v1/processes}:', 'RoutesResolver');
      info.log('embedded Postgres (PGlite) in memory', 'Store');
      const debug = nestConsoleLogger('debug', false);
      debug.log('Mapped {/api/v1/processes, GET} route', 'RouterExplorer');
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/ LOG \[Store\] embedded Postgres/);
    expect(written[1]).toMatch(/ DEBUG \[RouterExplorer\] Mapped \{\/api\/v1\/processes, GET\} route/);
    expect(written.join('')).not.toContain('\x1b[');
  });
});
