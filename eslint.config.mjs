// n8n's verification scanner lints package.json and everything under nodes/ and credentials/ with the
// community-nodes "recommended" rules and eslint-plugin-n8n-nodes-base; this config applies the same rules
// to the same files (so a clean `npm run lint` means a clean scan), and ordinary TypeScript rules elsewhere.
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		rules: { 'no-console': 'error' },
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		extends: [communityRecommended],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
	},
	{
		files: ['package.json'],
		extends: [communityRecommended],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: ['nodes/**/*.json'],
		extends: [communityRecommended],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	// The rule switches below are exactly those of n8n's scanner (@n8n/scan-community-package) and CLI.
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Written for n8n's own docs slugs; a community credential links to its README.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Superseded by the community plugin's credential-password-field rule.
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Written for string "main" inputs and outputs; NodeConnectionTypes is the current form.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// A limit on the retry memory is intended.
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
		extends: [js.configs.recommended],
		languageOptions: { globals: { ...globals.node } },
		// `const { omitted, ...kept } = object` is how the scripts drop keys.
		rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true }] },
	},
	{
		files: ['test/**/*.mjs'],
		languageOptions: { globals: { ...globals.jest } },
	},
);
