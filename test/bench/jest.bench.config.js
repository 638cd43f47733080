/**
 * `npm run bench`: the benchmarks (test/bench/README.md). Not part of `npm test`; nothing here
 * asserts timings. One file, run in band so that measurements do not compete with each other.
 */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/bench'],
	testMatch: ['**/*.bench.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	// The whole run is one test: measurements 1 to 9, Spike and Waves take about 45 min here.
	testTimeout: 3 * 60 * 60 * 1000,
	verbose: false,
};
