import { type DocumentNode, execute, type GraphQLSchema, parse } from "graphql";
import { MessageType, stringifyMessage } from "graphql-ws";
import type { PubSubMessage } from "./message-cache.ts";
import type { SocketState } from "./protocol.ts";

/**
 * Live delivery: each new message is executed against every subscription on
 * every socket of this shard, with the message as root value, so a client
 * gets exactly the fields it selected. The Subscription resolvers return
 * null for a message their arguments filter out; those are not sent.
 */
export async function deliver(schema: GraphQLSchema, sockets: readonly WebSocket[], messages: readonly PubSubMessage[]): Promise<void> {
  const documents = new Map<string, DocumentNode>();
  const documentOf = (query: string) => documents.get(query) ?? documents.set(query, parse(query)).get(query)!;
  for (const socket of sockets) {
    const state = socket.deserializeAttachment() as SocketState | null;
    if (!state) continue;
    for (const [id, request] of Object.entries(state.subscriptions)) {
      for (const message of messages) {
        const result = await execute({
          schema,
          document: documentOf(request.query),
          rootValue: message,
          variableValues: request.variables ?? undefined,
          operationName: request.operationName ?? undefined,
        });
        if (!result.errors && Object.values(result.data ?? {}).every((value) => value === null)) continue;
        socket.send(stringifyMessage({ type: MessageType.Next, id, payload: result }));
      }
    }
  }
}
