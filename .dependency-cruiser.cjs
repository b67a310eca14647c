// The layer rules (npm run lint:layers, part of npm test): which top-level folder may import which.
// dependency-cruiser reads the imports (type-only ones included) through the TypeScript compiler.
const engineInternals = '^engine/(?!index\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-stands-alone',
      comment: 'The engine knows nothing of what uses it: no server, page, CLI, storage, benchmark or test code.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: '^(server|web|cli|storage|bench|test|testkit)/' },
    },
    {
      name: 'engine-through-its-index',
      comment: 'Outside engine/ (tests excepted: they test units) the engine is reached through engine/index.ts only.',
      severity: 'error',
      from: { path: '^(cli|bench|server|web|corpora|storage|testkit)/' },
      to: { path: engineInternals },
    },
    {
      name: 'bench-not-test',
      comment: 'Benchmarks share helpers with tests through testkit/, never by importing test/.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'cli-not-server',
      comment: 'The CLI reaches storage through storage/, the engine through engine/index.ts; never the server.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^server/' },
    },
    {
      name: 'protocol-imports-nothing',
      comment: 'The wire types are shared by the server, the page, storage and benchmarks, so they depend on nothing.',
      severity: 'error',
      from: { path: '^server/protocol\\.ts$' },
      to: {},
    },
    {
      name: 'storage-and-web-share-only-protocol',
      comment: 'Storage and the page know the server only by its wire types (server/protocol.ts).',
      severity: 'error',
      from: { path: '^(storage|web)/' },
      to: { path: '^server/', pathNot: '^server/protocol\\.ts$' },
    },
    {
      name: 'shipped-code-not-tests',
      comment: 'What ships never imports tests, test helpers or benchmarks.',
      severity: 'error',
      from: { path: '^(engine|server|web|cli|storage|corpora)/' },
      to: { path: '^(test|testkit|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
