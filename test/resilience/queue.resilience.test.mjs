// The trigger's promises in n8n's queue mode: a main, a worker and two webhook processes behind the front
// (nginx), on PostgreSQL and Redis. See promises.mjs and load.mjs.
import { defineLoadRun } from './load.mjs';
import { definePromiseSuite } from './promises.mjs';

describe('queue mode: main, worker, two webhook processes behind the front (nginx), PostgreSQL, Redis', () => {
	definePromiseSuite('queue');
});

describe('queue mode: load', () => {
	defineLoadRun('queue');
});
