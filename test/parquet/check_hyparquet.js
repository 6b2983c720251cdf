// Reads every sample file with hyparquet (a pure-JS reader) and checks it against samples.js: the Thrift footer
// (version, schema, row groups, the byte layout of the column chunks, statistics, key-value metadata,
// created_by) and every value of every row.   node check_hyparquet.js DIR
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { CREATED_BY, SAMPLES, TYPES, chunkStatistics, keyValueMetadata, rowGroupSizes } from './samples.js';
import { ColumnCheck, Tap } from './tap.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check_hyparquet.js DIR');
  process.exit(2);
}

const tap = new Tap('hyparquet');
// Timestamps as the raw microseconds (BigInt) rather than millisecond Dates, for values and statistics.
const parsers = { timestampFromMicroseconds: (micros) => micros };

for (const sample of SAMPLES) {
  const label = sample.file;
  await tap.guard(`${label}: readable`, async () => {
    const bytes = await readFile(path.join(dir, `${sample.file}.parquet`));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const size = bytes.byteLength;

    tap.equal([bytes.subarray(0, 4).toString('latin1'), bytes.subarray(size - 4).toString('latin1')],
      ['PAR1', 'PAR1'], `${label}: starts and ends with PAR1`);

    const metadata = parquetMetadata(file, { parsers });
    tap.equal([metadata.version, metadata.created_by, metadata.num_rows], [1, CREATED_BY, BigInt(sample.rows)],
      `${label}: version, created_by, num_rows`);
    tap.equal(metadata.metadata_length, bytes.readUInt32LE(size - 8), `${label}: footer length`);

    const [root, ...elements] = metadata.schema;
    tap.equal([root.name, root.num_children, root.type], ['schema', sample.columns.length, undefined],
      `${label}: schema root`);
    const described = (e) => [e.name, e.type, e.repetition_type, e.converted_type, e.logical_type, e.num_children];
    tap.equal(elements.map(described),
      sample.columns.map((c) => [c.name, TYPES[c.type].physical, c.nullable ? 'OPTIONAL' : 'REQUIRED',
        TYPES[c.type].converted, TYPES[c.type].logical, undefined]),
      `${label}: schema elements (type, repetition, converted and logical type)`);

    tap.equal((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value]), keyValueMetadata(sample),
      `${label}: key-value metadata`);

    const sizes = rowGroupSizes(sample);
    tap.equal(metadata.row_groups.map((g) => g.num_rows), sizes.map(BigInt), `${label}: rows per row group`);

    // Byte layout: the column chunks follow one another from offset 4 to the footer, each described by
    // consistent offsets and sizes; the row group totals add up. ColumnChunk.file_offset is deprecated and
    // must be 0 (no ColumnMetaData outside the footer).
    const layout = [];
    let position = 4n;
    for (const group of metadata.row_groups) {
      const groupStart = position;
      for (const chunk of group.columns) {
        const m = chunk.meta_data;
        if (chunk.file_offset !== 0n || m.data_page_offset !== position
          || m.total_compressed_size !== m.total_uncompressed_size || m.total_compressed_size <= 0n) {
          layout.push(`chunk ${m.path_in_schema} at ${position}: file_offset ${chunk.file_offset}, `
            + `data_page_offset ${m.data_page_offset}, sizes ${m.total_compressed_size}/${m.total_uncompressed_size}`);
        }
        position += m.total_compressed_size;
      }
      if (group.file_offset !== groupStart || group.total_compressed_size !== position - groupStart
        || group.total_byte_size !== position - groupStart) {
        layout.push(`row group at ${groupStart}: file_offset ${group.file_offset}, `
          + `total_compressed_size ${group.total_compressed_size}, total_byte_size ${group.total_byte_size}`);
      }
    }
    const footerStart = BigInt(size - 8 - metadata.metadata_length);
    if (position !== footerStart) layout.push(`chunks end at ${position}, footer starts at ${footerStart}`);
    tap.ok(layout.length === 0, `${label}: chunks are contiguous from byte 4 to the footer, offsets and sizes agree`,
      layout);

    // Column chunk metadata and statistics, one check per column.
    sample.columns.forEach((column, k) => {
      const expected = sizes.map((rows, g) => {
        const stats = chunkStatistics(sample, k, g);
        return [TYPES[column.type].physical, ['PLAIN', 'RLE'], [column.name], 'UNCOMPRESSED', BigInt(rows),
          { null_count: BigInt(stats.nullCount), min_value: stats.min, max_value: stats.max }];
      });
      const actual = metadata.row_groups.map((g) => {
        const m = g.columns[k].meta_data;
        return [m.type, m.encodings, m.path_in_schema, m.codec, m.num_values, m.statistics];
      });
      tap.equal(actual, expected, `${label}: chunks of "${column.name}" (type, encodings, path, codec, num_values, `
        + 'statistics: null_count, min_value, max_value and nothing else)');
    });

    // Every value.
    const checks = new Map(sample.columns.map((c) => [c.name, new ColumnCheck(c)]));
    const unknown = [];
    await parquetRead({
      file,
      metadata,
      parsers,
      onChunk({ columnName, columnData, rowStart }) {
        const check = checks.get(columnName);
        if (!check) {
          unknown.push(columnName);
          return;
        }
        for (let k = 0; k < columnData.length; k++) check.value(rowStart + k, columnData[k]);
      },
    });
    tap.ok(unknown.length === 0, `${label}: no unexpected columns`, unknown);
    for (const check of checks.values()) check.report(tap, label, sample.rows);
  });
}

process.exitCode = tap.failures > 0 ? 1 : 0;
