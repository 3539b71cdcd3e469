import type { INodeType, INodeTypes } from 'n8n-workflow';

/** The node types n8n-core sees in a one-node test workflow: exactly one type, under its package name. */
export class SingleNodeTypes implements INodeTypes {
	constructor(
		private readonly nodeType: INodeType,
		private readonly typeName: string,
	) {}
	getByName(): INodeType {
		return this.nodeType;
	}
	getByNameAndVersion(type: string): INodeType {
		if (type !== this.typeName) throw new Error(`unknown node type ${type}`);
		return this.nodeType;
	}
	getKnownTypes() {
		return {};
	}
}
