// What the yaml package leaves to its caller, or reports by throwing: characters YAML does not
// allow, a file too large to be a scenario, nesting deep enough to overflow a recursive walk,
// tags that turn a value into a Set or a Date, keys that are lists, aliases that name no anchor
// or expand without end. Each becomes a problem at an offset in the text with a fix, so that
// bad input is an input error (exit 2) and never an exception out of the loader.
import { isAlias, isCollection, isMap, isPair, isScalar, type Document, type Node, type YAMLError } from 'yaml';
import { quoteValue } from '../quote.js';

// The corpus's largest scenario is about 8 KB: a megabyte is far past any real one, and small
// enough that parsing it and echoing a piece of it stays instant.
export const MAX_SCENARIO_CHARS = 1_048_576;
// A scenario nests about eight levels (runbook.upgrade.stages[i].steps[j].{step}.{arg}). The
// limit keeps every recursive walk after parsing (toJS, schema validation) far from the stack.
export const MAX_NESTING = 32;
// yaml refuses to expand one anchor more often than this (fewer times when aliases nest).
export const MAX_ALIAS_USES = 100;

export interface TextProblem {
  offset: number;
  problem: string;
  fix: string;
}

// YAML 1.2's printable set (tab, line feed, carriage return, U+0020-U+007E, U+0085,
// U+00A0-U+D7FF, U+E000-U+FFFD, U+10000 and up): anything else is not a YAML character.
const NOT_YAML = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

export function checkText(text: string): TextProblem | null {
  if (text.length > MAX_SCENARIO_CHARS) {
    return {
      offset: 0,
      problem: `the file has ${text.length.toLocaleString('en-US')} characters; a scenario has at most ${MAX_SCENARIO_CHARS.toLocaleString('en-US')}`,
      fix: 'a scenario describes one system and one runbook in a few hundred lines: pass the scenario file itself, not a data file',
    };
  }
  const m = NOT_YAML.exec(text);
  if (m) {
    const code = m[0].codePointAt(0)!;
    const u = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      offset: m.index,
      problem: `the file contains the character ${u}, which YAML does not allow (a control character, or a lone surrogate)`,
      fix: `remove it; inside a double-quoted string it can be written as an escape (\\u${code.toString(16).padStart(4, '0')})`,
    };
  }
  return null;
}

// A yaml parse error, in the words of a scenario author.
export function yamlErrorProblem(e: YAMLError): TextProblem {
  const offset = e.pos[0];
  const said = firstLine(e.message);
  if (/call stack/i.test(said)) return deepProblem(offset);
  switch (e.code) {
    case 'MULTIPLE_DOCS':
      return { offset, problem: "the file holds more than one YAML document (a second '---' line)", fix: 'keep one scenario per file: split the file at this line, or remove the extra ---' };
    case 'TAB_AS_INDENT':
      return { offset, problem: 'YAML syntax error: a tab indents this line', fix: 'indent with spaces; YAML does not allow tabs for indentation' };
    case 'DUPLICATE_KEY':
      return { offset, problem: `YAML syntax error: ${plain(said)}`, fix: 'remove or rename the repeated key' };
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return { offset, problem: `YAML syntax error: ${plain(said)}`, fix: 'check the indentation and the punctuation on this line' };
    case 'KEY_OVER_1024_CHARS':
      return { offset, problem: 'YAML syntax error: a key on this line is over 1,024 characters (or a line is missing its colon)', fix: 'check the punctuation on this line: a key is a short name followed by a colon' };
    default:
      return { offset, problem: `YAML syntax error: ${plain(said)}`, fix: 'fix the YAML on this line (a quoted string may be unterminated, or a list item misindented)' };
  }
}

export function deepProblem(offset: number): TextProblem {
  return {
    offset,
    problem: `the YAML nests deeper than ${MAX_NESTING} levels here`,
    fix: 'a scenario nests about eight levels: close the brackets [ ] and braces { } left open, or check the indentation',
  };
}

// The core schema's own tags (!!str, !!int, ...) only restate what a plain value is; any other
// tag makes yaml build a Set, a Date, bytes or an unknown string that no scenario key means.
const CORE_TAG = /^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq)$/;

// Walks the parsed document without recursion (its depth is what is being checked).
export function checkDocument(doc: Document): TextProblem | null {
  const uses = new Map<string, number>();
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    const at = rangeStart(node);
    if (depth > MAX_NESTING) return deepProblem(at);
    if (isAlias(node)) {
      if (!node.resolve(doc)) {
        return { offset: at, problem: `the alias *${node.source} names no anchor set before it`, fix: `put &${node.source} on a value above this line, or write the value out here` };
      }
      const n = (uses.get(node.source) ?? 0) + 1;
      uses.set(node.source, n);
      if (n > MAX_ALIAS_USES) {
        return { offset: at, problem: `the anchor &${node.source} is used by more than ${MAX_ALIAS_USES} aliases`, fix: 'write the repeated values out, or use the anchor at most 100 times' };
      }
      continue;
    }
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !CORE_TAG.test(tag)) {
      return { offset: at, problem: `the YAML tag ${quoteValue(tag)} is not used in scenarios`, fix: 'remove the tag: a scenario value is a plain string, number, true/false, list or map' };
    }
    // children pushed last first, so that they are visited in document order; a flow list
    // holds `[a: 1]` as a pair, whose key needs the same checks as a mapping's
    if (isCollection(node)) {
      const seen = new Set<string>();
      const next: { node: unknown; depth: number }[] = [];
      for (const item of node.items) {
        if (!isPair(item)) {
          next.push({ node: item, depth: depth + 1 });
          continue;
        }
        const pair = item;
        if (isCollection(pair.key)) {
          return { offset: rangeStart(pair.key), problem: 'a key of this mapping is a list or a map', fix: 'write each key as a plain name followed by a colon' };
        }
        // 1 and '1' are different YAML keys but one key once loaded: the second would win silently
        if (isScalar(pair.key) && isMap(node)) {
          const name = String(pair.key.value ?? '');
          if (seen.has(name)) return { offset: rangeStart(pair.key), problem: `the key ${quoteValue(name)} appears twice in this mapping`, fix: 'remove or rename the repeated key' };
          seen.add(name);
        }
        if (isAlias(pair.key) && isCollection(pair.key.resolve(doc))) {
          return { offset: rangeStart(pair.key), problem: `the key *${pair.key.source} is an alias of a list or a map`, fix: 'write each key as a plain name followed by a colon' };
        }
        // keys too: a tag on a key (!!binary k: 1) makes it bytes, an alias a use of its anchor
        next.push({ node: pair.key, depth: depth + 1 });
        next.push({ node: pair.value, depth: depth + 1 });
      }
      // one push at a time: a spread of a list with 100,000 items would overflow the stack
      for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
    }
  }
  return null;
}

// The first offset at which yaml's toJS would expand aliases past its guard.
export function firstAliasOffset(doc: Document): number {
  const stack: unknown[] = [doc.contents];
  let first = Number.MAX_SAFE_INTEGER;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) first = Math.min(first, rangeStart(node));
    else if (isMap(node)) for (const p of node.items) stack.push(p.key, p.value);
    else if (isCollection(node)) for (const i of node.items) stack.push(isPair(i) ? i.value : i);
  }
  return first === Number.MAX_SAFE_INTEGER ? 0 : first;
}

function rangeStart(node: unknown): number {
  return (node as Node).range?.[0] ?? 0;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

// yaml's own message, with any control character made visible and its length kept readable
function plain(s: string): string {
  return /^[\x20-\x7e]{0,200}$/.test(s) ? s : quoteValue(s, 200);
}
