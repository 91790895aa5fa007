import { parse, OperationDefinitionNode } from 'graphql';
import { entitiesAt, entityPositions } from '../../gateway/resilience/entity-paths';
import { kindOf, unavailableAnswer, unavailableMessage } from '../../gateway/resilience/unavailable';
import { SUBGRAPHS } from '../../subgraphs/registry';

const transport = SUBGRAPHS.find((s) => s.name === 'transport')!;
const intake = SUBGRAPHS.find((s) => s.name === 'intake')!;
const op = (q: string) => parse(q).definitions[0] as OperationDefinitionNode;

const p = (type: string, code: string) => ({ __typename: type, dossierCode: code, status: 'NEW' });
const roots = [
  {
    dossiers: {
      edges: [
        { node: { code: 'a', processing: p('PoliceProcessing', 'a') } },
        { node: { code: 'b', processing: p('TransportProcessing', 'b') } },
        { node: { code: 'c', processing: null } },
        { node: { code: 'd', processing: p('OneStopProcessing', 'd') } },
        { node: { code: 'e', processing: p('TransportProcessing', 'e') } },
      ],
    },
  },
  { departments: [{ code: 'SGTVT' }] },
];
const PATH = ['dossiers', 'edges', '@', 'node', 'processing'];

describe('where an entity stands in the answer being built', () => {
  it('when the path runs through lists, then the entities are those of every item, in order, nulls left out', () => {
    expect(entitiesAt(roots, PATH).map((e) => e.dossierCode)).toEqual(['a', 'b', 'd', 'e']);
    expect(entitiesAt(roots, ['departments', '@'])).toEqual([{ code: 'SGTVT' }]);
    expect(entitiesAt(roots, ['nowhere', '@'])).toEqual([]);
  });

  it('when a fetch was sent only the entities of its own type, then each representation is matched to its own entity', () => {
    const entities = entitiesAt(roots, PATH);
    expect(entityPositions(entities, [{ __typename: 'TransportProcessing', dossierCode: 'b' }, { __typename: 'TransportProcessing', dossierCode: 'e' }])).toEqual([1, 3]);
    expect(entityPositions(entities, [{ __typename: 'PoliceProcessing', dossierCode: 'a' }])).toEqual([0]);
  });

  it('when a representation matches no entity, or not in order, then there are no positions', () => {
    const entities = entitiesAt(roots, PATH);
    expect(entityPositions(entities, [{ __typename: 'TransportProcessing', dossierCode: 'z' }])).toBeNull();
    expect(entityPositions(entities, [{ __typename: 'TransportProcessing', dossierCode: 'e' }, { __typename: 'TransportProcessing', dossierCode: 'b' }])).toBeNull();
  });

  it('when a representation carries required fields with nested values, then they are matched too', () => {
    const entities = [{ __typename: 'R', id: 1, figures: { total: 3, byDay: [1, 2] } }, { __typename: 'R', id: 2, figures: { total: 4, byDay: [4] } }];
    expect(entityPositions(entities, [{ __typename: 'R', id: 2, figures: { byDay: [4] } }])).toEqual([1]);
    expect(entityPositions(entities, [{ __typename: 'R', id: 2, figures: { byDay: [1, 2] } }])).toBeNull();
  });
});

describe('the answer standing for a call that got none', () => {
  it('when an entity fetch failed, then there is one UNAVAILABLE error per entity, at its place, naming the system and its department', () => {
    const answer = unavailableAnswer(transport, {
      operation: op('query($representations:[_Any!]!){_entities(representations:$representations){...on TransportProcessing{status}}}'),
      representations: [{ __typename: 'TransportProcessing', dossierCode: 'b' }, { __typename: 'TransportProcessing', dossierCode: 'e' }],
      path: PATH,
      roots,
    });
    expect(answer).toEqual({
      data: null,
      errors: [1, 3].map((i) => ({
        message: 'the system of department SGTVT is not answering; try again later',
        path: ['_entities', i],
        extensions: { code: 'UNAVAILABLE', subgraph: 'transport', departmentCode: 'SGTVT' },
      })),
    });
  });

  it('when the entities cannot be placed, then one error without a path says the system is missing', () => {
    const answer = unavailableAnswer(transport, { operation: undefined, representations: [{ __typename: 'TransportProcessing', dossierCode: 'z' }], path: PATH, roots });
    expect(answer.errors).toEqual([{ message: expect.any(String), extensions: { code: 'UNAVAILABLE', subgraph: 'transport', departmentCode: 'SGTVT' } }]);
  });

  it('when a root fetch failed, then each field it was for (by its alias) gets the error; a system of no department has no departmentCode', () => {
    const answer = unavailableAnswer(intake, { operation: op('{ a: dossier(code: "x") { code } departments { code } ... on Query { procedures { code } } }'), representations: undefined, path: [], roots: [] });
    expect(answer.data).toBeNull();
    expect(answer.errors!.map((e) => [e.path, e.message, e.extensions])).toEqual(
      [['a'], ['departments'], ['procedures']].map((path) => [path, 'a system this answer needs is not answering; try again later', { code: 'UNAVAILABLE', subgraph: 'intake' }]),
    );
  });

  it('when a mutation got no answer, then its error says to repeat it with the same idempotency key', () => {
    const answer = unavailableAnswer(transport, { operation: op('mutation{transportStartProcessing(dossierCode:"x"){status}}'), representations: undefined, path: [], roots: [] });
    expect(answer.errors!.map((e) => [e.path, e.message])).toEqual([[['transportStartProcessing'], unavailableMessage(transport, 'mutation')]]);
    expect(unavailableMessage(transport, 'mutation')).toContain('idempotencyKey');
  });

  it('when any system does not answer, then the message names no service: the department code only, the service in extensions.subgraph', () => {
    for (const system of SUBGRAPHS) {
      for (const kind of ['query', 'mutation'] as const) {
        const message = unavailableMessage(system, kind);
        for (const other of SUBGRAPHS) expect(message).not.toMatch(new RegExp(`\\b${other.name}\\b`));
        if (system.departmentCode) expect(message).toContain(`department ${system.departmentCode}`);
      }
      const answer = unavailableAnswer(system, { operation: op('{departments{code}}'), representations: undefined, path: [], roots: [] });
      expect(answer.errors![0].extensions).toMatchObject({ code: 'UNAVAILABLE', subgraph: system.name });
    }
  });

  it('when the planner writes a subgraph operation, then its kind is read from its first word', () => {
    expect(kindOf('mutation Receive__intake__0($i:X){receiveDossier(input:$i){code}}')).toBe('mutation');
    expect(kindOf('query Q__transport__1($representations:[_Any!]!){_entities(representations:$representations){__typename}}')).toBe('query');
    expect(kindOf('{departments{code}}')).toBe('query');
    expect(kindOf('{mutationLog{id}}')).toBe('query');
  });
});
