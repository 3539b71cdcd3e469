// Copies the icons next to the compiled files: n8n resolves `file:` icons relative to each .node.js and
// .credentials.js, and tsc copies only code.
const path = require('path');
const { task, src, dest } = require('gulp');

task('build:icons', copyIcons);

function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg}');
	const nodeDestination = path.resolve('dist', 'nodes');
	return src(nodeSource, { encoding: false }).pipe(dest(nodeDestination));
}
