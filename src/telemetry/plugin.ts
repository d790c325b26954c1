// After each GraphQL operation, in the Worker (mutations) and in the ReaderDOs
// (queries): one JSON log line, and a report to the broadcaster shards for the
// `commands`/`queries` topics and the execution logs. Reports are queued per
// isolate and leave in batches (report-queue.ts) under waitUntil, so a client
// never waits for them; a few lost reports are acceptable.
import { getOperationAST, parse, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext, ServerContext } from "../graphql/context.ts";
import { CORRELATION_HEADER, REQUEST_ID_HEADER } from "../http/correlation.ts";
import type { ExecutionKind, ExecutionReport } from "./execution.ts";
import { logLine } from "./log.ts";
import { reportExecutions } from "./report.ts";
import { ReportQueue } from "./report-queue.ts";

type Operation = { kind: ExecutionKind; name: string; field: string };
type Pending = { startedAt: number; query?: string; operationName?: string; operation?: Operation };

export function executionTelemetry(): Plugin<GraphQLContext> {
  const pending = new WeakMap<Request, Pending>();
  // One per yoga instance, so per isolate: the Worker's requests and the ReaderDOs it hosts share batches.
  let queue: ReportQueue | undefined;
  return {
    onParams: ({ request, params }) => {
      pending.set(request, { startedAt: Date.now(), query: params.query, operationName: params.operationName });
    },
    onExecute: ({ args }) => {
      const entry = pending.get((args.contextValue as GraphQLContext).request);
      if (entry) entry.operation = describe(getOperationAST(args.document, args.operationName));
    },
    onResultProcess: ({ request, result, serverContext }) => {
      const entry = pending.get(request);
      // Streams (subscriptions, incremental delivery) and batches are not operations we time.
      if (!entry || Array.isArray(result) || Symbol.asyncIterator in result) return;
      pending.delete(request);
      const operation = entry.operation ?? describeText(entry.query, entry.operationName);
      const report = toReport(request, operation, result, Date.now() - entry.startedAt);
      logLine(report.success ? "info" : "warn", `${operation.kind} ${report.name}`, {
        requestId: request.headers.get(REQUEST_ID_HEADER),
        correlationId: report.correlationId,
        kind: report.kind,
        operation: report.name,
        durationMs: report.durationMs,
        success: report.success,
        code: report.errorCode,
      });
      const { env, executionContext } = serverContext as unknown as ServerContext;
      queue ??= new ReportQueue((reports) => reportExecutions(env, reports));
      executionContext.waitUntil(queue.add(report));
    },
  };
}

function toReport(request: Request, operation: Operation, result: ExecutionResult, durationMs: number): ExecutionReport {
  const error = result.errors?.[0];
  return {
    ...operation,
    durationMs,
    success: !result.errors?.length,
    errorCode: error ? String(error.extensions?.["code"] ?? "INTERNAL") : null,
    correlationId: request.headers.get(CORRELATION_HEADER),
    at: new Date().toISOString(),
  };
}

function describe(operation: OperationDefinitionNode | null | undefined): Operation {
  if (!operation) return { kind: "query", name: "(unknown)", field: "(unknown)" };
  const fields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === "Field" ? [selection.name.value] : []));
  const field = fields[0] ?? "(fragment)";
  return { kind: operation.operation === "mutation" ? "command" : "query", name: operation.name?.value ?? fields.join(","), field };
}

/** For a request refused before execution (syntax, validation): what it tried to run, if that can be told. */
function describeText(query: string | undefined, operationName: string | undefined): Operation {
  let document: DocumentNode;
  try {
    document = parse(query ?? "");
  } catch {
    return { kind: "query", name: "(unparsable)", field: "(unparsable)" };
  }
  return describe(getOperationAST(document, operationName));
}
