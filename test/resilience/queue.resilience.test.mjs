// The trigger's promises in n8n's queue mode: a main, a worker and two webhook processes on PostgreSQL and
// Redis. See promises.mjs.
import { defineLoadRun } from './load.mjs';
import { definePromiseSuite } from './promises.mjs';

describe('queue mode: main, worker, two webhook processes, PostgreSQL, Redis', () => {
	definePromiseSuite('queue');
});

describe('queue mode: load', () => {
	defineLoadRun('queue');
});
