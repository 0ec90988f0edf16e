import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SpanScope } from '../shared/spans.js';

export { NO_SPANS, type SpanScope } from '../shared/spans.js';

const propagator = new W3CTraceContextPropagator();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a valid W3C traceparent header (all-zero ids are invalid). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return m[1];
}

export interface TracingOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** An exporter of your own (tests use InMemorySpanExporter); exported synchronously. */
  exporter?: SpanExporter;
}

export class Tracing {
  readonly enabled: boolean;
  readonly #tracer: Tracer | undefined;
  readonly #provider: BasicTracerProvider | undefined;

  constructor(options: TracingOptions) {
    const processor = options.exporter
      ? new SimpleSpanProcessor(options.exporter)
      : options.otlpEndpoint
        ? new BatchSpanProcessor(
            new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }),
          )
        : undefined;
    this.enabled = processor !== undefined;
    if (processor) {
      this.#provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          [ATTR_SERVICE_NAME]: options.serviceName,
          [ATTR_SERVICE_VERSION]: options.serviceVersion,
        }),
        spanProcessors: [processor],
      });
      this.#tracer = this.#provider.getTracer('modelgate', options.serviceVersion);
    }
  }

  /** The server span of a request, child of the caller's `traceparent` when it sent one. */
  startRequest(
    name: string,
    headers: Record<string, unknown>,
    attributes: Attributes,
  ): RequestSpan | undefined {
    if (!this.#tracer) return undefined;
    const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = this.#tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return new RequestSpan(this.#tracer, span, trace.setSpan(parent, span));
  }

  async shutdown(): Promise<void> {
    await this.#provider?.shutdown();
  }
}

export class RequestSpan implements SpanScope {
  constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
    private readonly ctx: Context,
  ) {}

  get traceId(): string {
    return this.span.spanContext().traceId;
  }

  /** `traceparent` of this request's span, for the response (and any outbound call). */
  traceparent(): string {
    const carrier: Record<string, string> = {};
    propagator.inject(this.ctx, carrier, defaultTextMapSetter);
    return carrier.traceparent!;
  }

  async child<T>(name: string, attributes: Attributes, fn: () => Promise<T> | T): Promise<T> {
    const span = this.tracer.startSpan(name, { attributes }, this.ctx);
    try {
      return await context.with(trace.setSpan(this.ctx, span), fn);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message?.slice(0, 200) });
      throw err;
    } finally {
      span.end();
    }
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  end(status: number): void {
    this.span.setAttribute('http.response.status_code', status);
    if (status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR });
    this.span.end();
  }
}
