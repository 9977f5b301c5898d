import { loadSettings, SETTING_NAMES } from '@baton/config';
import { repoText } from './ops-files';

// README "Operate" documents every setting with its default: held to the schema here.

/** Rows of the table under "### Settings" in "## Operate": name -> default as written. */
function settingsTable(readme: string): Map<string, string> {
  const operate = readme.split(/^## /m).find((s) => s.startsWith('Operate'));
  const section = operate?.split(/^### /m).find((s) => s.startsWith('Settings'));
  if (section === undefined)
    throw new Error('README.md has no "## Operate" / "### Settings" section');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = /^\|\s*`([A-Z0-9_]+)`\s*\|([^|]*)\|/.exec(line);
    if (cells === null) continue;
    if (rows.has(cells[1])) throw new Error(`README.md lists ${cells[1]} twice`);
    rows.set(cells[1], cells[2].trim());
  }
  return rows;
}

describe('README "Operate" settings table', () => {
  const table = settingsTable(repoText('README.md'));
  const defaults = loadSettings({}) as Record<string, unknown>;

  it('lists exactly the settings Baton reads', () => {
    expect([...table.keys()].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('gives each default as the schema does ("—" when unset)', () => {
    for (const name of SETTING_NAMES) {
      const value = defaults[name];
      expect({ name, documented: table.get(name) }).toEqual({
        name,
        documented: value === undefined ? '—' : String(value),
      });
    }
  });
});
