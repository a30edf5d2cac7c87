import { squishes } from '../../src/rules/ids';
import { idOf } from '../../src/rules/properties';

describe('squishes: ids that would merge unrelated people into one Kissmetrics person', () => {
  it.each([
    '',
    ' ',
    '\t\n ',
    'null',
    'undefined',
    'nil',
    'none',
    'nan',
    'anonymous',
    'unknown',
    'guest',
    '[object object]',
    'NULL',
    'Undefined',
    'NaN',
    'None',
    'Anonymous',
    'GUEST',
    '[object Object]',
    '  null  ',
    '\tundefined\n',
  ])('%p is refused', (id) => {
    expect(squishes(id)).toBe(true);
  });

  it.each([
    // Numbers are ids like any other, 0 included (idOf makes them strings).
    [idOf(0), '0'],
    [idOf(42), '42'],
    [idOf(-1), '-1'],
    ['u1', 'u1'],
    ['user-null', 'user-null'],
    ['nullable', 'nullable'],
    ['guest-42', 'guest-42'],
    ['anonymous1', 'anonymous1'],
    ['Null User', 'Null User'],
    ['none@example.com', 'none@example.com'],
    ['object Object', 'object Object'],
    ['[object]', '[object]'],
    ['n u l l', 'n u l l'],
  ])('%p is a real id', (id, expected) => {
    expect(id).toBe(expected);
    expect(squishes(expected)).toBe(false);
  });
});
