// --data-shape FILE.json: a partial dataset shape, read and merged over DATASET_SHAPE (config.ts mergeShape). The
// merged shape is part of the dataset request, so of its fingerprint: a changed shape reseeds.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { checkReadableFile } from '../paths.ts';
import { mergeShape, type DatasetShape } from './config.ts';

/** Reads and checks a --data-shape file; every problem is a UsageError (exit 3) naming the file. */
export async function readShapeFile(file: string): Promise<DatasetShape> {
  const resolved = await checkReadableFile(file, {
    label: '--data-shape',
    fix: 'Give a JSON file with the fields to change, e.g. {"status": {"error": 0.1}} (docs/data-shape.md), or omit --data-shape.',
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(resolved, 'utf8'));
  } catch (error) {
    throw new UsageError(`--data-shape '${file}' is not valid JSON: ${(error as Error).message}. Give the fields to change as a JSON object (docs/data-shape.md).`, { cause: error });
  }
  return mergeShape(parsed, `--data-shape '${file}'`);
}
