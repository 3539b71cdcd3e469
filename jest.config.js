/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
	setupFiles: ['<rootDir>/test/helpers/jestEnvironment.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
