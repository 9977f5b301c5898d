import dmn13 from 'dmn-moddle/resources/dmn/json/dmn13.json';

/**
 * dmn-moddle describes DMN 1.3. DMN 1.4 and 1.5 add boxed expressions
 * (conditional, iterators, filter) and an item definition's type
 * constraint; they are added here as types of the same package, so one
 * registry reads every version once its namespace is mapped to 1.3's
 * (see parse-dmn.ts).
 */

interface PackageType {
  name: string;
  superClass?: string[];
  isAbstract?: boolean;
  properties?: Array<Record<string, unknown>>;
}

interface Package {
  types: PackageType[];
  [key: string]: unknown;
}

const ADDED_TYPES: PackageType[] = [
  {
    name: 'ChildExpression',
    properties: [
      { name: 'id', isAttr: true, type: 'String' },
      { name: 'value', type: 'Expression' },
    ],
  },
  {
    name: 'TypedChildExpression',
    superClass: ['ChildExpression'],
    properties: [{ name: 'typeRef', isAttr: true, type: 'String' }],
  },
  {
    name: 'Conditional',
    superClass: ['Expression'],
    properties: [
      { name: 'if', type: 'ChildExpression' },
      { name: 'then', type: 'ChildExpression' },
      { name: 'else', type: 'ChildExpression' },
    ],
  },
  {
    name: 'Iterator',
    isAbstract: true,
    superClass: ['Expression'],
    properties: [
      { name: 'in', type: 'TypedChildExpression' },
      { name: 'iteratorVariable', isAttr: true, type: 'String' },
    ],
  },
  {
    name: 'For',
    superClass: ['Iterator'],
    properties: [{ name: 'return', type: 'ChildExpression' }],
  },
  {
    name: 'Quantified',
    isAbstract: true,
    superClass: ['Iterator'],
    properties: [{ name: 'satisfies', type: 'ChildExpression' }],
  },
  { name: 'Some', superClass: ['Quantified'] },
  { name: 'Every', superClass: ['Quantified'] },
  {
    name: 'Filter',
    superClass: ['Expression'],
    properties: [
      { name: 'in', type: 'ChildExpression' },
      { name: 'match', type: 'ChildExpression' },
    ],
  },
];

function extend(base: Package): Package {
  const types = base.types.map((type) =>
    type.name === 'ItemDefinition'
      ? {
          ...type,
          properties: [...(type.properties ?? []), { name: 'typeConstraint', type: 'UnaryTests' }],
        }
      : type,
  );
  return { ...base, types: [...types, ...ADDED_TYPES] };
}

export const DMN_PACKAGE: Package = extend(dmn13 as unknown as Package);

/** The namespace every supported DMN version is read as. */
export const DMN13_MODEL_NS = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
export const DMN13_DI_NS = 'https://www.omg.org/spec/DMN/20191111/DMNDI/';

/** Model namespaces of DMN 1.1 to 1.5, by version. */
export const MODEL_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['http://www.omg.org/spec/DMN/20151101/dmn.xsd', '1.1'],
  ['http://www.omg.org/spec/DMN/20180521/MODEL/', '1.2'],
  [DMN13_MODEL_NS, '1.3'],
  ['https://www.omg.org/spec/DMN/20211108/MODEL/', '1.4'],
  ['https://www.omg.org/spec/DMN/20230324/MODEL/', '1.5'],
]);

/** DMNDI namespaces of DMN 1.2 to 1.5 (diagram interchange; read, never used). */
export const DI_NAMESPACES: ReadonlySet<string> = new Set([
  'http://www.omg.org/spec/DMN/20180521/DMNDI/',
  DMN13_DI_NS,
  'https://www.omg.org/spec/DMN/20211108/DMNDI/',
  'https://www.omg.org/spec/DMN/20230324/DMNDI/',
]);
