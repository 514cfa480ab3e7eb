// A reporter for `node --test` that ends with the count line tests/support/run_suite.sh
// reads: "<suite>: P passed, F failed" (suite from ROOMCODE_SUITE, default "node").
// Tests are counted, describe() blocks are not; a failure prints its error.
// usage: node --test --test-reporter=tests/support/node_reporter.mjs test_*.mjs
export default async function* report(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    const data = event.data ?? {};
    const isSuite = data.details?.type === 'suite';
    if (event.type === 'test:pass' && !isSuite && !data.skip && !data.todo) {
      passed += 1;
      yield `ok ${data.name}\n`;
    } else if (event.type === 'test:fail' && !isSuite) {
      failed += 1;
      const error = data.details?.error;
      const cause = error?.cause ?? error;
      yield `not ok ${data.name} (${data.file ?? ''})\n  ${String(cause?.stack ?? cause).replace(/\n/g, '\n  ')}\n`;
    } else if (event.type === 'test:diagnostic' && data.nesting === 0) {
      yield `# ${data.message}\n`;
    }
  }
  yield `${process.env.ROOMCODE_SUITE ?? 'node'}: ${passed} passed, ${failed} failed\n`;
}
