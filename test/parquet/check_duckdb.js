// Reads every sample file with DuckDB (@duckdb/node-api) and checks it against samples.js: column names and
// types, the Parquet schema, row count, row groups, chunk statistics, key-value metadata, created_by, and every
// value of every row.   node check_duckdb.js DIR
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CREATED_BY, SAMPLES, TYPES, chunkStatistics, keyValueMetadata, rowGroupSizes } from './samples.js';
import { ColumnCheck, Tap } from './tap.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check_duckdb.js DIR');
  process.exit(2);
}

const tap = new Tap('duckdb');
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run("SET TimeZone = 'UTC'");

const sqlString = (text) => `'${text.replaceAll("'", "''")}'`;
async function rows(sql) {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjects();
}
const utf8 = (blob) => Buffer.from(blob.bytes).toString('utf8');
// DuckDB returns TIMESTAMP WITH TIME ZONE values as objects holding the microseconds.
const plain = (value) => (value !== null && typeof value === 'object' && 'micros' in value ? value.micros : value);

for (const sample of SAMPLES) {
  const file = path.join(dir, `${sample.file}.parquet`);
  const f = sqlString(file);
  const label = sample.file;

  await tap.guard(`${label}: readable`, async () => {
    const described = await rows(`DESCRIBE SELECT * FROM read_parquet(${f})`);
    tap.equal(described.map((r) => [r.column_name, r.column_type]),
      sample.columns.map((c) => [c.name, TYPES[c.type].duckdb]), `${label}: column names and types`);

    const schema = await rows(`SELECT name, type, repetition_type, converted_type, logical_type, num_children
                               FROM parquet_schema(${f})`);
    tap.equal(schema.length, sample.columns.length + 1, `${label}: schema has a root and one element per column`);
    tap.equal(schema[0].num_children, BigInt(sample.columns.length), `${label}: root num_children`);
    const logicalText = (t) => (t === undefined ? null
      : t.type === 'STRING' ? 'StringType()'
        : 'TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))');
    tap.equal(schema.slice(1).map((r) => [r.name, r.type, r.repetition_type, r.converted_type, r.logical_type]),
      sample.columns.map((c) => [c.name, TYPES[c.type].physical, c.nullable ? 'OPTIONAL' : 'REQUIRED',
        TYPES[c.type].converted ?? null, logicalText(TYPES[c.type].logical)]),
      `${label}: schema elements (type, repetition, converted and logical type)`);

    const [fileMeta] = await rows(`SELECT created_by, num_rows, num_row_groups, format_version
                                   FROM parquet_file_metadata(${f})`);
    tap.equal([fileMeta.created_by, fileMeta.num_rows, fileMeta.num_row_groups, fileMeta.format_version],
      [CREATED_BY, BigInt(sample.rows), BigInt(rowGroupSizes(sample).length), 1n],
      `${label}: created_by, num_rows, num_row_groups, format_version`);

    const kv = await rows(`SELECT key, value FROM parquet_kv_metadata(${f})`);
    tap.equal(kv.map((r) => [utf8(r.key), utf8(r.value)]), keyValueMetadata(sample), `${label}: key-value metadata`);

    const [count] = await rows(`SELECT count(*) AS n FROM read_parquet(${f})`);
    tap.equal(count.n, BigInt(sample.rows), `${label}: row count`);

    const groups = await rows(`SELECT row_group_id, any_value(row_group_num_rows) AS n FROM parquet_metadata(${f})
                               GROUP BY row_group_id ORDER BY row_group_id`);
    tap.equal(groups.map((g) => g.n), rowGroupSizes(sample).map(BigInt), `${label}: rows per row group`);

    // Chunk layout and statistics, one check per column. DuckDB gives min/max as text: cast back in SQL.
    for (let k = 0; k < sample.columns.length; k++) {
      const column = sample.columns[k];
      const duckType = TYPES[column.type].duckdb;
      const cast = (field) => (column.type === 'timestamp_us' ? `epoch_us(CAST(${field} AS ${duckType}))`
        : column.type === 'string' ? field : `CAST(${field} AS ${duckType})`);
      const chunks = await rows(`SELECT row_group_id, file_offset, num_values, compression, encodings,
                                        path_in_schema, type, stats_null_count, stats_min, stats_max,
                                        ${cast('stats_min_value')} AS min, ${cast('stats_max_value')} AS max
                                 FROM parquet_metadata(${f}) WHERE column_id = ${k} ORDER BY row_group_id`);
      // DuckDB shows a non-finite double bound as unknown (NULL): it reads only finite ones (hyparquet
      // checks the infinities the file holds).
      const asDuckdb = (bound) => (bound === undefined || (typeof bound === 'number' && !Number.isFinite(bound))
        ? null : bound);
      const expected = rowGroupSizes(sample).map((size, g) => {
        const stats = chunkStatistics(sample, k, g);
        return [g, 0n, BigInt(size), 'UNCOMPRESSED', 'PLAIN, RLE', column.name, TYPES[column.type].physical,
          BigInt(stats.nullCount), null, null, asDuckdb(stats.min), asDuckdb(stats.max)];
      });
      const actual = chunks.map((c) => [Number(c.row_group_id), c.file_offset, c.num_values, c.compression, c.encodings,
        c.path_in_schema, c.type, c.stats_null_count, c.stats_min, c.stats_max, c.min, c.max]);
      tap.equal(actual, expected, `${label}: chunks of "${column.name}" (file_offset 0, num_values, codec, `
        + 'encodings, path, type, null_count, no deprecated min/max, min_value, max_value)');
    }

    // Every value, in file order (file_row_number checks the order DuckDB reports).
    const checks = sample.columns.map((c) => new ColumnCheck(c));
    let order = 0;
    let misordered = 0;
    const result = await connection.stream(`SELECT * FROM read_parquet(${f}, file_row_number = true)`);
    const rowNumberIndex = result.columnNames().indexOf('file_row_number');
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const row of chunk.getRows()) {
        const index = Number(row[rowNumberIndex]);
        if (index !== order) misordered++;
        order++;
        for (let k = 0; k < checks.length; k++) checks[k].value(index, plain(row[k]));
      }
    }
    tap.ok(misordered === 0, `${label}: rows come back in file order`, [`${misordered} rows out of order`]);
    for (const check of checks) check.report(tap, label, sample.rows);
  });
}

connection.closeSync();
instance.closeSync();
process.exitCode = tap.failures > 0 ? 1 : 0;
