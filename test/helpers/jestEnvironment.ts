import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// n8n-core's InstanceSettings writes a config file into the n8n user folder: keep it out of the home folder.
process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'begini-n8n-user-'));
