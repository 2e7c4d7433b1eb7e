/**
 * PEP 508 environment markers (`python_version < "3.8" and extra == 'test'`): parsed into a tree,
 * then asked the one question the package page has: under which extras can the dependency be
 * installed. Everything but `extra` depends on the installing machine, so it is unknown here.
 */
import { normalizeName } from './names.js';

export type MarkerOperator = '===' | '==' | '!=' | '<=' | '>=' | '~=' | '<' | '>' | 'in' | 'not in';

export type MarkerOperand = { kind: 'variable'; name: string } | { kind: 'string'; value: string };

export type Marker =
  | { kind: 'compare'; left: MarkerOperand; operator: MarkerOperator; right: MarkerOperand }
  | { kind: 'and' | 'or'; left: Marker; right: Marker };

export class MarkerSyntaxError extends Error {}

/** PEP 508's variables, the legacy dotted spellings packaging still accepts, and PEP 751's sets. */
const VARIABLES = new Set([
  'python_version', 'python_full_version', 'os_name', 'sys_platform', 'platform_release', 'platform_system',
  'platform_version', 'platform_machine', 'platform_python_implementation', 'implementation_name',
  'implementation_version', 'extra', 'extras', 'dependency_groups',
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation',
  'python_implementation',
]);

type Token =
  | { kind: 'open' | 'close' }
  | { kind: 'string'; value: string }
  | { kind: 'operator'; value: MarkerOperator }
  | { kind: 'word'; value: string };

const SYMBOL_OPERATORS: readonly MarkerOperator[] = ['===', '==', '!=', '<=', '>=', '~=', '<', '>'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === ' ' || char === '\t') {
      at += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'open' : 'close' });
      at += 1;
    } else if (char === '"' || char === "'") {
      const end = text.indexOf(char, at + 1);
      if (end < 0) throw new MarkerSyntaxError(`unclosed quote at ${at}`);
      tokens.push({ kind: 'string', value: text.slice(at + 1, end) });
      at = end + 1;
    } else {
      const symbol = SYMBOL_OPERATORS.find((operator) => text.startsWith(operator, at));
      if (symbol) {
        tokens.push({ kind: 'operator', value: symbol });
        at += symbol.length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(at))?.[0];
      if (!word) throw new MarkerSyntaxError(`unexpected "${char}" at ${at}`);
      tokens.push({ kind: 'word', value: word });
      at += word.length;
    }
  }
  return tokens;
}

/** Recursive descent over PEP 508's `marker_or` / `marker_and` / `marker_expr`. */
class MarkerParser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Marker {
    if (this.tokens.length === 0) throw new MarkerSyntaxError('empty marker');
    const marker = this.or();
    if (this.at < this.tokens.length) throw new MarkerSyntaxError('unexpected text after the marker');
    return marker;
  }

  private or(): Marker {
    let left = this.and();
    while (this.takeWord('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Marker {
    let left = this.expression();
    while (this.takeWord('and')) left = { kind: 'and', left, right: this.expression() };
    return left;
  }

  private expression(): Marker {
    if (this.tokens[this.at]?.kind === 'open') {
      this.at += 1;
      const inner = this.or();
      if (this.tokens[this.at]?.kind !== 'close') throw new MarkerSyntaxError('missing ")"');
      this.at += 1;
      return inner;
    }
    const left = this.operand();
    const operator = this.operator();
    return { kind: 'compare', left, operator, right: this.operand() };
  }

  private operand(): MarkerOperand {
    const token = this.tokens[this.at];
    if (token?.kind === 'string') {
      this.at += 1;
      return { kind: 'string', value: token.value };
    }
    if (token?.kind === 'word' && VARIABLES.has(token.value)) {
      this.at += 1;
      return { kind: 'variable', name: token.value };
    }
    if (token?.kind === 'word') throw new MarkerSyntaxError(`unknown marker variable "${token.value}"`);
    throw new MarkerSyntaxError('expected a marker variable or a quoted string');
  }

  private operator(): MarkerOperator {
    const token = this.tokens[this.at];
    if (token?.kind === 'operator') {
      this.at += 1;
      return token.value;
    }
    if (this.takeWord('in')) return 'in';
    if (this.takeWord('not')) {
      if (!this.takeWord('in')) throw new MarkerSyntaxError('expected "in" after "not"');
      return 'not in';
    }
    throw new MarkerSyntaxError('expected a comparison operator');
  }

  private takeWord(word: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== 'word' || token.value !== word) return false;
    this.at += 1;
    return true;
  }
}

/** Throws MarkerSyntaxError when the text is not a PEP 508 marker. */
export function parseMarker(text: string): Marker {
  return new MarkerParser(tokenize(text)).parse();
}

/** PEP 685: extra names compare as PEP 503 normalizes project names. */
export function normalizeExtra(name: string): string {
  return normalizeName(name.trim());
}

/** The extras the marker names by `extra == "…"` (either side, `===` too), normalized, in order. */
export function extrasCompared(marker: Marker): string[] {
  if (marker.kind !== 'compare') {
    return [...new Set([...extrasCompared(marker.left), ...extrasCompared(marker.right)])];
  }
  if (marker.operator !== '==' && marker.operator !== '===') return [];
  const { left, right } = marker;
  if (isExtra(left) && right.kind === 'string') return [normalizeExtra(right.value)];
  if (isExtra(right) && left.kind === 'string') return [normalizeExtra(left.value)];
  return [];
}

/**
 * Whether the marker can hold when the installer asks for `extra` (`""`: no extra), whatever the
 * machine. Installers evaluate a requirement once per requested extra, so this decides where it goes.
 */
export function canHoldWithExtra(marker: Marker, extra: string): boolean {
  return evaluate(marker, normalizeExtra(extra)) !== false;
}

/** Three-valued: true, false, or undefined when it depends on the machine. */
function evaluate(marker: Marker, extra: string): boolean | undefined {
  if (marker.kind !== 'compare') {
    const left = evaluate(marker.left, extra);
    const right = evaluate(marker.right, extra);
    if (marker.kind === 'and') {
      if (left === false || right === false) return false;
      return left === true && right === true ? true : undefined;
    }
    if (left === true || right === true) return true;
    return left === false && right === false ? false : undefined;
  }
  const { left, operator, right } = marker;
  const leftValue = isExtra(left) ? extra : left.kind === 'string' && isExtra(right) ? normalizeExtra(left.value) : null;
  const rightValue = isExtra(right) ? extra : right.kind === 'string' && isExtra(left) ? normalizeExtra(right.value) : null;
  if (leftValue === null || rightValue === null) return undefined;
  switch (operator) {
    case '==':
    case '===':
      return leftValue === rightValue;
    case '!=':
      return leftValue !== rightValue;
    case 'in':
      return rightValue.includes(leftValue);
    case 'not in':
      return !rightValue.includes(leftValue);
    default:
      // Version ordering applied to an extra name: packaging's answer depends on its version rules.
      return undefined;
  }
}

function isExtra(operand: MarkerOperand): boolean {
  return operand.kind === 'variable' && operand.name === 'extra';
}
