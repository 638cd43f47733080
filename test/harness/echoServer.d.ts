export interface RecordedRequest {
	method: string;
	url: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	/** JSON-parsed body when it parses, else the raw text */
	body: unknown;
	rawBody: string;
	/** true once the client closed the connection before the server answered */
	abortedByClient: boolean;
}
export interface EchoReply {
	status?: number;
	json?: unknown;
	/** send a raw (non-JSON) body instead */
	raw?: string;
	headers?: Record<string, string>;
}
/** Return a reply, undefined for the default echo `{ ok: true, echo: body, path }`, or 'hang' to never answer. */
export type EchoHandler = (
	req: RecordedRequest,
) => EchoReply | 'hang' | undefined | Promise<EchoReply | 'hang' | undefined>;
export interface EchoServer {
	port: number;
	url: string;
	requests: RecordedRequest[];
	close(): Promise<void>;
}
export declare function startEchoServer(handler?: EchoHandler): Promise<EchoServer>;
