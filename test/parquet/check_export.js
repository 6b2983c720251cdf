// Reads Parquet exports made by costsim.divergence_export with BOTH DuckDB and hyparquet and compares them with
// what the database said: every sample row (DIR/CASE.expected.csv, from costsim.divergence_samples) and the
// summary metadata (DIR/CASE.summary.json, to_jsonb of costsim.divergence_report).
//   node check_export.js DIR CASE...          (run by test/integration/divergence_export.sh)
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { Tap } from './tap.js';

const [dir, ...cases] = process.argv.slice(2);
if (!dir || cases.length === 0) {
  console.error('usage: node check_export.js DIR CASE...');
  process.exit(2);
}
const COLUMNS = ['created_at', 'input_hash', 'v1_cost_cents', 'v2_cost_cents', 'cost_delta_cents', 'drift_score', 'verdict'];
const tap = new Tap('export');
const duckdb = await (await DuckDBInstance.create(':memory:')).connect();

// The expected rows, column by column: microseconds (BigInt), hash, three BigInt costs, the drift score, verdict.
async function expectedColumns(file) {
  const text = await readFile(file, 'utf8');
  const columns = COLUMNS.map(() => []);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(',');
    columns[0].push(BigInt(f[0]));
    columns[1].push(f[1]);
    columns[2].push(BigInt(f[2]));
    columns[3].push(BigInt(f[3]));
    columns[4].push(BigInt(f[4]));
    columns[5].push(Number(f[5]));
    columns[6].push(f[6]);
  }
  return columns;
}

function compareColumns(label, actual, expected) {
  COLUMNS.forEach((name, c) => {
    const got = actual[c] ?? [];
    let bad = got.length === expected[c].length ? -1 : Math.min(got.length, expected[c].length);
    for (let i = 0; bad < 0 && i < got.length; i++) if (got[i] !== expected[c][i]) bad = i;
    tap.ok(bad < 0, `${label}: column ${name}, ${expected[c].length} values equal the database's`,
      bad < 0 ? [] : [`first difference at row ${bad}: expected ${expected[c][bad]}, got ${got[bad]}`]);
  });
}

// The summary written into the file against divergence_report's row.
function compareSummary(label, summary, report) {
  const expected = {
    sample_count: report.sample_count, delta_p50: report.delta_p50, delta_p90: report.delta_p90,
    kl_divergence: report.kl_divergence, kl_method: report.kl_method, kl_direction: report.kl_direction,
    kl_bin_edges: report.kl_bin_edges, kl_smoothing: report.kl_smoothing, kl_noise_floor: report.kl_noise_floor,
    kl_critical_value: report.kl_critical_value, kl_significant: report.kl_significant, kl_legacy: report.kl_legacy,
    outlier_count: report.outlier_count, fail_ratio: report.fail_ratio, matching_rate: report.matching_rate,
    psi: report.psi, js_distance: report.js_distance, ks_statistic: report.ks_statistic,
    ks_pvalue: report.ks_pvalue, wasserstein: report.wasserstein, drift_threshold: report.drift_threshold,
  };
  const actual = {
    sample_count: summary.sample_count, delta_p50: summary.delta_p50, delta_p90: summary.delta_p90,
    kl_divergence: summary.kl_divergence, kl_method: summary.kl.method, kl_direction: summary.kl.direction,
    kl_bin_edges: summary.kl.bin_edges, kl_smoothing: summary.kl.smoothing, kl_noise_floor: summary.kl.noise_floor,
    kl_critical_value: summary.kl.critical_value, kl_significant: summary.kl.significant,
    kl_legacy: summary.kl_legacy, outlier_count: summary.outlier_count, fail_ratio: summary.fail_ratio,
    matching_rate: summary.matching_rate, psi: summary.psi, js_distance: summary.js_distance,
    ks_statistic: summary.ks_statistic, ks_pvalue: summary.ks_pvalue, wasserstein: summary.wasserstein,
    drift_threshold: summary.drift_threshold,
  };
  const differing = Object.keys(expected).filter((k) => JSON.stringify(actual[k]) !== JSON.stringify(expected[k]));
  tap.ok(differing.length === 0, `${label}: the summary in the file equals divergence_report`,
    differing.map((k) => `${k}: expected ${JSON.stringify(expected[k])}, got ${JSON.stringify(actual[k])}`));
}

for (const name of cases) {
  const file = path.join(dir, `${name}.parquet`);
  const expected = await expectedColumns(path.join(dir, `${name}.expected.csv`));
  const report = JSON.parse(await readFile(path.join(dir, `${name}.summary.json`), 'utf8'));

  await tap.guard(`${name}: DuckDB reads it`, async () => {
    const f = `'${file.replaceAll("'", "''")}'`;
    const reader = await duckdb.runAndReadAll(
      `SELECT epoch_us(created_at) AS created_at, ${COLUMNS.slice(1).join(', ')} FROM read_parquet(${f})`);
    const rows = reader.getRows();
    compareColumns(`${name} (DuckDB)`, COLUMNS.map((_, c) => rows.map((r) => r[c])), expected);
    const kv = (await duckdb.runAndReadAll(`SELECT key, value FROM parquet_kv_metadata(${f})`)).getRowObjects();
    const entry = kv.find((r) => Buffer.from(r.key.bytes).toString('utf8') === 'costsim.summary');
    tap.ok(Boolean(entry), `${name} (DuckDB): key-value metadata costsim.summary`);
    if (entry) compareSummary(`${name} (DuckDB)`, JSON.parse(Buffer.from(entry.value.bytes).toString('utf8')), report);
  });

  await tap.guard(`${name}: hyparquet reads it`, async () => {
    const bytes = await readFile(file);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const metadata = parquetMetadata(buffer);
    const columns = COLUMNS.map(() => []);
    await parquetRead({
      file: buffer,
      metadata,
      parsers: { timestampFromMicroseconds: (micros) => micros },
      onChunk({ columnName, columnData, rowStart }) {
        const c = COLUMNS.indexOf(columnName);
        for (let k = 0; k < columnData.length; k++) columns[c][rowStart + k] = columnData[k];
      },
    });
    compareColumns(`${name} (hyparquet)`, columns, expected);
    const entry = (metadata.key_value_metadata ?? []).find((kv) => kv.key === 'costsim.summary');
    tap.ok(Boolean(entry), `${name} (hyparquet): key-value metadata costsim.summary`);
    if (entry) compareSummary(`${name} (hyparquet)`, JSON.parse(entry.value), report);
  });
}
process.exit(tap.failures === 0 ? 0 : 1);
