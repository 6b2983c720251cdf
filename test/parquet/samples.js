// What the sample files written by write_samples.cpp must contain, written here a second time, independently of
// the C++ (README.md states the same rules in words). Every value is a function of the row index i; the
// statistics a chunk must carry are computed here from those values by the rules of the Parquet format.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const NAME_PREFIXES = ['', 'row-', 'é-', '日本語-', '😀-', 'Ω≈ç√-'];

// type: the writer's column type; what each reader must report for it.
export const TYPES = {
  int64: { physical: 'INT64', converted: undefined, logical: undefined, duckdb: 'BIGINT' },
  float64: { physical: 'DOUBLE', converted: undefined, logical: undefined, duckdb: 'DOUBLE' },
  boolean: { physical: 'BOOLEAN', converted: undefined, logical: undefined, duckdb: 'BOOLEAN' },
  string: { physical: 'BYTE_ARRAY', converted: 'UTF8', logical: { type: 'STRING' }, duckdb: 'VARCHAR' },
  timestamp_us: {
    physical: 'INT64',
    converted: 'TIMESTAMP_MICROS',
    logical: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    duckdb: 'TIMESTAMP WITH TIME ZONE',
  },
};

// Values: int64 and timestamps (microseconds since the epoch) as BigInt, doubles as numbers (NaN, -0,
// infinities included), booleans, strings; null for a null.
const ROW_COLUMNS = [
  { name: 'id', type: 'int64', nullable: false, value: (i) => BigInt(i) },
  {
    name: 'big', type: 'int64', nullable: true,
    value: (i) => (i % 7 === 3 ? null
      : i % 1000 === 1 ? INT64_MIN
        : i % 1000 === 2 ? INT64_MAX
          : BigInt.asIntN(64, BigInt(i) * 0x9E3779B97F4A7C15n)),
  },
  {
    name: 'score', type: 'float64', nullable: true,
    value: (i) => (i % 11 === 5 ? null
      : i % 1000 === 3 ? NaN
        : i % 1000 === 4 ? -0
          : i % 1000 === 6 ? Infinity
            : i % 1000 === 8 ? -Infinity
              : i % 1000 === 12 ? 0
                : (i - 500000) / 3),
  },
  { name: 'ratio', type: 'float64', nullable: false, value: (i) => i * 0.1 - 7 },
  { name: 'flag', type: 'boolean', nullable: false, value: (i) => i % 3 === 0 },
  { name: 'maybe', type: 'boolean', nullable: true, value: (i) => (i % 5 === 0 ? null : i % 2 === 1) },
  {
    name: 'name', type: 'string', nullable: false,
    value: (i) => (i % 1000 === 999 ? '' : NAME_PREFIXES[i % 6] + String(i)),
  },
  {
    name: 'città', type: 'string', nullable: true,
    value: (i) => (i % 4 === 1 ? null : 'ü'.repeat(i % 13) + 'x' + i.toString(16)),
  },
  {
    name: 'at', type: 'timestamp_us', nullable: true,
    value: (i) => (i % 9 === 4 ? null
      : i % 1000 === 10 ? -62135596800000000n // 0001-01-01T00:00:00Z
        : i % 1000 === 11 ? 253402300799999999n // 9999-12-31T23:59:59.999999Z
          : 1700000000000000n + (BigInt(i) - 500000n) * 1000003n),
  },
  { name: 'created', type: 'timestamp_us', nullable: false, value: (i) => (BigInt(i) - 500000n) * 123456789n },
];

const EDGE_BYTES = ['\x7f', 'é', '', 'a', '😀', 'a\u0080'];
const EDGE_COLUMNS = [
  { name: 'all_null', type: 'int64', nullable: true, value: () => null },
  { name: 'nan_zero', type: 'float64', nullable: true, value: (i) => [NaN, NaN, 0, -0, null, 1.5][i] },
  { name: 'bytes', type: 'string', nullable: false, value: (i) => EDGE_BYTES[i] },
  {
    name: 'long', type: 'string', nullable: true,
    value: (i) => (i === 4 ? 'x'.repeat(5000) : i % 2 === 1 ? null : 'short' + i),
  },
  { name: 'bits', type: 'boolean', nullable: true, value: (i) => (i < 2 ? true : i < 4 ? i === 2 : null) },
];

// 20 columns; column k has type k % 5 (int64, float64, boolean, string, timestamp_us); odd columns are
// optional and null where (i + k) % 3 === 0.
const WIDE_TYPES = ['int64', 'float64', 'boolean', 'string', 'timestamp_us'];
const WIDE_COLUMNS = Array.from({ length: 20 }, (_, k) => ({
  name: `c${String(k).padStart(2, '0')}`,
  type: WIDE_TYPES[k % 5],
  nullable: k % 2 === 1,
  value: (i) => {
    if (k % 2 === 1 && (i + k) % 3 === 0) return null;
    switch (k % 5) {
      case 0: return BigInt(k * 1000 + i);
      case 1: return k + i / 4;
      case 2: return (i + k) % 2 === 0;
      case 3: return `c${k}-${i}`;
      default: return BigInt(k * 1000000 + i);
    }
  },
}));

export const SAMPLES = [
  { file: 'empty', rows: 0, rowsPerGroup: 1000, columns: ROW_COLUMNS },
  { file: 'one_row', rows: 1, rowsPerGroup: 1000, columns: ROW_COLUMNS },
  { file: 'million', rows: 1_000_000, rowsPerGroup: 300_000, columns: ROW_COLUMNS },
  { file: 'edges', rows: 6, rowsPerGroup: 2, columns: EDGE_COLUMNS },
  { file: 'wide', rows: 3, rowsPerGroup: 2, columns: WIDE_COLUMNS },
];

export function keyValueMetadata(sample) {
  return [
    ['costsim.sample', sample.file],
    ['costsim.report', '{"drift":0.25,"note":"ünï ✓ 😀"}'],
    ['empty', ''],
  ];
}

export const CREATED_BY = 'costsim';

// Row counts of the row groups: full groups of rowsPerGroup, then the rest; none for an empty file.
export function rowGroupSizes(sample) {
  const sizes = [];
  for (let start = 0; start < sample.rows; start += sample.rowsPerGroup) {
    sizes.push(Math.min(sample.rowsPerGroup, sample.rows - start));
  }
  return sizes;
}

// Longest string the writer keeps in chunk statistics (a documented choice of the writer, see parquet.cpp).
const MAX_STATISTICS_BYTES = 4096;

function compare(type, a, b) {
  switch (type) {
    case 'string': return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')); // unsigned bytes
    case 'boolean': return Number(a) - Number(b); // false < true
    default: return a < b ? -1 : a > b ? 1 : 0;
  }
}

// The statistics of one column chunk: { nullCount, min, max } with min and max undefined when the chunk
// must have none (no non-null value; doubles: only NaNs; strings: min or max too long).
export function chunkStatistics(sample, columnIndex, groupIndex) {
  const column = sample.columns[columnIndex];
  const start = groupIndex * sample.rowsPerGroup;
  const end = Math.min(sample.rows, start + sample.rowsPerGroup);
  let nullCount = 0;
  let min;
  let max;
  for (let i = start; i < end; i++) {
    const v = column.value(i);
    if (v === null) {
      nullCount++;
      continue;
    }
    if (column.type === 'float64' && Number.isNaN(v)) continue; // NaN never enters min/max
    if (min === undefined || compare(column.type, v, min) < 0) min = v;
    if (max === undefined || compare(column.type, v, max) > 0) max = v;
  }
  if (column.type === 'float64' && min !== undefined) {
    if (min === 0) min = -0; // a zero minimum is written as -0.0
    if (max === 0) max = 0; // a zero maximum as +0.0
  }
  if (column.type === 'string' && min !== undefined
    && (Buffer.byteLength(min) > MAX_STATISTICS_BYTES || Buffer.byteLength(max) > MAX_STATISTICS_BYTES)) {
    min = undefined;
    max = undefined;
  }
  return { nullCount, min, max };
}
