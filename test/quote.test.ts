import { describe, expect, it } from 'vitest';
import { quoteValue } from '../model/quote.js';

describe('quoteValue', () => {
  it('makes control characters visible and never echoes an escape sequence', () => {
    const q = quoteValue('a\u001b[31mred\u0007\u009b\u202e');
    expect(q).toBe('"a\\u001b[31mred\\u0007\\u009b\\u202e"');
    expect(q).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });
  it('cuts a long value and says how long it was', () => {
    const q = quoteValue('x'.repeat(7_500_000));
    expect(q.length).toBeLessThan(80);
    expect(q).toContain('(7,500,002 characters)');
  });
  it('shows numbers, objects and undefined as they are', () => {
    expect(quoteValue(42)).toBe('42');
    expect(quoteValue({ a: [1] })).toBe('{"a":[1]}');
    expect(quoteValue(undefined)).toBe('undefined');
  });
});
