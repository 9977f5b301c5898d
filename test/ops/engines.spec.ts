import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies, validRange } from 'semver';

/**
 * package.json's `engines.node` is the one Node requirement the README states.
 * It must be true of everything installed: each package's own `engines.node`
 * accepts the lowest version of every line the range admits (22.22.3, 24.15.0,
 * 26.0.0), so `npm install` on any of them prints no EBADENGINE warning. A
 * dependency upgrade that needs a newer Node fails here, naming the package,
 * until the requirement (and the README) follow.
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

/** `name@version` → `engines.node` of every installed package that declares one. */
function installedEngines(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        walk(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (existsSync(manifest)) {
        const { name, version, engines } = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name?: string;
          version?: string;
          engines?: { node?: unknown };
        };
        if (typeof engines?.node === 'string' && validRange(engines.node) !== null) found.set(`${name}@${version}`, engines.node);
      }
      if (existsSync(join(path, 'node_modules'))) walk(join(path, 'node_modules'));
    }
  };
  walk(join(ROOT, 'node_modules'));
  return found;
}

/** The lowest version of each major line `range` admits: `^22.22.3 || ^24.15.0 || >=26` → 22.22.3, 24.15.0, 26.0.0. */
function lowestOfEachLine(range: string): string[] {
  return range.split('||').map((part) => {
    const lowest = minVersion(part.trim());
    if (lowest === null) throw new Error(`'${part}' admits no version`);
    return lowest.version;
  });
}

describe('the Node.js requirement', () => {
  const lines = lowestOfEachLine(pkg.engines.node);

  it('is one range of whole lines, stated in the README', () => {
    expect(lines.length).toBeGreaterThan(0);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const stated = /With Node\.js (\d+\.\d+) or later \((\d+\.\d+\.\d+) or later on the (\d+) line\)/.exec(readme);
    expect(stated).not.toBeNull();
    // The README names the newest line's lowest version and the oldest line's.
    const [, newest, oldest, oldLine] = stated ?? [];
    expect(satisfies(`${newest}.0`, pkg.engines.node)).toBe(true);
    expect(lines).toContain(oldest);
    expect(oldest.startsWith(`${oldLine}.`)).toBe(true);
  });

  it("is met by every installed package's own engines.node", () => {
    const engines = installedEngines();
    // A real tree: hundreds of packages, some of which declare Node.
    expect(engines.size).toBeGreaterThan(100);
    const refusing = [...engines]
      .flatMap(([name, range]) => lines.filter((v) => !satisfies(v, range)).map((v) => `${name} needs ${range}, not ${v}`));
    expect(refusing).toEqual([]);
  });
});
