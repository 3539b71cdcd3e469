// Jest config for the browser suite (`npm run test:browser`): n8n's editor in Debian's Chromium, driven by
// playwright-core, against a real n8n started by the e2e harness. Needs a built dist/; the first run installs
// n8n like the e2e suite. ES modules under jest need --experimental-vm-modules, which the npm script passes.
/** @type {import('jest').Config} */
export default {
	rootDir: '../..',
	roots: ['<rootDir>/test/browser'],
	testMatch: ['**/*.browser.test.mjs'],
	testEnvironment: 'node',
	transform: {},
	maxWorkers: 1,
	testTimeout: 60_000,
	reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
};
