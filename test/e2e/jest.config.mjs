// Jest config for the real-n8n end-to-end suite, the last part of `npm test` (`npm run test:e2e` alone).
// The first run installs n8n (about 4 minutes and 3 GB, cached in .cache/ or N8N_HARNESS_CACHE_DIR).
// ES modules under jest need --experimental-vm-modules, which the npm script passes. Needs a built dist/.
/** @type {import('jest').Config} */
export default {
	rootDir: '../..',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.mjs'],
	testEnvironment: 'node',
	transform: {},
	maxWorkers: 1,
	testTimeout: 120_000,
	reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
};
