// A tiny TAP-like reporter for the checkers: one `ok - ...` / `not ok - ...` line per check, `#` lines with
// the details of a failure. run.sh counts the lines.

// Equality of two values as the checkers mean it: BigInt by value, numbers by Object.is (NaN equals NaN,
// -0 differs from +0), arrays and plain objects element by element.
export function same(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => same(x, b[k]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined).sort();
    const kb = Object.keys(b).filter((k) => b[k] !== undefined).sort();
    return same(ka, kb) && ka.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

export function show(value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value);
  }
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(', ')}}`;
  }
  return String(value);
}

export class Tap {
  constructor(prefix) {
    this.prefix = prefix;
    this.failures = 0;
  }

  ok(condition, description, details = []) {
    console.log(`${condition ? 'ok' : 'not ok'} - ${this.prefix}: ${description}`);
    if (!condition) {
      this.failures++;
      for (const line of details) console.log(`#   ${line}`);
    }
    return condition;
  }

  equal(actual, expected, description) {
    return this.ok(same(actual, expected), description, [`expected: ${show(expected)}`, `     got: ${show(actual)}`]);
  }

  // Runs a check that may throw; a throw is a failure of that check, not the end of the run.
  async guard(description, fn) {
    try {
      await fn();
    } catch (error) {
      this.ok(false, description, [String(error && error.stack ? error.stack : error)]);
    }
  }
}

// Compares a column read by a reader with the expected values; at most a few mismatches are reported.
export class ColumnCheck {
  constructor(column) {
    this.column = column;
    this.seen = 0;
    this.mismatches = [];
    this.mismatchCount = 0;
  }

  value(rowIndex, actual) {
    this.seen++;
    const expected = this.column.value(rowIndex);
    if (!same(actual, expected)) {
      this.mismatchCount++;
      if (this.mismatches.length < 5) {
        this.mismatches.push(`row ${rowIndex}: expected ${show(expected)}, got ${show(actual)}`);
      }
    }
  }

  report(tap, label, rows) {
    const details = [...this.mismatches];
    if (this.mismatchCount > details.length) details.push(`... ${this.mismatchCount} mismatches in all`);
    if (this.seen !== rows) details.push(`read ${this.seen} values, expected ${rows}`);
    tap.ok(this.mismatchCount === 0 && this.seen === rows, `${label}: all ${rows} values of "${this.column.name}"`,
      details);
  }
}
