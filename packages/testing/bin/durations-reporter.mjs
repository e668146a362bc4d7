// A node:test reporter for run-suite.mjs (TESSERA_TEST_RECORD_DURATIONS=1): one JSON line per test
// file, `{ file, ms }`, with how long the file's process took from start to end.
import { resolve } from 'node:path';

export default async function* durations(source) {
  for await (const event of source) {
    const { data } = event;
    // The file itself is the outermost test, named by the path it was given.
    if (
      event.type === 'test:complete' &&
      data.nesting === 0 &&
      data.file &&
      resolve(data.name) === data.file
    ) {
      yield `${JSON.stringify({ file: data.file, ms: data.details.duration_ms })}\n`;
    }
  }
}
