/**
 * Where the editor help sends users. The repository is package.json's `repository` (test/package/links.test.ts
 * keeps the two in step, and checks that the README anchors exist); nodes cannot read package.json at run time.
 */
export const REPOSITORY_URL = 'https://github.com/n8n-nodes-begini/n8n-nodes-begini';

export const README_URL = `${REPOSITORY_URL}#readme`;

/** One item per event type, as the trigger emits it: for "set mock data" in the output panel. */
export const SAMPLE_ITEMS_URL = `${REPOSITORY_URL}/tree/main/examples/sample-items`;

/** The README section on `npm start` and `npm run send`: signed sample events without Begini. */
export const TRY_LOCALLY_URL = `${REPOSITORY_URL}#try-it-locally-npm-start`;

/** Begini's test API: one real, signed delivery to the URL saved for the key's environment. No body. */
export const BEGINI_TEST_API_URL = 'https://api.begini.co/v1/webhooks-management/test';
