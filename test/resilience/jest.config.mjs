// Jest config for `npm run test:resilience`: the trigger's promises against real n8n topologies (one
// process on SQLite; queue mode with PostgreSQL and Redis), with process kills, a stalled database and a
// load run. Slow (about 10–15 minutes on 2 cores), so not part of `npm test`; `.ci/run` runs it.
// Needs a built dist/, and PostgreSQL and Redis from Debian's packages for queue mode.
/** @type {import('jest').Config} */
export default {
	rootDir: '../..',
	roots: ['<rootDir>/test/resilience'],
	testMatch: ['**/*.resilience.test.mjs'],
	testEnvironment: 'node',
	transform: {},
	maxWorkers: 1,
	testTimeout: 300_000,
	reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
};
