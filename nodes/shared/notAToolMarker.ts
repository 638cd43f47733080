import type { INodeProperties } from 'n8n-workflow';

/**
 * n8n's editor shows "No parameters are set up to be filled by AI" after a run of any node whose
 * full type contains "tool" and whose parameters contain no `$fromAI`. Our package name,
 * n8n-nodes-minitoolai, contains "tool", so every MiniToolAI node got that notice although none of
 * them runs as a tool there. This hidden parameter puts the text the editor looks for into the
 * parameters of the plain nodes. It is absent in the tool variants n8n builds for `usableAsTool`
 * (`@tool`), where the notice is n8n's real advice. It is never sent anywhere, never saved (it
 * equals its default), and is not a `$fromAI(…)` call, so no tool argument comes from it.
 */
export const NOT_A_TOOL_MARKER: INodeProperties = {
	displayName: 'Not an AI Tool Marker',
	name: 'notAnAiToolMarker',
	type: 'hidden',
	default: 'not an AI tool: no $fromAI parameters expected',
	displayOptions: { hide: { '@tool': [true] } },
};
