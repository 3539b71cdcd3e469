// The trigger's promises in one n8n process on SQLite (n8n's default set-up). See promises.mjs.
import { defineLoadRun } from './load.mjs';
import { definePromiseSuite } from './promises.mjs';

describe('one n8n process, SQLite', () => {
	definePromiseSuite('single');
});

describe('one n8n process, SQLite: load', () => {
	defineLoadRun('single');
});
